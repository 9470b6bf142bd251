"""The small charts: bars with whiskers, the log comparison with the cases, power over time with phases."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from aiceberg.explain.charts import (
    breakdown_svg,
    case_figures,
    comparison_entries,
    log_compare_svg,
    power_series,
    power_svg,
)
from aiceberg.store import ChannelRow, SampleRow


def test_breakdown_has_a_bar_per_part_and_whiskers_for_ranges(bloom):
    svg = breakdown_svg(bloom.complete, "en")
    root = ET.fromstring(svg)
    assert len([g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "bar"]) == 5
    assert svg.count('class="whisker"') == sum(not p.co2e_kg.is_exact for p in bloom.complete.parts)


def test_comparison_places_the_footprint_among_every_case(estimate):
    entries = comparison_entries(estimate, "en", name="<mine>")
    assert entries[0].highlight and entries[0].label == "<mine>"
    assert {e.key for e in entries} >= {"bloom-training", "gpt3-training", "stable-diffusion-v1", "this"}
    published = {n: p for n, *_, p in case_figures()}
    assert published["bloom-training"] == 50500.0
    svg = log_compare_svg(entries, "fr")
    ET.fromstring(svg)
    assert "&lt;mine&gt;" in svg and "<mine>" not in svg
    assert "1 t" in svg and "tel que publié" in svg


def test_a_case_is_highlighted_not_repeated(bloom):
    entries = comparison_entries(bloom.complete, "en", case_name="bloom-training")
    assert [e.key for e in entries].count("bloom-training") == 1
    assert "this" not in {e.key for e in entries}
    assert entries[0].key == "bloom-training"


def test_power_series_from_cumulative_energy_with_a_gap():
    samples = [SampleRow(0.0, "g", 0.0), SampleRow(1.0, "g", 100.0), SampleRow(2.0, "g", None, error="x"),
               SampleRow(3.0, "g", 400.0), SampleRow(0.5, "p", None, power_w=42.0)]
    series = power_series(samples, [ChannelRow("g", "nvml", "gpu", "GPU 0", "measured")])
    assert series["GPU 0"] == [(1.0, 100.0), (3.0, 150.0)]  # the gap is covered, never a zero
    assert series["p"] == [(0.5, 42.0)]


def test_power_chart_draws_each_device_and_phase():
    series = {"GPU <0>": [(float(t), 100.0 + t) for t in range(2000)], "CPU": [(float(t), 50.0) for t in range(2000)]}
    svg = power_svg(series, [("warm-up", 0.0, 300.0), ("train <x>", 300.0, None)], "en")
    root = ET.fromstring(svg)
    lines = [e for e in root.iter("{http://www.w3.org/2000/svg}polyline")]
    assert len(lines) == 2
    assert len(lines[0].get("points").split()) <= 400  # averaged down: light
    assert "time (min)" in svg and "train &lt;x&gt;" in svg
    assert len(svg) < 40_000


def test_the_comparison_follows_the_data_folder(tmp_path):
    """After refdata.set_data_dir, the case studies beside a footprint are the new folder's (no stale cache)."""
    import shutil

    from aiceberg import refdata
    from aiceberg.explain.charts import comparison_entries
    from aiceberg.model.training import estimate_training

    fp = estimate_training("a100", count=1, hours=1, location="FR")
    assert "gpt3-training" in {e.key for e in comparison_entries(fp)}
    copy = tmp_path / "data"
    shutil.copytree(refdata.data_dir(), copy)
    (copy / "cases" / "gpt3-training.toml").unlink()
    try:
        refdata.set_data_dir(copy)
        assert "gpt3-training" not in {e.key for e in comparison_entries(fp)}
    finally:
        refdata.set_data_dir(None)
    assert "gpt3-training" in {e.key for e in comparison_entries(fp)}
