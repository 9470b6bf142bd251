"""The hardware table's own rules: cloud CPUs resolve from what a VM reports, derived figures say so."""

import pytest

from aiceberg import refdata

HARDWARE = refdata.load_table("hardware")


@pytest.mark.parametrize(("reported", "expected"), [
    # /proc/cpuinfo model names of the big clouds' common instance types
    ("Intel(R) Xeon(R) Platinum 8175M CPU @ 2.50GHz", "aws-xeon-platinum-8175m"),
    ("Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz", "aws-xeon-platinum-8259cl"),
    ("Intel(R) Xeon(R) Platinum 8275CL CPU @ 3.00GHz", "aws-xeon-platinum-8275cl"),
    ("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", "aws-xeon-platinum-8375c"),
    ("Intel(R) Xeon(R) Platinum 8488C", "aws-xeon-platinum-8488c"),
    ("AMD EPYC 7R13 Processor", "aws-epyc-7r13"),
    ("AMD EPYC 7R32", "aws-epyc-7r32"),
    ("AMD EPYC 9R14", "aws-epyc-9r14"),
    ("AMD EPYC 7B12", "gcp-epyc-7b12"),
    ("AMD EPYC 7B13", "gcp-epyc-7b13"),
    ("AMD EPYC 9B14", "gcp-epyc-9b14"),
    ("Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz", "gcp-xeon-platinum-8481c"),
    ("AMD EPYC 7V12 64-Core Processor", "azure-epyc-7v12"),
    ("AMD EPYC 7V13 64-Core Processor", "azure-epyc-7v13"),
    ("AMD EPYC 9V84 96-Core Processor", "azure-epyc-9v84"),
    ("Intel(R) Xeon(R) Platinum 8272CL CPU @ 2.60GHz", "azure-xeon-platinum-8272cl"),
    ("Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz", "azure-xeon-platinum-8370c"),
    ("graviton2", "aws-graviton2"),
])
def test_cloud_cpu_names_resolve_to_a_row_with_a_tdp_and_threads(reported, expected):
    hw = refdata.find_hardware(reported)
    assert hw is not None and hw.id == expected
    assert hw.kind == "cpu" and hw.tdp_w and hw.threads


def test_every_tdp_says_how_it_was_obtained_and_derived_ones_explain_themselves():
    for hw in HARDWARE:
        if hw.tdp_w is None:
            continue
        assert hw.tdp_status in {"published", "derived", "default"}, hw.id
        assert (hw.tdp_status == "default") == hw.id.startswith("default-"), hw.id
        if hw.tdp_status == "derived":
            # the reasoning names the published part the figure was taken from
            assert "closest published part" in hw.note, hw.id


def test_an_idle_power_is_a_sourced_measurement_below_the_tdp():
    rows = [hw for hw in HARDWARE if hw.idle_w is not None]
    for hw in rows:
        assert hw.idle_status == "measured", hw.id
        assert hw.idle_source, hw.id
        if hw.tdp_w:
            assert hw.idle_w < hw.tdp_w, hw.id


def _row(hid):
    return refdata.get_hardware(hid)


def test_gpus_of_similar_die_and_memory_get_similar_embodied_figures():
    # one method for every GPU: an A100 80GB (826 mm², 80 GB HBM2e) and an H100 80GB (814 mm², 80 GB HBM3)
    # differ by their boards, not by a factor of two as when their figures came from different sources
    a100, h100 = _row("nvidia-a100-sxm4-80gb"), _row("nvidia-h100-sxm5-80gb")
    assert a100.embodied_kgco2e == pytest.approx(h100.embodied_kgco2e, rel=0.05)
    assert a100.embodied_status == h100.embodied_status == "modelled"


def test_the_h100_range_keeps_nvidias_product_carbon_footprint():
    # NVIDIA's HGX H100 PCF summary: 1,312 kgCO2e cradle-to-gate for the 8-GPU baseboard
    h100 = _row("h100")
    assert h100.embodied_kgco2e_low == pytest.approx(1312 / 8, abs=0.5)
    # EcoLogits 0.11.3's constant (273 kg) lies inside the kept spread
    assert h100.embodied_kgco2e_low < 273 < h100.embodied_kgco2e


@pytest.mark.parametrize("hid", ["amd-mi250x", "amd-mi300x", "google-tpu-v6e"])
def test_amd_instinct_and_tpu_v6e_have_their_own_embodied_figure(hid):
    hw = _row(hid)
    assert hw.embodied_kgco2e and hw.embodied_status in {"modelled", "published"}
    assert hw.embodied_source


def test_every_accelerator_has_an_embodied_figure_or_says_why_not():
    for hw in HARDWARE:
        if hw.kind not in ("gpu", "tpu") or hw.id.startswith("default-"):
            continue
        if hw.embodied_kgco2e is None:
            assert "no embodied figure" in hw.note.lower(), hw.id
        else:
            assert hw.embodied_status in {"modelled", "published"}, hw.id
            if hw.embodied_status == "modelled":
                assert "boavizta-api-2.5" in hw.embodied_source, hw.id
