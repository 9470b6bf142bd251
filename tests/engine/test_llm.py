"""The LLM inference model against EcoLogits 0.11.3, with and without a measured latency or throughput.

The reference values below were computed with EcoLogits 0.11.3 (``pip install ecologits==0.11.3``) by

    from ecologits.impacts.llm import compute_llm_impacts_dag
    compute_llm_impacts_dag(model_active_parameter_count=A, model_total_parameter_count=P,
        output_token_count=T, request_latency=LATENCY (math.inf when none), tps=TPS, ttft=TTFT,
        if_electricity_mix_gwp=0.5, if_electricity_mix_adpe=0, if_electricity_mix_pe=0,
        if_electricity_mix_wue=0, datacenter_pue=1.0, datacenter_wue=0)

and reading ``request_energy`` (kWh, the request's IT electricity at PUE 1) and ``generation_latency`` (s).
They hold without EcoLogits installed; where it is installed, ``test_against_ecologits_itself`` also runs
the package on the same inputs, and on the manufacturing share.
"""

import math

import pytest

from aiceberg import refdata
from aiceberg.errors import InputError
from aiceberg.model.inference import estimate_inference
from aiceberg.model.training import hardware_embodied

# (active B, total B, output tokens, latency s, tokens/s, ttft s) → (request_energy kWh, generation_latency s)
ECOLOGITS_0_11_3 = [
    ((70, 70, 400, None, None, None), (0.00021917633094450153, 34.77316809390155)),
    ((70, 70, 400, 5.0, None, None), (0.00014164203903329955, 5.0)),      # the latency caps the model
    ((70, 70, 400, 100.0, None, None), (0.00021917633094450153, 34.77316809390155)),  # longer: no cap
    ((8, 47, 250, 2.5, None, None), (2.5797504615297004e-05, 2.5)),       # mixture of experts, capped
    ((405, 405, 1000, 12.0, None, None), (0.0044632704917131494, 12.0)),  # 16 GPUs
    ((70, 70, 400, None, 50.0, None), (0.00014945453903329956, 8.0)),     # measured throughput
    ((70, 70, 400, None, 50.0, 0.8), (0.00015153787236663288, 8.8)),      # with a time to first token
    ((70, 70, 400, 5.0, None, 0.8), (0.00014164203903329955, 5.0)),
]


def _ours(active, total, tokens, latency, tps, ttft, **kw):
    return estimate_inference(parameters_b=total, active_parameters_b=None if active == total else active,
                              output_tokens=tokens, latency_s=latency, tokens_per_s=tps, ttft_s=ttft, pue=1.0,
                              intensity_g_per_kwh=500, **kw)


def _it_kwh(fp):
    return fp.part("gpu.dynamic").energy_kwh.central + fp.part("host").energy_kwh.central


@pytest.mark.parametrize(("inputs", "expected"), ECOLOGITS_0_11_3)
def test_request_energy_matches_ecologits_to_1e6(inputs, expected):
    fp = _ours(*inputs)
    assert _it_kwh(fp) == pytest.approx(expected[0], rel=1e-6)
    assert fp.co2e_kg.central == pytest.approx(expected[0] * 0.5 + _embodied_kg(fp), rel=1e-6)


def _embodied_kg(fp):
    return sum(p.co2e_kg.central for p in fp.parts if p.name.startswith("embodied"))


def test_a_measured_latency_shortens_the_servers_share_not_the_gpus_energy():
    free = _ours(70, 70, 400, None, None, None)
    capped = _ours(70, 70, 400, 5.0, None, None)
    assert capped.part("gpu.dynamic").energy_kwh == free.part("gpu.dynamic").energy_kwh
    assert capped.part("host").energy_kwh.central == pytest.approx(
        free.part("host").energy_kwh.central * 5.0 / 34.77316809390155, rel=1e-9)
    assert _embodied_kg(capped) == pytest.approx(_embodied_kg(free) * 5.0 / 34.77316809390155, rel=1e-9)
    assert "measured latency" in str(capped.part("host").detail)


def test_a_range_of_parameters_gives_the_model_at_each_end():
    # issue 7: 20:40:100 B gave 0.0622–0.1205 Wh (the central GPU count at both ends); EcoLogits 0.11.3 with
    # RangeValue(min=20, max=100), 300 tokens, PUE 1.2 gives request_energy min 3.111394938462072e-05 kWh,
    # max 0.0002409404380369924 kWh
    fp = estimate_inference(parameters_b=(20, 40, 100), output_tokens=300, pue=1.2, intensity_g_per_kwh=384.4)
    assert fp.energy_kwh.low == pytest.approx(3.111394938462072e-05, rel=1e-6)
    assert fp.energy_kwh.high == pytest.approx(0.0002409404380369924, rel=1e-6)
    for p in (20, 100):
        one = estimate_inference(parameters_b=p, output_tokens=300, pue=1.2, intensity_g_per_kwh=384.4)
        assert one.energy_kwh.central in (pytest.approx(fp.energy_kwh.low), pytest.approx(fp.energy_kwh.high))


def test_server_model_and_lifetime_are_options_of_the_llm_model():
    base = _ours(70, 70, 400, None, None, None)
    short = _ours(70, 70, 400, None, None, None, lifetime_years=3)
    other = _ours(70, 70, 400, None, None, None, server="boavizta-gpu-server-medium")
    srv = lambda f: f.part("embodied.server").co2e_kg.central  # noqa: E731
    default_life = next(f for f in base.factors if f.unit == "year").value.central
    assert srv(short) == pytest.approx(srv(base) * default_life / 3, rel=1e-9)
    ratio = refdata.get_hardware("boavizta-gpu-server-medium").embodied_kgco2e / \
        refdata.get_hardware("default-server").embodied_kgco2e
    assert srv(other) == pytest.approx(srv(base) * ratio, rel=1e-9)


@pytest.mark.parametrize(("kw", "field"), [
    ({"latency_s": 1.0, "tokens_per_s": 10.0}, "tokens_per_s"),
    ({"latency_s": 0}, "latency_s"),
    ({"active_parameters_b": 80}, "active_parameters_b"),
    ({"active_parameters_b": (10, 20, 80)}, "active_parameters_b"),
    ({"embodied": False, "server": "default-server"}, "server"),
    ({"boundary": "it"}, "boundary"),
])
def test_bad_llm_options_name_the_field(kw, field):
    with pytest.raises(InputError) as err:
        estimate_inference(parameters_b=(30, 70, 70), output_tokens=400, intensity_g_per_kwh=100, **kw)
    assert err.value.field == field


@pytest.mark.parametrize("option", ["latency_s", "tokens_per_s", "ttft_s", "output_tokens", "server",
                                    "active_parameters_b", "hardware", "lifetime_years"])
def test_llm_options_without_the_llm_model_are_refused(option):
    value = "default-server" if option == "server" else "h100" if option == "hardware" else 3
    with pytest.raises(InputError, match="not used") as err:
        estimate_inference(wh_per_request=1, intensity_g_per_kwh=100, **{option: value})
    assert err.value.field == option


@pytest.mark.parametrize(("inputs", "expected"), ECOLOGITS_0_11_3)
def test_against_ecologits_itself(inputs, expected):
    llm = pytest.importorskip("ecologits.impacts.llm", reason="EcoLogits is not installed: the stored values "
                              "above hold its figures (pip install ecologits==0.11.3 to run it too)")
    active, total, tokens, latency, tps, ttft = inputs
    hw = refdata.get_hardware("nvidia-h100-sxm5-80gb")
    gpu_kg = hardware_embodied(hw)[0].central
    server_kg = hardware_embodied(refdata.get_hardware("default-server"))[0].central
    fp = _ours(*inputs, lifetime_years=3)
    r = llm.compute_llm_impacts_dag(
        model_active_parameter_count=active, model_total_parameter_count=total, output_token_count=tokens,
        request_latency=math.inf if latency is None else latency, tps=tps, ttft=ttft,
        if_electricity_mix_gwp=0.5, if_electricity_mix_adpe=0, if_electricity_mix_pe=0, if_electricity_mix_wue=0,
        datacenter_pue=1.0, datacenter_wue=0, gpu_embodied_gwp=gpu_kg, server_embodied_gwp=server_kg,
        server_lifetime=3 * 8760 * 3600)
    assert _it_kwh(fp) == pytest.approx(r["request_energy"], rel=1e-6)
    assert r["request_energy"] == pytest.approx(expected[0], rel=1e-12)
    assert r["generation_latency"] == pytest.approx(expected[1], rel=1e-12)
    assert _embodied_kg(fp) == pytest.approx(r["request_embodied_gwp"], rel=1e-6)
