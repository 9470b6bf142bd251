"""Slurm's own figure: ``sacct``'s documented output parsed, and the real ``sacct`` of a cluster without
accounting storage (the CI's) answered with what that means."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from clusterkit import SLURM_CONF

from aiceberg.measure.sacct import NO_VAL64, parse_sacct, read_sacct

# sacct --parsable2 --noheader --format=JobID,ElapsedRaw,ConsumedEnergyRaw, as a site with an energy
# plugin (acct_gather_energy/rapl) prints it: the job, its batch and extern steps, two srun steps
WITH_ENERGY = """\
4242|3600|5227812
4242.batch|3600|5227812
4242.extern|3601|5228001
4242.0|3540|5102203
4242.1|12|
"""
# the same on a site without an energy plugin: 0 everywhere; an array task; a line sacct warns with
WITHOUT_ENERGY = f"""\
sacct: error: Invalid field requested: "Foo"
77_3|61|0
77_3.batch|61|0
77_3.0|59|{NO_VAL64}
"""


def test_the_documented_format_is_read_line_by_line() -> None:
    lines = parse_sacct(WITH_ENERGY)
    assert [(x.job_id, x.step, x.elapsed_s, x.energy_j) for x in lines] == [
        ("4242", None, 3600, 5227812.0), ("4242", "batch", 3600, 5227812.0), ("4242", "extern", 3601, 5228001.0),
        ("4242", "0", 3540, 5102203.0), ("4242", "1", 12, None),
    ]
    other = parse_sacct(WITHOUT_ENERGY)
    assert [(x.job_id, x.step, x.energy_j) for x in other] == [("77_3", None, 0.0), ("77_3", "batch", 0.0),
                                                               ("77_3", "0", None)]


def _fake_sacct(tmp_path: Path, output: str, code: int = 0, err: str = "") -> list[str]:
    """An executable that answers like sacct (what it was asked is kept beside it)."""
    script = tmp_path / "sacct"
    (tmp_path / "out.txt").write_text(output)
    (tmp_path / "err.txt").write_text(err)
    script.write_text(f'#!/bin/sh\necho "$@" > {tmp_path / "args.txt"}\ncat {tmp_path / "out.txt"}\n'
                      f'cat {tmp_path / "err.txt"} >&2\nexit {code}\n')
    script.chmod(0o755)
    return [str(script)]


def test_the_jobs_figure_is_its_own_line_with_the_caveat(tmp_path: Path) -> None:
    report = read_sacct("4242", command=_fake_sacct(tmp_path, WITH_ENERGY))
    assert report.energy_j == 5227812.0 and report.why is None and len(report.lines) == 5
    asked = (tmp_path / "args.txt").read_text().split()
    assert asked == ["-j", "4242", "--parsable2", "--noheader", "--format=JobID,ElapsedRaw,ConsumedEnergyRaw"]
    data = report.to_dict()
    assert data["energy_kwh"] == pytest.approx(5227812.0 / 3.6e6)
    assert "exclusive" in str(data["caveat"])  # per node: the job's only on nodes given to it whole


def test_no_energy_plugin_no_job_and_no_slurm_id_are_said_not_guessed(tmp_path: Path) -> None:
    assert read_sacct("77_3", command=_fake_sacct(tmp_path, WITHOUT_ENERGY)).why.key == "jobs.sacct.no_energy"  # type: ignore[union-attr]
    assert read_sacct("99", command=_fake_sacct(tmp_path, "")).why.key == "jobs.sacct.no_job"  # type: ignore[union-attr]
    broken = read_sacct("99", command=_fake_sacct(tmp_path, "", 1, "sacct: error: Problem talking to the database"))
    assert broken.why is not None and broken.why.key == "jobs.sacct.failed" and "database" in str(broken.why)
    assert read_sacct("train-42").why.key == "jobs.sacct.not_slurm"  # type: ignore[union-attr]
    assert read_sacct("5", command=[str(tmp_path / "no-such-sacct")]).why.key == "jobs.sacct.missing"  # type: ignore[union-attr]


@pytest.mark.skipif(not SLURM_CONF or shutil.which("sacct") is None,
                    reason="no Slurm here (eval \"$(bash scripts/start-slurm)\" starts one; CI does)")
def test_the_real_sacct_without_accounting_storage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLURM_CONF", SLURM_CONF)
    report = read_sacct("1")
    assert report.energy_j is None and report.why is not None and report.why.key == "jobs.sacct.disabled"
    assert "accounting storage is disabled" in report.why.render("en")
    assert os.environ["SLURM_CONF"] == SLURM_CONF
