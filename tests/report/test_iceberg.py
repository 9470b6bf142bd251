"""The iceberg: every band's polygon area is its share of the central GWP; labels escaped; ranges shown."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET

import pytest

from aiceberg.cases import list_cases
from aiceberg.explain.iceberg import family_of, iceberg_layout, iceberg_svg, polygon_area
from aiceberg.model.footprint import Footprint, Part, Status
from aiceberg.model.quantity import Q

SVG = "{http://www.w3.org/2000/svg}"


def _fp(*shares: tuple[str, float, bool]) -> Footprint:
    return Footprint(parts=tuple(
        Part(name, Q.exact(0), {"gwp": Q(v, v * 0.8, v * 1.3)}, Status.MODELLED, visible=vis)
        for name, v, vis in shares))


def _areas_from_svg(svg: str) -> dict[str, float]:
    root = ET.fromstring(svg)
    out = {}
    for poly in root.iter(f"{SVG}polygon"):
        if "data-part" not in poly.attrib:
            continue
        pts = [tuple(map(float, p.split(","))) for p in poly.attrib["points"].split()]
        out[poly.attrib["data-part"]] = polygon_area(pts)
    return out


def _check(fp: Footprint, tol: float = 0.01, **kw) -> None:
    areas = _areas_from_svg(iceberg_svg(fp, **kw))
    total_area = sum(areas.values())
    total = sum(p.co2e_kg.central for p in fp.parts)
    drawn = [p for p in fp.parts if p.co2e_kg.central > 0]
    assert set(areas) == {p.name for p in drawn}
    for p in drawn:
        share = p.co2e_kg.central / total
        assert areas[p.name] / total_area == pytest.approx(share, abs=tol * max(share, 0.01)), p.name


@pytest.mark.parametrize("case", [c.name for c in list_cases()])
def test_areas_match_shares_for_every_case(case):
    result = next(c for c in list_cases() if c.name == case).run()
    _check(result.complete)
    _check(result.reproduction, width=500, height=700)


def test_areas_match_shares_for_an_estimate(estimate):
    _check(estimate)
    _check(estimate, width=1200, height=400)


@pytest.mark.parametrize("shares", [
    (("gpu.dynamic", 90.0, True), ("cooling_overhead", 10.0, False)),       # a huge tip
    (("gpu.dynamic", 1.0, True), ("idle", 50.0, False), ("embodied.gpu", 49.0, False)),  # a tiny tip
    (("gpu.dynamic", 5.0, True), ("cpu.dynamic", 3.0, True), ("network", 0.2, False),
     ("devices.use", 30.0, False), ("embodied.devices", 40.0, False), ("embodied.server", 0.05, False)),
    (("idle", 3.0, False), ("embodied.server", 7.0, False)),                   # nothing visible
    (("gpu.dynamic", 3.0, True),),                                             # nothing submerged
])
def test_areas_match_shares_on_edge_shapes(shares):
    _check(_fp(*shares))


def test_zero_parts_are_not_drawn_and_empty_footprint_draws_a_message():
    fp = _fp(("gpu.dynamic", 2.0, True), ("network", 0.0, False))
    assert "network" not in _areas_from_svg(iceberg_svg(fp))
    svg = iceberg_svg(_fp(("gpu.dynamic", 0.0, True)))
    ET.fromstring(svg)
    assert "No emissions" in svg


def test_tip_is_above_the_waterline_and_bands_below():
    lay = iceberg_layout(_fp(("gpu.dynamic", 40.0, True), ("idle", 30.0, False), ("embodied.gpu", 30.0, False)))
    for b in lay.bands:
        ys = [y for _, y in b.points]
        if b.part.visible:
            assert max(ys) <= lay.waterline_y + 1e-6
        else:
            assert min(ys) >= lay.waterline_y - 1e-6
        assert all(0 <= x <= lay.width for x, _ in b.points)
        assert all(0 <= y <= lay.height for _, y in b.points)


def _label_lines(svg: str, part: str) -> list[str]:
    root = ET.fromstring(svg)
    g = next(g for g in root.iter(f"{SVG}g") if g.attrib.get("class") == "label" and g.attrib["data-part"] == part)
    return [tx.text or "" for tx in g.iter(f"{SVG}text")]


def _number(text: str, lang: str) -> float:
    thousands, decimal = ("\u202f", ",") if lang == "fr" else (",", ".")
    return float(text.replace(thousands, "").replace(decimal, "."))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_label_shows_the_published_figure_its_share_and_its_range_in_one_unit(bloom, lang):
    """BLOOM's GPU manufacturing is published as 3,640 kg (Luccioni et al. 2023, section 4.1): its label reads
    that figure in tonnes, the share its area draws, and the range in the same unit as the figure."""
    published_kg = next(p.value for p in bloom.case.published if p.metric == "embodied_gpu_co2e_kg")
    svg = iceberg_svg(bloom.complete, lang)
    name, value_share, range_line = _label_lines(svg, "embodied.gpu")
    assert name == ("Manufacturing of the GPUs" if lang == "en" else "Fabrication des GPU")
    sep = "\u202f" if lang == "fr" else " "
    m = re.fullmatch(rf"([\d.,\u202f]+) t CO2e · ([\d.,]+){sep}%", value_share)
    assert m, value_share
    assert _number(m.group(1), lang) * 1000 == pytest.approx(published_kg, rel=0.01)
    areas = _areas_from_svg(svg)
    assert _number(m.group(2), lang) / 100 == pytest.approx(areas["embodied.gpu"] / sum(areas.values()), abs=0.001)
    word = "range" if lang == "en" else "fourchette"
    r = re.fullmatch(rf"{word} ([\d.,\u202f]+) – ([\d.,\u202f]+) t CO2e", range_line)
    assert r, range_line  # low and high in the unit of the figure, the unit written once
    q = next(p for p in bloom.complete.parts if p.name == "embodied.gpu").co2e_kg
    assert _number(r.group(1), lang) * 1000 == pytest.approx(q.low, rel=0.01)
    assert _number(r.group(2), lang) * 1000 == pytest.approx(q.high, rel=0.01)
    # one <title> per band, for hover
    root = ET.fromstring(svg)
    bands = [p for p in root.iter(f"{SVG}polygon") if "data-part" in p.attrib]
    assert all(p.find(f"{SVG}title") is not None for p in bands)


def test_names_are_escaped():
    fp = _fp(("<script>alert(1)</script>", 2.0, True), ('x" onload="y', 1.0, False))
    svg = iceberg_svg(fp, title="<b>t</b>", id_prefix='a"b')
    assert "<script>" not in svg and "<b>" not in svg
    root = ET.fromstring(svg)  # still well-formed XML
    assert not re.search(r'onload="y', svg)
    assert any(e.attrib.get("data-part") == 'x" onload="y' for e in root.iter(f"{SVG}polygon"))


def test_families():
    assert family_of("embodied.gpu") == "embodied"
    assert family_of("cooling_overhead") == "overhead"
    assert family_of("gpu.dynamic") == "compute"
    assert family_of("devices.use") == "devices"
    assert family_of("something.new") == "other"


def test_svg_is_light(bloom):
    assert len(iceberg_svg(bloom.complete).encode()) < 20_000


# -- labels: never overlapping -----------------------------------------------------------------------
def _text_boxes(svg: str) -> tuple[float, list[tuple[float, float, str]]]:
    """The SVG's height and the vertical extent of every text block of the label column (labels, headings)."""
    root = ET.fromstring(svg)
    boxes = []
    for g in root.iter(f"{SVG}g"):
        if g.attrib.get("class") != "label":
            continue
        ys = [float(tx.attrib["y"]) for tx in g.iter(f"{SVG}text")]
        boxes.append((min(ys) - 13, max(ys) + 4, g.attrib["data-part"]))
    for tx in root.iter(f"{SVG}text"):
        if tx.attrib.get("class", "").startswith("split-"):
            y = float(tx.attrib["y"])
            boxes.append((y - 14, y + 4, tx.attrib["class"]))
    return float(root.attrib["height"]), sorted(boxes)


def _assert_no_overlap(svg: str) -> None:
    height, boxes = _text_boxes(svg)
    assert boxes
    for (_, bottom, a), (top, _, b) in itertools.pairwise(boxes):
        assert bottom <= top, f"{a} overlaps {b}"
    assert boxes[0][0] >= 0 and boxes[-1][1] <= height
    root = ET.fromstring(svg)
    labels = [g for g in root.iter(f"{SVG}g") if g.attrib.get("class") == "label"]
    leaders = [p for p in root.iter(f"{SVG}path") if p.attrib.get("class") == "leader"]
    assert len(leaders) == len(labels)


TINY = (("gpu.dynamic", 100.0, True), ("cooling_overhead", 0.3, False), ("idle", 0.2, False),
        ("network", 0.05, False), ("devices.use", 0.04, False), ("embodied.gpu", 0.3, False),
        ("embodied.cpu", 0.1, False), ("embodied.server", 0.2, False), ("embodied.devices", 0.1, False))


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("size", [{}, {"width": 900, "height": 540}, {"width": 500, "height": 300}])
def test_labels_of_many_tiny_parts_near_the_waterline_do_not_overlap(lang, size):
    svg = iceberg_svg(_fp(*TINY), lang, **size)
    _assert_no_overlap(svg)
    _check(_fp(*TINY), tol=0.02, **size)  # growing the canvas keeps the areas


def test_labels_of_many_tip_parts_do_not_overlap():
    fp = _fp(("gpu.dynamic", 1.0, True), ("cpu.dynamic", 0.5, True), ("tpu.dynamic", 0.5, True),
             ("memory", 0.2, True), ("embodied.gpu", 99.0, False))
    _assert_no_overlap(iceberg_svg(fp))
    _check(fp)


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("case", [c.name for c in list_cases()])
def test_labels_of_every_case_do_not_overlap(case, lang):
    result = next(c for c in list_cases() if c.name == case).run()
    _assert_no_overlap(iceberg_svg(result.complete, lang))
    _assert_no_overlap(iceberg_svg(result.complete, lang, width=900, height=540))
    _assert_no_overlap(iceberg_svg(result.reproduction, lang))


def test_labels_can_be_given():
    fp = _fp(("gpu.dynamic", 2.0, True), ("embodied.devices", 1.0, False))
    svg = iceberg_svg(fp, labels={"embodied.devices": "Your <phone>"})
    assert "Your &lt;phone&gt;" in svg and "Manufacturing of the user" not in svg
