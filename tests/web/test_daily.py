"""The "My AI day" model, without the web stack."""

from __future__ import annotations

import pytest

from aiceberg.errors import InputError
from aiceberg.explain.daily import daily_dict
from aiceberg.model.daily import ASSUMPTIONS, EVERYDAY_USES, my_ai_day, per_use_figure


def _saved(result, aid):
    return next(a for a in result.actions if a.id == aid)


def test_default_day_has_every_part_and_a_range():
    r = my_ai_day()
    names = set(r.footprint.names())
    assert {"ai.chatbot", "ai.images", "video.streaming", "network", "embodied.devices"} <= names
    q = r.footprint.co2e_kg
    assert 0 < q.low < q.central < q.high
    # the phone's manufacturing (84 kgCO2e over 2.5 years) is in the year
    assert r.footprint.part("embodied.devices").co2e_kg.central == pytest.approx(84 / 2.5)


def test_chatbot_spread_is_the_median_of_the_published_figures():
    q, sources, _, _ = per_use_figure("spread")
    assert (q.low, q.central, q.high) == (0.24, 0.3, 2.9)
    assert len(sources) >= 3


def test_prompts_scale_the_chatbot_part_linearly():
    a = my_ai_day(prompts_per_day=10).footprint.part("ai.chatbot").co2e_kg.central
    b = my_ai_day(prompts_per_day=20).footprint.part("ai.chatbot").co2e_kg.central
    assert b == pytest.approx(2 * a)


def test_keeping_the_phone_longer_saves_its_manufacturing_share():
    r = my_ai_day(device_years=2.5)
    a = _saved(r, "keep-device-longer")
    assert a.applicable
    assert a.saved_co2e_kg == pytest.approx(84 / 2.5 - 84 / 4.5)
    assert 0 < a.saved_pct < 100


def test_wifi_rather_than_4g_saves_network_energy_only_on_mobile():
    mobile = _saved(my_ai_day(network="4g"), "wifi-not-mobile")
    assert mobile.applicable and mobile.saved_co2e_kg > 0
    assert not _saved(my_ai_day(network="wifi"), "wifi-not-mobile").applicable


def test_one_device_fewer_drops_the_heaviest_yearly_device():
    r = my_ai_day(other_devices=("tablet", "tv"))
    a = _saved(r, "one-device-fewer")
    assert a.saved_co2e_kg == pytest.approx(360 / 8)  # the TV: 360 kgCO2e over 8 years
    assert not _saved(my_ai_day(), "one-device-fewer").applicable


def test_uses_without_published_figure_say_so():
    r = my_ai_day()
    by_id = {u["id"]: u for u in r.uses}
    for uid in ("predictive-text", "moderation", "recommendation"):
        assert by_id[uid]["wh"] is None and not by_id[uid]["published"]
    assert by_id["image"]["wh"] == pytest.approx(2.907)
    assert {u.id for u in EVERYDAY_USES} >= {"chatbot", "image", "video", "predictive-text", "moderation"}


def test_population_scale_is_per_use_times_users():
    r = my_ai_day(chatbot="chatgpt-gpt4o-query-epoch", video_hours_per_day=1)
    chat = next(p for p in r.population if p["id"] == "chatbot")
    assert chat["users"] == 100e6
    # 100 M × 10 prompts × 365 days × 0.3 Wh, on the world grid (480 g/kWh)
    assert chat["energy_kwh"] == pytest.approx(100e6 * 10 * 365 * 0.3 / 1000)
    assert chat["co2e_kg"] == pytest.approx(chat["energy_kwh"] * 0.480, rel=1e-6)
    video = next(p for p in r.population if p["id"] == "video")
    assert video["users"] == 1.6e9
    assert my_ai_day(video_hours_per_day=0).population[1]["co2e_kg"] is None


def test_to_dict_is_translated_and_lists_assumptions():
    d = daily_dict(my_ai_day(), "fr")
    labels = {p["name"]: p["label"] for p in d["parts"]}
    assert labels["embodied.devices"] == "Fabrication de vos appareils"
    assert len(d["assumptions"]) == len(ASSUMPTIONS)
    assert d["per_day_co2e_kg"] == pytest.approx(d["co2e_kg"] / 365)


@pytest.mark.parametrize("kwargs,field", [
    ({"prompts_per_day": -1}, "prompts_per_day"),
    ({"video_hours_per_day": 25}, "video_hours_per_day"),
    ({"device": "toaster"}, "device"),
    ({"other_devices": ("toaster",)}, "other_devices"),
    ({"network": "pigeon"}, "network"),
    ({"country": "Atlantis"}, "country"),
    ({"chatbot": "eliza"}, "chatbot"),
    ({"device_years": 0}, "device_years"),
])
def test_bad_input_names_the_field(kwargs, field):
    with pytest.raises(InputError) as ei:
        my_ai_day(**kwargs)
    assert ei.value.field == field
