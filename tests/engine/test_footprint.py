"""The Footprint type: totals, the iceberg split, algebra and the JSON shape."""

import pytest

from aiceberg.model.footprint import Footprint, Part, Phase, Status
from aiceberg.model.quantity import Q


def part(name, kwh, kg, visible=False, phase=Phase.USE, status=Status.MODELLED):
    return Part(name, Q.exact(kwh), {"gwp": Q(kg, kg * 0.5, kg * 2)}, status, ("s1",), visible, phase)


FP = Footprint((part("gpu.dynamic", 10, 4, True), part("cooling_overhead", 2, 1),
                part("embodied.gpu", 0, 5, phase=Phase.MANUFACTURING, status=Status.PUBLISHED)), "t")


def test_totals_and_split():
    assert FP.energy_kwh.central == 12
    assert FP.co2e_kg.central == 10
    assert FP.visible.co2e_kg.central == 4
    assert FP.submerged.co2e_kg.central == 6
    assert FP.submerged_share() == pytest.approx(0.6)


def test_add_merges_same_named_parts():
    s = FP + FP
    assert s.names() == FP.names()
    assert s.co2e_kg.central == 20


def test_scaled_and_compare():
    assert FP.scaled(3).co2e_kg.central == 30
    assert FP.scaled(3).compare(FP) == pytest.approx(3)


def test_status_is_the_weakest():
    assert FP.status == Status.MODELLED


def test_other_criteria_can_be_carried_without_changing_the_type():
    p = Part("x", Q.exact(1), {"gwp": Q.exact(1), "water": Q.exact(3)}, Status.MODELLED)
    f = Footprint((p, p))
    assert f.impact("water").central == 6


def test_to_dict_has_the_contract_keys():
    d = FP.to_dict()
    for k in ("energy_kwh", "co2e_kg", "co2e_kg_low", "co2e_kg_high", "parts"):
        assert k in d
    for k in ("name", "energy_kwh", "co2e_kg", "co2e_kg_low", "co2e_kg_high", "status", "sources"):
        assert k in d["parts"][0]
