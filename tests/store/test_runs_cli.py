"""``aiceberg runs``: lists that page and never create a store, explicit marking, exports that stream,
no password ever printed, and bad options refused in one line with exit code 2."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from storekit import new_run

from aiceberg.cli import main
from aiceberg.explain.exports import run_json
from aiceberg.model.quantity import Q
from aiceberg.model.run_summary import SUMMARY_VERSION, RunSummary
from aiceberg.store import ChannelRow, PhaseRow, RunEnd, SampleRow, open_store

SRC = Path(__file__).resolve().parents[2] / "src"


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def make_store(db: Path) -> None:
    store = open_store(db)
    store.create_run(new_run("run-finished-0001", started_unix=100.0, command="python train.py"),
                     [ChannelRow("c", "fake", "cpu", "CPU", "measured"),
                      ChannelRow("g", "fake", "gpu", "GPU", "measured")])
    samples = [SampleRow(float(t), ch, w * t, None) for t in range(25) for ch, w in (("c", 50.0), ("g", 200.0))]
    samples.insert(7, SampleRow(3.5, "c", None, None, "EIO"))
    store.append("run-finished-0001", samples, [PhaseRow(0, "epoch 1", 0.0, 24.0, 6000.0)], heartbeat_unix=time.time())
    summary = RunSummary("run-finished-0001", "finished", "2025-01-01T00:00:00.000Z", "2025-01-01T00:00:24.000Z",
                         24.0, exit_code=0, energy_kwh=5.677e-05, co2e_kg=Q(4.2e-06, 2e-06, 9e-06), location="FR")
    store.finish_run("run-finished-0001", RunEnd.from_summary(summary))
    store.create_run(new_run("run-dead-0002", started_unix=200.0, pid=2**22 + 12345), [])  # no such process
    store.close()


def test_listing_a_store_that_does_not_exist_creates_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = cli(capsys, "runs", "list", "--db", str(tmp_path / "no" / "such" / "dir" / "x.db"))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "there is no run store at" in err and "--db" in err
    assert not (tmp_path / "no").exists()
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "fresh"))  # the default store, before any run
    code, out, _ = cli(capsys, "runs", "list")
    assert code == 0 and "no runs yet" in out
    assert not (tmp_path / "fresh").exists()


@pytest.mark.parametrize("bad", [["--limit", "0"], ["--limit", "-1"], ["--limit", "ten"], ["--offset", "-1"]])
def test_bad_paging_options_are_one_line_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                bad: list[str]) -> None:
    make_store(tmp_path / "runs.db")
    code, out, err = cli(capsys, "runs", "list", "--db", str(tmp_path / "runs.db"), *bad)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and bad[0] in err and "accepted: an integer >=" in err


def test_list_pages_marks_dead_runs_explicitly_and_writes_no_scientific_notation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "runs.db"
    make_store(db)
    code, out, _ = cli(capsys, "runs", "list", "--db", str(db), "--json")
    runs = json.loads(out)
    assert code == 0 and [r["run_id"] for r in runs] == ["run-dead-0002", "run-finished-0001"]
    assert runs[0]["status"] == "interrupted"  # the CLI marks; the store's reads never do
    assert (runs[1]["co2e_kg"], runs[1]["co2e_kg_low"], runs[1]["co2e_kg_high"]) == (4.2e-06, 2e-06, 9e-06)
    code, out, err = cli(capsys, "runs", "list", "--db", str(db), "--limit", "1")
    assert code == 0 and len(out.splitlines()) == 2 and "runs 1 to 1 of 2 shown: --offset 1" in err
    code, out, err = cli(capsys, "runs", "list", "--db", str(db), "--limit", "1", "--offset", "1")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2 and lines[1].startswith("run-finished") and err == ""
    code, out, err = cli(capsys, "runs", "list", "--db", str(db), "--all")
    assert code == 0 and len(out.splitlines()) == 3 and err == ""
    assert "0.00005677" in lines[1] and "e-0" not in out
    code, out, _ = cli(capsys, "runs", "list", "--db", str(db), "--status", "finished", "--json")
    assert [r["run_id"] for r in json.loads(out)] == ["run-finished-0001"]


def test_show_reads_the_typed_summary_or_what_the_store_has(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    make_store(db)
    code, out, _ = cli(capsys, "runs", "show", "run-fin", "--db", str(db), "--json")
    data = json.loads(out)
    assert code == 0 and data["version"] == SUMMARY_VERSION and data["co2e_kg_high"] == 9e-06
    code, out, _ = cli(capsys, "runs", "show", "run-fin", "--db", str(db))
    assert "run run-finished finished in 24 s" in out and "command   python train.py" in out
    assert "56.8 mWh at the devices" in out and "e-05" not in out  # the number policy, no exponent
    code, out, _ = cli(capsys, "runs", "show", "run-dead", "--db", str(db), "--json")
    data = json.loads(out)
    assert data["status"] == "interrupted" and data["run_id"] == "run-dead-0002"
    code, _, err = cli(capsys, "runs", "show", "zzz", "--db", str(db))
    assert code == 2 and "no run zzz" in err


def test_show_speaks_french_with_phases_in_the_number_policy(capsys: pytest.CaptureFixture[str],
                                                             tmp_path: Path) -> None:
    # `runs show` had no --lang, and its phase lines read "epoch 1: 0.000001667 kWh"
    db = tmp_path / "runs.db"
    make_store(db)
    code, out, _ = cli(capsys, "runs", "show", "run-fin", "--db", str(db), "--lang", "fr")
    assert code == 0 and "exécution run-finished terminée en 24 s" in out
    assert "  commande  python train.py" in out and " sur " in out
    assert not re.search(r"\b(command|started|at the devices)\b|\bfinished in", out)
    store = open_store(db)
    store.append("run-dead-0002", [], [PhaseRow(0, "epoch 1", 0.0, 24.0, 6000.0)], heartbeat_unix=time.time())
    store.close()
    code, out, _ = cli(capsys, "runs", "show", "run-dead", "--db", str(db), "--lang", "fr")
    assert code == 0 and "phase     epoch 1\u202f: 1,67 Wh" in out and "kWh" not in out


def test_exports_stream_the_samples(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    make_store(db)
    store = open_store(db)
    expected = run_json(store.get_run("run-finished-0001"), store.samples("run-finished-0001"),
                        store.phases("run-finished-0001"), store.channels("run-finished-0001"))
    samples = store.samples("run-finished-0001")
    store.close()
    code, out, _ = cli(capsys, "runs", "export", "run-finished-0001", "--db", str(db), "--format", "json")
    assert code == 0 and json.loads(out) == json.loads(json.dumps(expected, default=str))
    target = tmp_path / "samples.csv"
    code, out, _ = cli(capsys, "runs", "export", "run-fin", "--db", str(db), "--format", "csv", "-o", str(target))
    rows = list(csv.reader(io.StringIO(target.read_text())))
    assert code == 0 and out == "" and rows[0] == ["t_s", "channel_id", "energy_j", "power_w", "error"]
    assert len(rows) == 1 + len(samples) == 52
    assert rows[9] == ["3.500000", "c", "", "", "EIO"]  # a gap stays empty, never 0
    code, out, _ = cli(capsys, "runs", "export", "run-dead", "--db", str(db), "--format", "json")
    assert json.loads(out)["samples"] == [] and json.loads(out)["summary"] is None


def _env(tmp_path: Path, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AICEBERG_")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               PYTHONPATH=str(SRC), **more)
    return env


def test_no_command_prints_a_password(pg_url: str, tmp_path: Path) -> None:
    url = pg_url.replace("postgresql://aiceberg_test@", "postgresql://aiceberg_test:S3cret@", 1)
    assert "S3cret" in url  # the test server trusts 127.0.0.1: any password is accepted
    env = _env(tmp_path, AICEBERG_DB=url)
    texts = []
    for argv in (["run", "--interval", "0.05", "--", sys.executable, "-c", "pass"], ["runs", "list"],
                 ["runs", "sync"], ["runs", "show", "nope"], ["runs", "--help"], ["runs", "list", "--help"],
                 ["runs", "list", "--db", "postgresql://u:S3cret@127.0.0.1:1/db"]):
        done = subprocess.run([sys.executable, "-m", "aiceberg", *argv], env=env, capture_output=True, text=True,
                              timeout=120)
        texts.append(done.stdout + done.stderr)
    assert re.search(r"stored in postgresql://aiceberg_test(:\*\*\*)?@127\.0\.0\.1", texts[0]), texts[0]
    assert "nothing to send" in texts[2] and "no run nope" in texts[3] and "cannot be reached" in texts[6]
    assert not [t for t in texts if "S3cret" in t]
