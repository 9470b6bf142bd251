"""The reference data: every row sourced, dated and in its unit; lookups forgiving but exact."""

import dataclasses
import shutil

import pytest

from aiceberg import refdata
from aiceberg.errors import ReferenceDataError, UnknownNameError
from aiceberg.refdata.schema import TABLES


@pytest.mark.parametrize("table", list(TABLES))
def test_every_table_loads_and_every_row_has_a_year_and_resolvable_sources(table):
    rows = refdata.load_table(table)
    assert rows, table
    known = {s.id for s in refdata.load_table("sources")}
    for row in rows:
        assert 1900 <= row.year <= 2100
        if table != "sources":
            assert row.source, row.id
            assert set(row.source) <= known


@pytest.mark.parametrize("table", [t for t in TABLES if t != "sources"])
def test_every_numeric_column_declares_its_unit(table):
    for f in dataclasses.fields(TABLES[table]):
        if f.type in ("float", "float | None") and f.name not in ("value", "value_low", "value_high"):
            assert f.metadata.get("unit"), f"{table}.{f.name} has no unit"


def test_coverage_of_the_issue():
    hw = refdata.load_table("hardware")
    assert len(hw) >= 40
    zones = refdata.load_table("zones")
    assert sum(z.kind == "country" for z in zones) >= 100
    providers = {z.provider for z in zones if z.kind == "cloud"}
    assert {"aws", "gcp", "azure", "ovhcloud", "scaleway"} <= providers
    assert refdata.get_pue("unknown").pue >= 1
    assert {"fixed", "wifi", "4g", "5g", "core"} <= {r.id for r in refdata.load_table("network")}
    assert {"smartphone", "laptop", "desktop", "tv"} <= {r.id for r in refdata.load_table("devices")}


@pytest.mark.parametrize(("name", "expected"), [
    ("a100", "nvidia-a100-sxm4-80gb"),
    ("A100-SXM4-80GB", "nvidia-a100-sxm4-80gb"),
    ("NVIDIA A100 80GB PCIe", "nvidia-a100-pcie-80gb"),
    ("nvidia a100-sxm4-40gb", "nvidia-a100-sxm4-40gb"),
    ("Tesla V100-SXM2-16GB", "nvidia-v100-sxm2-16gb"),
])
def test_hardware_names_resolve_case_insensitively_with_aliases(name, expected):
    assert refdata.get_hardware(name).id == expected


@pytest.mark.parametrize(("name", "expected"), [
    ("fr", "FR"), ("France", "FR"), ("FRA", "FR"), ("aws:us-east-1", "aws:us-east-1"),
])
def test_zones_resolve(name, expected):
    assert refdata.get_zone(name).id == expected


def test_the_talks_figures_are_in_the_data():
    assert refdata.get_equivalent("paris_new_york_round_trip").value == 399
    assert refdata.get_per_capita("FR").kwh_per_person_year == 6940
    assert refdata.get_equivalent("football_pitch_m2").value == 7140


def test_unknown_names_suggest_the_closest():
    with pytest.raises(UnknownNameError) as err:
        refdata.get_zone("Frnace")
    assert "FR" in err.value.suggestions
    assert "did you mean" in str(err.value)
    with pytest.raises(UnknownNameError) as err:
        refdata.get_hardware("h1000")
    assert any("h100" in s for s in err.value.suggestions)


def _copy_data(tmp_path):
    dst = tmp_path / "data"
    shutil.copytree(refdata.data_dir(), dst)
    return dst


def _rewrite(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_row_without_a_source_is_refused(tmp_path):
    data = _copy_data(tmp_path)
    pue = data / "pue.csv"
    _rewrite(pue, ",2022,luccioni-2023-bloom,", ",2022,,")
    refdata.set_data_dir(data)
    try:
        with pytest.raises(ReferenceDataError, match="no source"):
            refdata.load_table("pue")
    finally:
        refdata.set_data_dir(None)


@pytest.mark.parametrize(("edit", "match"), [
    ((",2022,luccioni-2023-bloom,", ",2022,nobody-1999,"), "unknown source id"),
    ((",2022,luccioni-2023-bloom,", ",,luccioni-2023-bloom,"), "year"),
    (("1.2,,,2022", "abc,,,2022"), "not a number"),
    (("1.2,,,2022", "1.2,1.5,,2022"), "low"),
])
def test_schema_violations_name_the_file_and_row(tmp_path, edit, match):
    data = _copy_data(tmp_path)
    _rewrite(data / "pue.csv", *edit)
    refdata.set_data_dir(data)
    try:
        with pytest.raises(ReferenceDataError, match=match) as err:
            refdata.load_table("pue")
        assert "pue.csv" in str(err.value)
    finally:
        refdata.set_data_dir(None)


def test_a_task_name_finds_the_first_published_figure_for_it():
    assert refdata.get_inference_figure("text-generation").id == "phd-text-generation"
    assert refdata.get_inference_figure("phd-text-generation").id == "phd-text-generation"
