"""The reports: self-contained HTML with every part and source, Markdown, JSON, round trips, the CLI."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from aiceberg.cli import main
from aiceberg.errors import AicebergError, InputError
from aiceberg.explain.case_text import metric_name
from aiceberg.explain.render import footprint_dict, part_label
from aiceberg.explain.report import (
    html_report,
    json_report,
    markdown_report,
)
from aiceberg.i18n import t
from aiceberg.i18n.numbers import exact
from aiceberg.model.footprint_json import footprint_from_dict

URL_ATTRS = {"src", "href", "xlink:href", "action", "poster", "data", "srcset", "formaction", "background"}


class _Attrs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.urls += [v or "" for k, v in attrs if k in URL_ATTRS]

    handle_startendtag = handle_starttag


def assert_self_contained(html: str) -> None:
    """No external URL anywhere a browser would load or follow one; no script, no stylesheet link."""
    parser = _Attrs()
    parser.feed(html)
    for value in parser.urls:
        v = value.strip().lower()
        assert not v.startswith(("http:", "https:", "//", "ftp:", "data:", "javascript:")), value
        assert v.startswith("#"), value  # only in-page anchors
    assert "script" not in parser.tags and "link" not in parser.tags and "iframe" not in parser.tags
    assert not re.search(r"url\(\s*['\"]?(https?:|//)", html) and "@import" not in html


def _all_sources(fp, extra=()):
    ids = set(fp.sources) | set(extra)
    for f in fp.factors:
        ids |= set(f.sources)
    return ids


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_case_report_is_self_contained_and_complete(bloom, lang, case_report):
    src = case_report("bloom-training", lang)
    html = html_report(src.fp, lang=lang, **src.kwargs())
    assert_self_contained(html)
    assert f'<html lang="{lang}">' in html
    for p in bloom.complete.parts:
        assert part_label(p.name, lang).replace("'", "&#x27;") in html
    from aiceberg.refdata import get_source

    for sid in _all_sources(bloom.complete, bloom.case.sources):
        assert sid in html
        s = get_source(sid)
        if s is not None:
            from html import escape

            assert escape(s.title) in html
    # the case section: published, reproduced, deviation, convention
    assert t("heading.convention", lang) in html and "50,500" in html.replace("\u202f", ",")
    for p in bloom.case.published:  # metrics by name, published figures exactly as published
        assert escape(metric_name(p.metric, lang)) in html and f'data-metric="{p.metric}"' not in html
        assert exact(p.value, lang) in html
    # sections and the pictures
    for anchor in ("h-headline", "h-iceberg", "h-breakdown", "h-case", "h-equivalents", "h-comparison",
                   "h-provenance", "h-notes"):
        assert f'id="{anchor}"' in html
    assert html.count("<svg") == 3
    assert len(html.encode()) < 200_000  # light: no page of several megabytes


def test_estimate_report_has_factors_equivalents_and_every_case(estimate):
    html = html_report(estimate, lang="en")
    assert_self_contained(html)
    for f in estimate.factors:
        assert f.id in html
    # the equivalents a reader sees: readable values only (8 × A100 for a day in France is ~100 kg)
    assert "km by car" in html and "smartphone charges" in html
    assert "Paris–New York" not in html.split('id="h-equivalents"')[1].split("</section>")[0]
    for name in ("BLOOM-176B training", "GPT-3 training", "Stable Diffusion v1"):
        assert name in html
    assert "modelled" in html and "default" in html  # what was modelled, what is a default


def test_everything_is_escaped(estimate):
    from dataclasses import replace

    evil = replace(estimate, title="<script>alert(1)</script>", warnings=("<img src=x onerror=alert(1)>",),
                   meta={**estimate.meta, "left_out": ["<b>bold</b>"]})
    html = html_report(evil, lang="en")
    assert "<script>" not in html and "<img" not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert_self_contained(html)
    md = markdown_report(evil, lang="en")
    assert "<script>" not in md and "<img" not in md


def test_markdown_has_the_same_tables(bloom, case_report):
    src = case_report("bloom-training", "fr")
    md = markdown_report(src.fp, lang="fr", **src.kwargs())
    assert md.startswith("# Entraînement de BLOOM-176B")
    for heading in ("## En bref", "## Détail par poste", "## Le cas tel que publié", "## Équivalences",
                    "## À côté des études de cas", "## Provenance", "### Facteurs utilisés"):
        assert heading in md
    assert "|---|" in md.replace("---:", "---")
    for p in bloom.complete.parts:
        assert part_label(p.name, "fr") in md.replace("\\_", "_")
    for sid in _all_sources(bloom.complete, bloom.case.sources):
        assert f"`{sid}`" in md


def test_json_is_footprint_dict_plus_the_report(estimate):
    data = json.loads(json_report(estimate, lang="en"))
    base = footprint_dict(estimate, "en")
    for key in ("co2e_kg", "parts", "factors", "equivalents", "sources"):
        assert data[key] == json.loads(json.dumps(base[key]))
    assert data["report"]["kind"] == "estimate"
    assert {e["key"] for e in data["report"]["comparison"]} >= {"bloom-training", "this"}
    assert data["report"]["sources"]["owid-ember-energy"]["title"]


def test_footprint_round_trip_through_the_estimate_json(estimate):
    again = footprint_from_dict(json.loads(json.dumps(footprint_dict(estimate, "en"))))
    assert again.names() == estimate.names()
    assert again.co2e_kg.as_tuple() == pytest.approx(estimate.co2e_kg.as_tuple())
    assert again.energy_kwh.as_tuple() == pytest.approx(estimate.energy_kwh.as_tuple())
    assert again.visible.co2e_kg.central == pytest.approx(estimate.visible.co2e_kg.central)
    assert [f.id for f in again.factors] == [f.id for f in estimate.factors]
    assert again.factors[0].value == estimate.factors[0].value and again.factors[0].year == estimate.factors[0].year
    assert [p.status for p in again.parts] == [p.status for p in estimate.parts]
    assert [p.phase for p in again.parts] == [p.phase for p in estimate.parts]
    assert again.sources == estimate.sources
    assert again.to_dict()["parts"] == estimate.to_dict()["parts"]


@pytest.mark.parametrize("bad", [[], {}, {"parts": "x"}, {"parts": [{"name": "a"}]},
                                 {"parts": [{"name": "a", "co2e_kg": "x"}]},
                                 {"parts": [{"name": "a", "co2e_kg": -1}]},
                                 {"parts": [{"name": "a", "co2e_kg": 1, "status": "guessed"}]},
                                 {"parts": [], "factors": [{"no": "id"}]}])
def test_bad_footprint_dicts_are_input_errors(bad):
    with pytest.raises(InputError):
        footprint_from_dict(bad)


def test_run_report_has_the_power_trace_and_escapes_the_name(tmp_path, estimate, make_run, load_run):
    db = str(tmp_path / "runs.db")
    run_id = make_run(db, estimate)
    src = load_run(db, run_id[:6])
    assert src.kind == "run" and set(src.run.series) == {"GPU 0 <A100>", "CPU package 0"}
    assert [p[0] for p in src.run.phases] == ["load <data>", "train"]
    html = html_report(src.fp, lang="en", **src.kwargs())
    assert_self_contained(html)
    assert "<script>alert" not in html and "GPU 0 &lt;A100&gt;" in html
    assert "h-run" in html and html.count("<svg") == 4
    md = markdown_report(src.fp, lang="fr", **src.kwargs())
    assert "load &lt;data&gt;" in md


def test_a_run_without_footprint_is_a_clear_error(tmp_path, make_run, load_run):
    db = str(tmp_path / "runs.db")
    run_id = make_run(db, None)
    with pytest.raises(InputError, match="no footprint"):
        load_run(db, run_id)


# -- the CLI -----------------------------------------------------------------------------------

def test_cli_case_writes_the_default_file_in_the_current_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["report", "--case", "bloom-training"]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path == tmp_path / "aiceberg-report-bloom-training.html"
    assert_self_contained(path.read_text(encoding="utf-8"))


def test_cli_estimate_round_trip_all_formats(tmp_path, capsys):
    assert main(["estimate", "training", "--hardware", "a100", "--count", "8", "--hours", "24", "--location", "FR",
                 "--json"]) == 0
    est = tmp_path / "est.json"
    est.write_text(capsys.readouterr().out, encoding="utf-8")
    out = {k: tmp_path / f"r.{k}" for k in ("html", "md", "json")}
    assert main(["report", "--estimate", str(est), "--lang", "fr", "--html", str(out["html"]),
                 "--markdown", str(out["md"]), "--json", str(out["json"])]) == 0
    assert '<html lang="fr">' in out["html"].read_text(encoding="utf-8")
    assert "## En bref" in out["md"].read_text(encoding="utf-8")
    assert json.loads(out["json"].read_text(encoding="utf-8"))["report"]["lang"] == "fr"


def test_cli_run_report(tmp_path, estimate, capsys, monkeypatch, make_run):
    db = str(tmp_path / "runs.db")
    run_id = make_run(db, estimate)
    monkeypatch.chdir(tmp_path)
    assert main(["report", run_id[:8], "--db", db]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path.name == "aiceberg-report-script-alert-1-script.html"  # the name, made safe for a file


@pytest.mark.parametrize("argv,match", [
    (["report", "--case", "bloom-trainin"], "did you mean"),
    (["report", "--estimate", "/no/such/file.json"], "no such file"),
    (["report"], "exactly one"),
    (["report", "--case", "bloom-training", "--estimate", "x.json"], "exactly one"),
    (["report", "--case", "bloom-training", "--lang", "de"], "unknown language"),
    (["report", "deadbeef"], ""),
])
def test_cli_bad_input_is_one_line_and_exit_2(argv, match, capsys, tmp_path):
    if argv == ["report", "deadbeef"]:
        argv = [*argv, "--db", str(tmp_path / "empty.db")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("aiceberg: error:") and err.count("\n") == 1 and match in err


def test_cli_bad_json_file(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["report", "--estimate", str(bad)]) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_errors_are_aiceberg_errors(case_report):
    with pytest.raises(AicebergError):
        case_report("nope", "en")
