"""Settings precedence: defaults < config file < environment < arguments."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiceberg.config import Settings, load_settings
from aiceberg.errors import InputError


def test_precedence(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('location = "DE"\ninterval_s = 2.0\npue = 1.3\nproject = "p"\n')
    s = load_settings(config_file=cfg, environ={"HOME": str(tmp_path)})
    assert (s.location, s.interval_s, s.pue, s.project) == ("DE", 2.0, 1.3, "p")
    assert s.source_of("location") == "config" and s.source_of("flush_every_s") == "default"
    env = {"HOME": str(tmp_path), "AICEBERG_LOCATION": "FR", "AICEBERG_INTERVAL": "0.5"}
    s = load_settings(config_file=cfg, environ=env)
    assert (s.location, s.interval_s, s.pue) == ("FR", 0.5, 1.3)
    s = load_settings({"location": "SE", "interval_s": None}, config_file=cfg, environ=env)
    assert (s.location, s.interval_s) == ("SE", 0.5) and s.source_of("location") == "argument"


def test_defaults(tmp_path: Path) -> None:
    s = load_settings(config_file=tmp_path / "none.toml", environ={"HOME": str(tmp_path)})
    assert s == Settings(db=str(tmp_path / ".local/share/aiceberg/runs.db"))
    assert s.interval_s == 1.0 and s.location is None


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ({"env": {"AICEBERG_INTERVAL": "0"}}, "AICEBERG_INTERVAL"),
        ({"env": {"AICEBERG_PUE": "0.9"}}, "AICEBERG_PUE"),
        ({"file": "interval_s = -1\n"}, "config.toml: interval_s"),
        ({"file": "colour = 1\n"}, "config.toml: colour"),
        ({"file": "interval_s = \n"}, "config.toml"),
        ({"arg": {"interval_s": "x"}}, "--interval"),
    ],
)
def test_bad_values_name_their_field(tmp_path: Path, where: dict, field: str) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(where.get("file", ""))
    with pytest.raises(InputError) as info:
        load_settings(where.get("arg"), labels={"interval_s": "--interval"}, config_file=cfg,
                      environ={"HOME": str(tmp_path), **where.get("env", {})})
    assert field in str(info.value).split(" ")[0] + str(info.value)[:60]
