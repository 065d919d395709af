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


def test_a_value_is_built_once_then_loaded_equal(folder: Path):
    built = []

    def build() -> dict[str, object]:
        built.append(1)
        return {"word": 3.25, "other": (1, 2), "set": frozenset({"a", "b"})}

    cold = cache.cached_value("table", "v1", build)
    warm = cache.cached_value("table", "v1", build)
    assert warm == cold == build()
    assert list(warm) == ["word", "other", "set"]
    assert built == [1, 1]  # the cold call and the comparison's own: the warm one read the copy
    assert [p.name.split("-")[:2] for p in folder.iterdir()] == [["table", "v1"]]


def test_a_value_of_another_key_is_never_read(folder: Path):
    cache.cached_value("table", "v1", lambda: {"stale": 1.0})
    assert cache.cached_value("table", "v2", lambda: {"fresh": 2.0}) == {"fresh": 2.0}
    assert [p.name.split("-")[1] for p in folder.iterdir()] == ["v2"]


def test_a_damaged_value_is_built_again_and_removed(folder: Path):
    cache.cached_value("table", "v1", lambda: {"word": 1.0})
    (copy,) = folder.iterdir()
    copy.write_bytes(b"\xff")
    assert cache.cached_value("table", "v1", lambda: {"word": 2.0}) == {"word": 2.0}
    assert not copy.exists()


def test_an_unwritable_cache_still_gives_the_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CLEANER_CACHE", str(blocker / "cache"))
    assert cache.cached_value("table", "v1", lambda: [1, 2]) == [1, 2]


def test_a_copy_with_a_flipped_byte_is_never_read_as_another_value(folder: Path):
    """marshal has no check of its own: a flipped byte inside a string loads as another valid value."""
    value = {"words": ("alpha", "beta"), "weight": 0.5}
    cache.cached_value("table", "v1", lambda: value)
    (copy,) = folder.iterdir()
    data = copy.read_bytes()
    for place in range(len(data)):
        damaged = bytearray(data)
        damaged[place] ^= 0x01
        copy.write_bytes(bytes(damaged))
        assert cache.cached_value("table", "v1", lambda: value) == value
        copy.write_bytes(data)


def test_a_cache_folder_this_user_may_not_read_still_gives_the_value(folder: Path, monkeypatch: pytest.MonkeyPatch):
    def refused(path: object) -> bool:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "is_file", refused)  # as pathlib does on Python 3.11 for EACCES
    assert cache.cached_value("table", "v1", lambda: [1, 2]) == [1, 2]
