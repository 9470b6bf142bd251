"""The tracker's settings go through config's public API, with the same bounds from every source."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiceberg.config import Settings, load_settings
from aiceberg.errors import InputError

SRC = Path(__file__).resolve().parents[2] / "src" / "aiceberg"


def test_overrides_are_validated_and_recorded_as_arguments() -> None:
    s = Settings().with_overrides({"interval_s": "2", "cpu_tdp_w": 180, "pue": None},
                                  labels={"cpu_tdp_w": "--cpu-tdp-w"})
    assert (s.interval_s, s.cpu_tdp_w, s.pue) == (2.0, 180.0, None)
    assert s.source_of("interval_s") == "argument" and s.source_of("pue") == "default"
    with pytest.raises(InputError, match="--cpu-tdp-w"):
        Settings().with_overrides({"cpu_tdp_w": 0}, labels={"cpu_tdp_w": "--cpu-tdp-w"})
    with pytest.raises(InputError, match="unknown setting"):
        Settings().with_overrides({"intervall_s": 1})


@pytest.mark.parametrize(("name", "value"), [("interval_s", 1e308), ("interval_s", 1e-6), ("flush_every_s", 1e308),
                                             ("cpu_tdp_w", 1e6)])
def test_bounds_hold_for_arguments_environment_and_config(tmp_path: Path, name: str, value: float) -> None:
    with pytest.raises(InputError, match=name):
        load_settings({name: value}, environ={}, config_file=tmp_path / "none.toml")
    var = {"interval_s": "AICEBERG_INTERVAL", "flush_every_s": "AICEBERG_FLUSH_EVERY",
           "cpu_tdp_w": "AICEBERG_CPU_TDP_W"}[name]
    with pytest.raises(InputError, match=var):
        load_settings(environ={var: str(value)}, config_file=tmp_path / "none.toml")
    config = tmp_path / "config.toml"
    config.write_text(f"{name} = {value!r}\n")
    with pytest.raises(InputError, match=f"config.toml: {name}"):
        load_settings(environ={}, config_file=config)


def test_cpu_settings_from_the_environment_and_the_config(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('cpu_model = "AMD EPYC 7763"\ncpu_tdp_w = 200\n')
    s = load_settings(environ={"AICEBERG_CPU_TDP_W": "240"}, config_file=config)
    assert (s.cpu_model, s.cpu_tdp_w) == ("AMD EPYC 7763", 240.0)
    assert s.source_of("cpu_model") == "config" and s.source_of("cpu_tdp_w") == "env"


def test_the_measuring_layer_uses_no_private_part_of_config() -> None:
    for path in (SRC / "measure").rglob("*.py"):
        text = path.read_text("utf-8")
        assert "config import _" not in text and "config._" not in text, path
