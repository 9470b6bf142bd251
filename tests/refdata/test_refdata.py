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
    ("fr", "FR"), ("France", "FR"), ("FRA", "FR"), ("aws:us-east-1", "aws:us-east-1"), ("UK", "GB"),
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


@pytest.mark.parametrize(("table", "typo", "expected"), [
    ("zones", "Frnace", "FR"), ("zones", "Germny", "DE"), ("zones", "Untied States", "US"), ("zones", "Itly", "IT"),
    ("zones", "Swizerland", "CH"), ("zones", "aws:us-est-1", "aws:us-east-1"), ("hardware", "h1OO", None),
    ("hardware", "a100x", "nvidia-a100-sxm4-80gb"), ("devices", "smartfone", "smartphone"),
    ("pue", "hyperscal", "hyperscale"), ("hardware", "xeon", None),
])
def test_typos_suggest_the_names_meant(table, typo, expected):
    got = refdata.suggest(table, typo)
    assert got, typo
    if expected is not None:
        assert got[0] == expected or expected in got[:2], got


@pytest.mark.parametrize(("table", "name"), [
    ("zones", "Atlantis"), ("zones", "Mordor"), ("zones", "Narnia"), ("devices", "toaster"), ("network", "6g"),
    ("hardware", "banana"),
])
def test_names_that_only_share_letters_get_no_suggestion(table, name):
    assert refdata.suggest(table, name) == []


def test_a_suggestion_shows_the_name_beside_the_code_in_the_readers_language():
    with pytest.raises(UnknownNameError) as err:
        refdata.get_zone("Grmany")
    assert err.value.suggestions == ["DE"]
    assert "'DE' (Germany)" in str(err.value)
    assert "'DE' (Allemagne)" in err.value.render("fr")


def test_caches_follow_the_data_folder(tmp_path):
    from aiceberg.cases import get_case, list_cases
    from aiceberg.model.defaults import factor_value

    before = (factor_value("memory_power_w_per_gb"), get_case("bloom-training").title_en,
              refdata.get_zone("FR").intensity_g_per_kwh)
    data = _copy_data(tmp_path)
    _rewrite(data / "factors.csv", "memory_power_w_per_gb,0.3725,", "memory_power_w_per_gb,0.5,")
    _rewrite(data / "cases" / "bloom-training.toml", 'title_en = "', 'title_en = "Changed: ')
    (data / "cases" / "gpt3-training.toml").unlink()
    generation = refdata.data_generation()
    refdata.set_data_dir(data)
    try:
        assert refdata.data_generation() != generation
        assert factor_value("memory_power_w_per_gb") == 0.5
        assert get_case("bloom-training").title_en.startswith("Changed: ")
        assert "gpt3-training" not in {c.name for c in list_cases()}
    finally:
        refdata.set_data_dir(None)
    after = (factor_value("memory_power_w_per_gb"), get_case("bloom-training").title_en,
             refdata.get_zone("FR").intensity_g_per_kwh)
    assert after == before


def test_a_cache_can_register_to_follow_the_data():
    calls = []
    refdata.on_data_change(lambda: calls.append(1))
    refdata.clear_cache()
    assert calls == [1]


def test_a_hardware_name_that_describes_the_row_is_said_in_french_too():
    # the tour's French warning read « Generic CPU server (BoaviztAPI default archetype) »
    from aiceberg.i18n import Localised, keys, t
    from aiceberg.refdata import get_hardware, hardware_name

    described = [k.split(".", 1)[1] for k in keys() if k.startswith("hardware.")]
    assert "default-cpu" in described and "boavizta-cpu-server-medium" in described
    for rid in described:
        row = get_hardware(rid)
        assert t(f"hardware.{rid}", "en") == row.name  # the catalog's English is the data's name
        name = hardware_name(row)
        assert isinstance(name, Localised) and name.render("fr") != row.name
    assert hardware_name(get_hardware("a100")) == "NVIDIA A100 SXM4 80GB"  # a product name stays as it is
    assert "Serveur CPU générique" in hardware_name(get_hardware("boavizta-cpu-server-medium")).render("fr")


def test_a_measured_run_on_an_unknown_machine_warns_in_french():
    from aiceberg.model.measured import measured_footprint

    fp = measured_footprint({"cpu": 0.001}, duration_s=60.0, location="FR", pue=None, host={"hostname": "vm"})
    fr = " ".join(w.render("fr") for w in fp.warnings)
    assert "type de machine inconnu" in fr and "Serveur CPU générique" in fr and "Generic" not in fr
