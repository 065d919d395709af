from __future__ import annotations

from pathlib import Path

import pytest

from cleaner import config as config_module
from cleaner.config import ConfigError


def test_defaults_run_the_default_pipeline(defaults):
    from cleaner.steps import DEFAULT_PIPELINE

    assert defaults.pipeline == list(DEFAULT_PIPELINE)
    assert defaults.steps["length"].min_words == 20


def test_file_overrides(tmp_path: Path):
    path = tmp_path / "c.toml"
    path.write_text(
        '[dataset]\nname = "news"\nversion = "1.2.0"\n[steps.length]\nmin_words = 5\nmax_words = 100\n',
        encoding="utf-8",
    )
    config = config_module.load(path)
    assert config.dataset.name == "news" and config.dataset.version == "1.2.0"
    assert config.steps["length"].min_words == 5
    assert config.source == str(path)


@pytest.mark.parametrize(
    ("toml", "named"),
    [
        ("[dataset]\nnmae = 'x'\n", "'dataset.nmae'"),
        ("[steps.length]\nmin_wrds = 3\n", "'steps.length.min_wrds'"),
        ("[steps.lenght]\n", "'steps.lenght'"),
        ("[datset]\n", "'datset'"),
        ("pipeline = ['whitespace', 'nope']\n", "'nope'"),
        ("[steps.length]\nmin_words = 'ten'\n", "steps.length.min_words"),
        ("[run]\nworkers = true\n", "run.workers"),
        ("[run]\nworkers = -1\n", "run: workers must be 0"),
        ("[run]\ntask_mb = 0\n", "task_mb above 0"),
    ],
)
def test_bad_keys_and_types_are_named(tmp_path: Path, toml: str, named: str):
    path = tmp_path / "c.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        config_module.load(path)
    assert named in str(err.value)


def test_discovery_order(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[tool.cleaner.dataset]\nname = "from-pyproject"\n', encoding="utf-8")
    assert config_module.load(cwd=tmp_path).dataset.name == "from-pyproject"
    (tmp_path / "cleaner.toml").write_text('[dataset]\nname = "from-cleaner-toml"\n', encoding="utf-8")
    assert config_module.load(cwd=tmp_path).dataset.name == "from-cleaner-toml"


def test_invalid_toml_and_missing_file(tmp_path: Path):
    (tmp_path / "bad.toml").write_text("[dataset\nname=", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        config_module.load(tmp_path / "bad.toml")
    with pytest.raises(ConfigError, match="does not exist"):
        config_module.load(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="is not a file"):
        config_module.load(tmp_path)


def test_fingerprint_ignores_execution_settings():
    a = config_module.parse({"run": {"workers": 1}})
    b = config_module.parse({"run": {"workers": 8}})
    c = config_module.parse({"steps": {"length": {"min_words": 3}}})
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()


def test_the_repository_config_loads():
    from tests.conftest import ROOT

    config = config_module.load(ROOT / "cleaner.toml")
    assert config.dataset.name == "seed-articles"
    assert config.pipeline
