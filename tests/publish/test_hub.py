"""Pushing to the Hub, planned and performed through a fake HfApi: one commit that also deletes stale shards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaner.publish import hub
from cleaner.publish.card import loading_line


def make_release(folder: Path, shards: int) -> Path:
    (folder / "data").mkdir(parents=True)
    for index in range(shards):
        (folder / "data" / f"train-{index:05d}-of-{shards:05d}.parquet").write_bytes(b"PAR1")
    manifest = {"name": "news", "version": "1.1.0", "tool": {"version": "0.1.0"}}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "README.md").write_text(f"# news\n\n```python\n{loading_line('news', '1.1.0')}\n```\n")
    return folder


class FakeApi:
    def __init__(self, remote: list[str]):
        self.remote, self.calls = remote, []

    def create_repo(self, repo_id, **kwargs):
        self.calls.append(("create_repo", repo_id, kwargs))

    def list_repo_files(self, repo_id, **kwargs):
        return list(self.remote)

    def create_commit(self, **kwargs):
        self.calls.append(("create_commit", kwargs["repo_id"], kwargs))

    def create_tag(self, repo_id, **kwargs):
        self.calls.append(("create_tag", repo_id, kwargs))


def test_push_is_one_commit_that_deletes_what_the_release_lacks(tmp_path: Path):
    release = make_release(tmp_path / "1.1.0", shards=1)
    before = [".gitattributes", "README.md", "manifest.json"]
    before += [f"data/train-{i:05d}-of-00003.parquet" for i in range(3)]
    api = FakeApi(before)
    done = hub.push(release, "hf://acme/news", api=api)
    assert [c[0] for c in api.calls] == ["create_repo", "create_commit", "create_tag"]
    operations = api.calls[1][2]["operations"]
    added = {op.path_in_repo for op in operations if type(op).__name__ == "CommitOperationAdd"}
    deleted = {op.path_in_repo for op in operations if type(op).__name__ == "CommitOperationDelete"}
    assert added == {"README.md", "manifest.json", "data/train-00000-of-00001.parquet"}
    assert deleted == {f"data/train-{i:05d}-of-00003.parquet" for i in range(3)}  # .gitattributes stays
    assert api.calls[2][2]["tag"] == "v1.1.0" == done.revision_tag


def test_pushed_card_names_the_repository(tmp_path: Path):
    release = make_release(tmp_path / "1.1.0", shards=1)
    the_plan = hub.plan(release, "hf://acme/news")
    assert 'load_dataset("acme/news", revision="v1.1.0", split="train")' in the_plan.card
    assert "dist/news" not in the_plan.card
    assert 'load_dataset("dist/news/1.1.0"' in (release / "README.md").read_text()  # the release is untouched
    assert the_plan.delete == []


def test_target_must_be_hf_url():
    with pytest.raises(hub.HubError, match="hf://ORG/NAME"):
        hub.parse_target("acme/seed-articles")


class UnreachableHub(FakeApi):
    """The Hub as a machine without network, or with a refused token, sees it: its client raises (an error of the
    HTTP library under huggingface_hub, which is no OSError) at the first call or at the commit."""

    def __init__(self, failing: str, error: Exception):
        super().__init__([])
        self.failing, self.error = failing, error

    def create_repo(self, repo_id, **kwargs):
        if self.failing == "create_repo":
            raise self.error
        super().create_repo(repo_id, **kwargs)

    def create_commit(self, **kwargs):
        if self.failing == "create_commit":
            raise self.error
        super().create_commit(**kwargs)


@pytest.mark.parametrize("failing", ["create_repo", "create_commit"])
def test_a_hub_that_cannot_be_reached_is_a_one_line_error_without_the_token(tmp_path: Path, monkeypatch, failing):
    class ConnectError(Exception):  # as httpx names it
        pass

    monkeypatch.setenv("HF_TOKEN", "hf_SECRET0123456789")
    release = make_release(tmp_path / "1.1.0", shards=1)
    error = ConnectError("401 Unauthorized for token hf_SECRET0123456789\nRequest ID: abc")
    with pytest.raises(hub.HubError) as raised:
        hub.push(release, "hf://acme/news", api=UnreachableHub(failing, error))
    message = str(raised.value)
    assert "\n" not in message and "hf_SECRET0123456789" not in message
    assert message.startswith(f"cannot push {release} to hf://acme/news (ConnectError: 401 Unauthorized for token ***)")
    assert "cleaner push 1.1.0 --to hf://acme/news" in message
