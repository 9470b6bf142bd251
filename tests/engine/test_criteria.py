"""More than carbon: primary energy, abiotic depletion and water, against EcoLogits 0.11.3, and honest gaps.

The reference values were computed with EcoLogits 0.11.3 (``pip install ecologits==0.11.3``) on the same
factors as aiceberg's data (the zone's mix of ``electricity_mixes.csv``, its intensity of ``zones.csv``, the
H100's and the default server's embodied figures — BoaviztAPI's bottom-up GPU model for all three criteria,
EcoLogits' own server without GPUs for PE and ADPe —, a 3-year life):

    compute_llm_impacts_dag(model_active_parameter_count=A, model_total_parameter_count=P,
        output_token_count=T, request_latency=LATENCY (math.inf when none),
        if_electricity_mix_gwp=zone intensity / 1000, if_electricity_mix_pe=mix.pe_mj_per_kwh,
        if_electricity_mix_adpe=mix.adpe_kgsbeq_per_kwh, if_electricity_mix_wue=mix.water_l_per_kwh,
        datacenter_pue=PUE, datacenter_wue=WUE, gpu_embodied_gwp=575.1, gpu_embodied_adpe=0.005832,
        gpu_embodied_pe=7912.1, server_embodied_gwp=2500, server_embodied_adpe=0.37, server_embodied_pe=70000,
        server_lifetime=3 * 8760 * 3600)

reading ``request_energy`` (kWh), usage + embodied ``gwp`` (kg), ``pe`` (MJ), ``adpe`` (kgSbeq) and the usage
water ``request_usage_wcf`` (L; EcoLogits models no embodied water, aiceberg says it is not assessed).
``test_against_ecologits_itself`` runs the package too where it is installed.
"""

import math

import pytest

from aiceberg import refdata
from aiceberg.errors import InputError
from aiceberg.model.footprint import CRITERIA, Footprint, Part, Phase, Status
from aiceberg.model.footprint_json import footprint_from_dict
from aiceberg.model.inference import estimate_inference
from aiceberg.model.quantity import Q
from aiceberg.model.training import estimate_training

# (active B, total B, tokens, latency s, location, PUE, WUE given, WUE value) →
# (energy kWh, GWP kg, PE MJ, ADPe kgSbeq, usage water L)
ECOLOGITS_0_11_3 = [
    ((70, 70, 400, None, "US", 1.2, 0.5, 0.5),
     (0.0002630115971334018, 0.00011757262003857217, 0.002930921210720769, 1.2223409073028462e-09,
      0.0009333667888537787)),
    ((8, 47, 250, 2.5, "FR", 1.09, "google", 0.999),
     (2.8119280030673735e-05, 2.307638311009121e-06, 0.0002756480740712184, 4.437409155353668e-11,
      0.0001290735061593678)),
    ((405, 405, 1000, None, "SE", 1.2, None, 0.38),  # the default on-site WUE (wue.csv 'unknown')
     (0.009133841732500798, 0.0011087715542751281, 0.05703855004751357, 4.395640436479839e-08,
      0.057983149624870486)),
]


def _ours(active, total, tokens, latency, location, pue, wue, _wue_value):
    return estimate_inference(parameters_b=total, active_parameters_b=None if active == total else active,
                              output_tokens=tokens, latency_s=latency, location=location, pue=pue, wue=wue,
                              lifetime_years=3)


def _usage_water(fp):
    return sum(p.impacts["water"].central for p in fp.parts if "water" in p.impacts)


@pytest.mark.parametrize(("inputs", "expected"), ECOLOGITS_0_11_3)
def test_llm_criteria_match_ecologits_to_1e6(inputs, expected):
    fp = _ours(*inputs)
    energy, gwp, pe, adpe, water = expected
    assert fp.energy_kwh.central == pytest.approx(energy, rel=1e-6)
    assert fp.co2e_kg.central == pytest.approx(gwp, rel=1e-6)
    assert fp.impact("pe").central == pytest.approx(pe, rel=1e-6)
    assert fp.impact("adpe").central == pytest.approx(adpe, rel=1e-6)
    assert _usage_water(fp) == pytest.approx(water, rel=1e-6)
    # EcoLogits has no embodied water: aiceberg says so instead of counting 0
    assert set(fp.not_assessed_by("water")) == {"embodied.gpu", "embodied.server"}
    assert fp.to_dict()["impacts"]["water"]["complete"] is False
    assert not fp.not_assessed_by("pe") and not fp.not_assessed_by("adpe")


@pytest.mark.parametrize(("inputs", "expected"), ECOLOGITS_0_11_3)
def test_against_ecologits_itself(inputs, expected):
    llm = pytest.importorskip("ecologits.impacts.llm", reason="EcoLogits is not installed: the stored values "
                              "above hold its figures (pip install ecologits==0.11.3 to run it too)")
    active, total, tokens, latency, location, pue, _wue, wue_value = inputs
    mix = refdata.find("electricity_mixes", location)
    r = llm.compute_llm_impacts_dag(
        model_active_parameter_count=active, model_total_parameter_count=total, output_token_count=tokens,
        request_latency=math.inf if latency is None else latency,
        if_electricity_mix_gwp=refdata.get_zone(location).intensity_g_per_kwh / 1000,
        if_electricity_mix_adpe=mix.adpe_kgsbeq_per_kwh, if_electricity_mix_pe=mix.pe_mj_per_kwh,
        if_electricity_mix_wue=mix.water_l_per_kwh, datacenter_pue=pue, datacenter_wue=wue_value,
        gpu_embodied_gwp=575.1, gpu_embodied_adpe=0.005832, gpu_embodied_pe=7912.1, server_embodied_gwp=2500,
        server_embodied_adpe=0.37, server_embodied_pe=70000, server_lifetime=3 * 8760 * 3600)
    fp = _ours(*inputs)
    assert fp.impact("pe").central == pytest.approx(r["request_usage_pe"] + r["request_embodied_pe"], rel=1e-6)
    assert fp.impact("adpe").central == pytest.approx(r["request_usage_adpe"] + r["request_embodied_adpe"], rel=1e-6)
    assert _usage_water(fp) == pytest.approx(r["request_usage_wcf"], rel=1e-6)
    assert r["request_usage_wcf"] == pytest.approx(expected[4], rel=1e-12)


def test_the_embodied_figures_the_references_assume_are_the_data():
    h100 = refdata.find("embodied_impacts", "hardware:nvidia-h100-sxm5-80gb")
    server = refdata.find("embodied_impacts", "hardware:default-server")
    assert (h100.pe_mj, h100.adpe_kgsbeq, server.pe_mj, server.adpe_kgsbeq) == (7912.1, 0.005832, 70000, 0.37)
    # EcoLogits' own per-GPU figures are the other end of the H100's range, as its GWP is
    assert (h100.pe_mj_low, h100.adpe_kgsbeq_high) == (3721, 0.00895)
    assert refdata.get_hardware("h100").embodied_kgco2e == 575.1
    assert refdata.get_hardware("default-server").embodied_kgco2e == 2500


def test_an_intensity_given_as_a_number_leaves_the_other_criteria_not_assessed():
    fp = estimate_training("a100", count=8, hours=24, intensity_g_per_kwh=57, pue=1.2)
    compute = fp.part("gpu.dynamic")
    assert set(compute.not_assessed) == {"pe", "adpe", "water"}
    d = fp.to_dict()
    for c in ("pe", "adpe", "water"):
        assert d["impacts"][c]["complete"] is False
        assert "gpu.dynamic" in d["impacts"][c]["not_assessed"]
    assert d["impacts"]["gwp"]["complete"] is True
    assert d["parts"][0]["not_assessed"] == ["pe", "adpe", "water"]


def test_a_location_gives_every_electricity_part_the_mix_of_its_zone():
    fp = estimate_training("h100", count=8, hours=24, location="FR", pue=1.2)
    mix = refdata.find("electricity_mixes", "FR")
    compute = fp.part("gpu.dynamic")
    assert compute.impacts["pe"].central == pytest.approx(compute.energy_kwh.central * mix.pe_mj_per_kwh)
    assert compute.impacts["water"].high == pytest.approx(compute.energy_kwh.high * mix.water_l_per_kwh)
    # the overhead part carries the on-site water: the default WUE × the IT electricity
    it = sum(p.energy_kwh.central for p in fp.parts if p.name in ("gpu.dynamic",))
    over = fp.part("cooling_overhead")
    assert over.impacts["water"].central == pytest.approx(over.energy_kwh.central * mix.water_l_per_kwh + it * 0.38)
    # the H100 and the default server publish PE and ADPe: the embodied parts assess them, not water
    assert fp.part("embodied.gpu").not_assessed == ("water",)
    assert fp.part("embodied.gpu").impacts["pe"].central > 0
    assert any(f.id == "mix:pe:FR" for f in fp.factors) and any(f.id == "wue:unknown" for f in fp.factors)


def test_a_cloud_region_takes_the_mix_of_its_country():
    region = estimate_training("h100", hours=1, location="aws:eu-west-3", pue=1.2)
    country = estimate_training("h100", hours=1, location="FR", pue=1.2)
    assert region.part("gpu.dynamic").impacts["pe"] == country.part("gpu.dynamic").impacts["pe"]


def test_the_operator_of_the_pue_brings_its_wue_and_a_given_wue_wins():
    google = estimate_training("h100", hours=10, location="US", pue="google")
    assert any(f.id == "wue:google" for f in google.factors)
    given = estimate_training("h100", hours=10, location="US", pue="google", wue=0.2)
    assert any(f.id == "wue" and f.value.central == 0.2 for f in given.factors)
    assert given.impact("water").central < google.impact("water").central


def test_a_wue_without_a_zone_is_refused_not_ignored():
    with pytest.raises(InputError, match="not used") as err:
        estimate_training("h100", hours=10, intensity_g_per_kwh=300, wue=0.5)
    assert err.value.field == "wue"
    with pytest.raises(InputError) as err:
        estimate_training("h100", hours=10, location="FR", wue="googel")
    assert "google" in str(err.value)


def test_where_the_world_average_stands_in_the_footprint_says_so():
    mix = refdata.find("electricity_mixes", "AF")
    assert mix.pe_basis == "world"
    fp = estimate_training("h100", hours=1, location="AF")
    assert any(getattr(w, "key", "") == "engine.mix_world_default" for w in fp.warnings)
    assert any(f.id == "mix:pe:AF:world" and f.status == Status.DEFAULT for f in fp.factors)
    assert not any(getattr(w, "key", "") == "engine.mix_world_default"
                   for w in estimate_training("h100", hours=1, location="FR").warnings)


def test_a_device_without_a_primary_energy_figure_does_not_count_it_as_zero():
    fp = estimate_inference(wh_per_request=0.3, location="FR", device="smartphone", device_seconds=30)
    dev = fp.part("embodied.devices")
    assert dev.impacts["adpe"].central == pytest.approx(0.00205 * 30 / 3600 / (2.5 * 8760))
    assert "pe" in dev.not_assessed
    assert "embodied.devices" in fp.not_assessed_by("pe")


def test_merging_keeps_a_criterion_only_where_both_parts_assess_it():
    a = Part("x", Q.exact(1), {"gwp": Q.exact(1), "pe": Q.exact(2)}, Status.MODELLED)
    b = Part("x", Q.exact(1), {"gwp": Q.exact(3)}, Status.MODELLED, phase=Phase.USE)
    m = (Footprint((a,)) + Footprint((b,))).part("x")
    assert m.impacts["gwp"].central == 4 and "pe" in m.not_assessed


def test_the_json_brings_every_criterion_back():
    fp = estimate_inference(parameters_b=70, output_tokens=400, location="US", pue=1.2)
    back = footprint_from_dict(fp.to_dict())
    for c in CRITERIA:
        assert back.impact(c).as_tuple() == pytest.approx(fp.impact(c).as_tuple(), rel=1e-12)
        assert back.not_assessed_by(c) == fp.not_assessed_by(c)
    old = fp.to_dict()
    for p in old["parts"]:
        del p["impacts"]
    assert footprint_from_dict(old).not_assessed_by("pe") == tuple(p.name for p in fp.parts)
