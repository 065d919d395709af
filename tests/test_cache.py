from __future__ import annotations

from pathlib import Path

import pytest

from cleaner import cache


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CLEANER_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_built_once_then_read_from_the_cache(folder: Path):
    built = []

    def build() -> bytes:
        built.append(1)
        return b"derived"

    assert cache.cached("model", "v1", build).read_bytes() == b"derived"
    assert cache.cached("model", "v1", build).read_bytes() == b"derived"
    assert built == [1]
    assert [p.name for p in folder.iterdir()] == ["model-v1"]


def test_a_new_key_replaces_the_copies_of_its_kind_only(folder: Path):
    cache.cached("model", "v1", lambda: b"one")
    cache.cached("table", "v1", lambda: b"other")
    assert cache.cached("model", "v2", lambda: b"two").read_bytes() == b"two"
    assert sorted(p.name for p in folder.iterdir()) == ["model-v2", "table-v1"]


def test_an_unwritable_cache_still_gives_the_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CLEANER_CACHE", str(blocker / "cache"))
    assert cache.cached("model", "v1", lambda: b"data") == b"data"
    assert blocker.read_text() == "not a folder"


def test_the_default_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv("CLEANER_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.folder() == tmp_path / "cleaner"
