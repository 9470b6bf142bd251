"""``aiceberg scenario``: templates, init, run (text, JSON, HTML, French), compare; exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aiceberg.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_templates_lists_name_and_title(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "scenario", "templates", "--json")
    rows = json.loads(out)
    assert code == 0 and {"chatgpt-month"} <= {r["name"] for r in rows}
    assert all(r["title"] and r["name"] for r in rows)
    code, out, _ = _run(capsys, "scenario", "templates", "--lang", "fr")
    assert "ChatGPT pendant un mois" in out


def test_init_writes_a_template_and_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "mine.toml"
    code, _, _ = _run(capsys, "scenario", "init", "chatgpt-month", "-o", str(target))
    assert code == 0 and target.read_text("utf-8").startswith("# The seed talk's ChatGPT month")
    code, _, err = _run(capsys, "scenario", "init", "chatgpt-month", "-o", str(target))
    assert code == 2 and "exists already" in err and "--force" in err
    code, _, err = _run(capsys, "scenario", "init", "chatgpt-mnth")
    assert code == 2 and "'chatgpt-month'" in err


def test_run_json_has_totals_phases_units_and_allocation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "c.toml"
    _run(capsys, "scenario", "init", "chatgpt-month", "-o", str(target))
    code, out, _ = _run(capsys, "scenario", "run", str(target), "--json")
    d = json.loads(out)
    assert code == 0
    for key in ("energy_kwh", "energy_kwh_low", "energy_kwh_high", "co2e_kg", "co2e_kg_low", "co2e_kg_high"):
        assert key in d["total"] and key in d["per_unit"]
        assert all(key in p for p in d["phases"])
    assert d["unit"] == "per-request" and d["per_unit"]["unit"] == "per-request"
    assert d["allocation"]["deployment"] == "use-time"
    assert sum(p["co2e_kg"] for p in d["phases"] if p["co2e_kg"] is not None) == pytest.approx(d["total"]["co2e_kg"])
    assert "samples" not in d and "sensitivity" not in d


def test_run_with_samples_gives_percentiles_and_sensitivity(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "scenario", "run", "chatgpt-month", "--json", "--samples", "20000", "--seed", "3")
    d = json.loads(out)
    assert code == 0
    p = d["samples"]["total"]["co2e_kg"]
    assert p["p5"] < p["p50"] < p["p95"]
    assert d["samples"]["n"] == 20000 and d["samples"]["seed"] == 3
    idx = d["sensitivity"]["indices"]
    assert idx and {"id", "label", "first_order", "total_order"} <= set(idx[0])
    assert idx[0]["total_order"] >= idx[-1]["total_order"]


def test_compare_allocations_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "scenario", "run", "chatgpt-month", "--compare-allocations", "--lang", "fr")
    assert code == 0
    assert "règle d'imputation" in out and "par requête" in out and "Publié\u202f:" in out
    assert "44,347 kt CO2e" in out  # the talk's figure, to its published digits, in French


def test_bad_arguments_exit_two(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "scenario", "run", "chatgpt-month", "--samples", "0")[0] == 2
    assert _run(capsys, "scenario", "run", "chatgpt-month", "--samples", "1.5")[0] == 2
    code, _, err = _run(capsys, "scenario", "run", "no-such-file.toml")
    assert code == 2 and "no-such-file.toml" in err
    assert _run(capsys, "scenario", "run", "chatgpt-month", "--lang", "de")[0] == 2


def test_html_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "r.html"
    code, _, _ = _run(capsys, "scenario", "run", "chatgpt-month", "--samples", "5000", "--compare-allocations",
                      "--html", str(target), "--lang", "fr")
    page = target.read_text("utf-8")
    assert code == 0 and page.startswith("<!DOCTYPE html>") and 'lang="fr"' in page
    for cls in ("aiceberg-iceberg", "aiceberg-tornado", "aiceberg-histogram"):
        assert cls in page
    assert "<script" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_compare_two_scenarios(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = tmp_path / "a.toml"
    _run(capsys, "scenario", "init", "chatgpt-month", "-o", str(a))
    b = tmp_path / "b.toml"
    b.write_text(a.read_text("utf-8").replace("requests_per_user_per_day = 10", "requests_per_user_per_day = 20"),
                 "utf-8")
    code, out, _ = _run(capsys, "scenario", "compare", str(a), str(b), "--json")
    d = json.loads(out)
    assert code == 0 and 1.5 < d["ratio_b_over_a"] < 2.0  # the training does not double with the requests
    code, out, _ = _run(capsys, "scenario", "compare", str(a), str(b))
    assert code == 0 and "chatgpt-month" in out
