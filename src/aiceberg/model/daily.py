""""My AI day": a person's yearly footprint of everyday AI uses, and what each action changes.

A pure model (no I/O, no web): a day of chatbot prompts, generated images and hours of recommended
video, on a device kept for some years, over Wi-Fi or a mobile network, becomes a yearly ``Footprint``
whose parts are the services (the per-use figures of ``refdata/data/inference.csv``), the network
(``network.csv``), the device's electricity and the manufacturing of the devices (``devices.csv``).

The talk this project started from ("L'impact environnemental de l'IA dans notre vie quotidienne",
LIG 2023) ends with what each of us can do: fewer devices, keep them longer, Wi-Fi or wired rather than
4G/5G. :func:`my_ai_day` recomputes the year with each of these actions and reports the saving.

Every number that is not a sourced factor is a visible assumption (:data:`ASSUMPTIONS`), shown with the
result. Uses the talk names that have no published per-use figure (predictive text, content
moderation, the recommendation itself) are listed as such, never given an invented number.

The model holds no wording: labels are catalog messages (``daily.*`` in ``i18n/messages/labels.toml``),
and :mod:`aiceberg.explain.daily` lays a result out for people and for the JSON answer.
"""

from __future__ import annotations

import functools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from aiceberg import refdata
from aiceberg.errors import InputError
from aiceberg.i18n import Amount, Localised, Msg
from aiceberg.model import factors as F
from aiceberg.model.client import network_factor
from aiceberg.model.footprint import Factor, Footprint, Part, Phase, Status, Text
from aiceberg.model.inference import estimate_usage
from aiceberg.model.operational import electricity_part
from aiceberg.model.quantity import Q

__all__ = [
    "ASSUMPTIONS",
    "CHATBOT_FIGURES",
    "EVERYDAY_USES",
    "NETWORKS",
    "POPULATIONS",
    "DailyInputs",
    "DailyResult",
    "my_ai_day",
    "per_use_figure",
]

DAYS_PER_YEAR = 365
#: Where the services' servers draw their electricity: unknown for a member of the public, so the
#: world-average grid (a visible assumption).
SERVER_ZONE = "WORLD"
#: The chatbot figures of ``inference.csv``; "spread" takes their median with their min–max as range.
CHATBOT_FIGURES: tuple[str, ...] = ("chatgpt-gpt4o-query-epoch", "gemini-text-prompt-median",
                                    "chatgpt-request-devries")
IMAGE_FIGURE = "phd-image-generation"
VIDEO_FIGURE = "video-streaming-hour"
NETWORKS: tuple[str, ...] = ("wifi", "fixed", "4g", "5g", "mobile")
MOBILE = ("4g", "5g", "mobile")


@dataclass(frozen=True)
class Assumption:
    id: str
    value: Q
    unit: str

    @property
    def label(self) -> Msg:
        return Msg(f"daily.assumption.{self.id}")


#: Numbers with no published source here, stated so that the user sees and can question them.
ASSUMPTIONS: dict[str, Assumption] = {a.id: a for a in (
    Assumption("prompt_gb", Q(0.0001, 0.00002, 0.0005), "GB"),
    Assumption("image_gb", Q(0.002, 0.0005, 0.005), "GB"),
    Assumption("video_gb_per_h", Q(1.0, 0.3, 3.0), "GB/h"),
    Assumption("prompt_minutes", Q(1.0, 0.5, 2.0), "min"),
    Assumption("image_minutes", Q(0.5, 0.25, 1.0), "min"),
    Assumption("server_grid", Q.exact(1.0), ""),
    Assumption("devices_whole", Q.exact(1.0), ""),
)}

#: The parts of a day, by their stable dotted names. Their labels are the catalog's ``part.<name>``;
#: ``devices.use`` and ``embodied.devices`` are worded for one person (``daily.part.<name>``: "your
#: device") rather than a service's users.
PART_NAMES: tuple[str, ...] = ("ai.chatbot", "ai.images", "video.streaming", "network", "devices.use",
                               "embodied.devices")
PERSONAL_PARTS: tuple[str, ...] = ("devices.use", "embodied.devices")


@dataclass(frozen=True)
class EverydayUse:
    """A use the talk names: its per-use figure (an ``inference.csv`` id, ``"spread"``) or None: none published.

    Its name is the catalog's ``daily.use.<id>``, its note ``daily.use_note.<id>``.
    """

    id: str
    figure: str | None

    @property
    def label(self) -> Msg:
        return Msg(f"daily.use.{self.id}")

    @property
    def note(self) -> Msg:
        return Msg(f"daily.use_note.{self.id}")


#: The everyday uses the talk names, each with its per-use figure or an honest "no published figure".
EVERYDAY_USES: tuple[EverydayUse, ...] = (
    EverydayUse("chatbot", "spread"),
    EverydayUse("image", IMAGE_FIGURE),
    EverydayUse("video", VIDEO_FIGURE),
    EverydayUse("recommendation", None),
    EverydayUse("predictive-text", None),
    EverydayUse("moderation", None),
)


@dataclass(frozen=True)
class Population:
    """One of the talk's population scales (its wording: the catalog's ``daily.population.<id>``)."""

    id: str
    users: float
    source: str

    @property
    def label(self) -> Msg:
        return Msg(f"daily.population.{self.id}")


#: The talk's population scales.
POPULATIONS: dict[str, Population] = {
    "chatbot": Population("chatbot", 100e6, "seed-talk-lig-2023"),
    "video": Population("video", 1.6e9, "seed-talk-lig-2023"),
}
TALK_PROMPTS_PER_DAY = 10.0
#: What a day leaves out, as a catalog message.
LEFT_OUT = Msg("daily.left_out")


@dataclass(frozen=True)
class DailyInputs:
    """One person's day. Counts are per day; ``device_years`` is how long the device is kept."""

    prompts_per_day: float = 10.0
    images_per_day: float = 1.0
    video_hours_per_day: float = 1.0
    chatbot: str = "spread"
    device: str = "smartphone"
    device_years: float | None = None
    other_devices: tuple[str, ...] = ()
    network: str = "wifi"
    country: str = "FR"


@dataclass(frozen=True)
class Action:
    """One of the talk's actions, recomputed: what it saves a year, or why it does not apply.

    ``label`` and ``note`` are catalog messages (``daily.action.*``, ``daily.action_note.*``).
    """

    id: str
    label: Msg
    applicable: bool
    saved_co2e_kg: float = 0.0
    saved_pct: float = 0.0
    note: Msg | None = None


@dataclass(frozen=True)
class DailyResult:
    inputs: DailyInputs
    footprint: Footprint  # per year
    actions: tuple[Action, ...]
    uses: tuple[dict[str, Any], ...]
    population: tuple[dict[str, Any], ...]
    assumptions: tuple[Assumption, ...] = field(default=tuple(ASSUMPTIONS.values()))


# -- per-use figures ------------------------------------------------------------------------------
def _row_wh(row: refdata.InferenceFigure) -> Q:
    return Q.from_row(row, "wh_per_request")


def per_use_figure(figure: str, field_name: str = "chatbot") -> tuple[Q, tuple[str, ...], Status, Text]:
    """The electricity of one use (Wh) with its range, sources, status and a short name.

    ``"spread"`` is the median of the chatbot figures, with their lowest and highest as the range.
    """
    if figure == "spread":
        rows = [refdata.get_inference_figure(i) for i in CHATBOT_FIGURES]
        values = [r.wh_per_request for r in rows]
        lows = [_row_wh(r).low for r in rows]
        highs = [_row_wh(r).high for r in rows]
        q = Q(statistics.median(values), min(lows), max(highs))
        sources = tuple(dict.fromkeys(s for r in rows for s in r.source))
        return q, sources, Status.DERIVED, Msg("daily.figure.spread")
    row = refdata.get_inference_figure(figure, field_name)
    st = Status(row.status) if row.status in Status._value2member_map_ else Status.PUBLISHED
    return _row_wh(row), tuple(row.source), st, Localised(en=row.name_en or row.id, fr=row.name_fr)


def _device_name(row: refdata.Device) -> Localised:
    return Localised(en=(row.name_en or row.id).lower(), fr=(row.name_fr or "").lower())


def _check(inputs: DailyInputs) -> None:
    for name in ("prompts_per_day", "images_per_day", "video_hours_per_day"):
        v = getattr(inputs, name)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1e6 or v != v:
            raise InputError(name, f"{v!r} is not a number >= 0", "a number from 0 to 1,000,000")
    if inputs.video_hours_per_day > 24:
        raise InputError("video_hours_per_day", f"{inputs.video_hours_per_day!r} hours in a day", "0 to 24")
    if inputs.device_years is not None and (isinstance(inputs.device_years, bool)
                                            or not isinstance(inputs.device_years, (int, float))
                                            or not 0.1 <= inputs.device_years <= 50):
        raise InputError("device_years", f"{inputs.device_years!r} years", "a number of years from 0.1 to 50")
    if inputs.chatbot != "spread" and inputs.chatbot not in CHATBOT_FIGURES:
        raise InputError("chatbot", f"unknown chatbot figure {inputs.chatbot!r}",
                         ", ".join(("spread", *CHATBOT_FIGURES)))
    if inputs.network not in NETWORKS:
        raise InputError("network", f"unknown network {inputs.network!r}", ", ".join(NETWORKS))
    refdata.get_device(inputs.device, "device")
    for d in inputs.other_devices:
        refdata.get_device(d, "other_devices")


def _network_q(access: str) -> tuple[Q, Factor]:
    f = network_factor(access)
    return f.value, f


def _minus_floor0(a: Q, b: Q) -> Q:
    vals = sorted(max(0.0, x - y) for x, y in ((a.low, b.low), (a.central, b.central), (a.high, b.high)))
    c = max(0.0, a.central - b.central)
    return Q(c, min(vals[0], c), max(vals[-1], c))


def _year(inputs: DailyInputs) -> Footprint:
    """The yearly footprint for ``inputs`` (validated)."""
    server_grid, _ = F.grid_intensity(SERVER_ZONE)
    user_grid, _ = F.grid_intensity(inputs.country, field="country")
    parts: list[Part] = []
    factors: list[Factor] = [server_grid, user_grid]
    year = DAYS_PER_YEAR

    prompts = inputs.prompts_per_day * year
    images = inputs.images_per_day * year
    video_h = inputs.video_hours_per_day * year
    # (part, per-use figure, its field, uses a year, what is counted, figure's unit, grid, visible tip?)
    uses = (
        ("ai.chatbot", inputs.chatbot, "chatbot", prompts, "prompts", "Wh", server_grid, True),
        ("ai.images", IMAGE_FIGURE, "images_per_day", images, "images", "Wh", server_grid, True),
        ("video.streaming", VIDEO_FIGURE, "video_hours_per_day", video_h, "h", "Wh/h", user_grid, False),
    )
    for name, figure, field_name, count, what, per, grid, visible in uses:
        if not count:
            continue
        wh, src, st, fig_name = per_use_figure(figure, field_name)
        scope = Msg("detail.daily_video_scope", figure=fig_name) if name == "video.streaming" else fig_name
        parts.append(electricity_part(
            name, wh * (count / 1000.0), grid, status=st, sources=src, visible=visible,
            detail=Msg("detail.daily_use", count=round(count), what=Msg(f"detail.daily_what.{what}"),
                       per_use=Amount(wh.central, per), figure=scope)))

    # network: prompts and images in full; video's average network is in its whole-chain figure, so
    # only the extra of a mobile network over the fixed one is added.
    access_q, access_f = _network_q(inputs.network)
    fixed_q, _ = _network_q("fixed")
    factors.append(access_f)
    a = ASSUMPTIONS
    gb = a["prompt_gb"].value * prompts + a["image_gb"].value * images
    net_kwh = gb * access_q
    detail: Text = Msg("detail.daily_network", data=Amount(gb.central, "GB"), kwh_per_gb=access_q.central,
                       access=inputs.network)
    if video_h and inputs.network in MOBILE:
        extra = _minus_floor0(access_q, fixed_q)
        net_kwh = net_kwh + a["video_gb_per_h"].value * video_h * extra
        detail = Msg("detail.daily_network_video", base=detail, hours=round(video_h),
                     gb_per_h=a["video_gb_per_h"].value.central, extra=extra.central)
    if net_kwh.high > 0:
        parts.append(electricity_part("network", net_kwh, user_grid, status=Status.MODELLED,
                                      sources=access_f.sources, detail=detail))

    dev = refdata.get_device(inputs.device)
    use_h = (a["prompt_minutes"].value * prompts + a["image_minutes"].value * images) / 60.0
    if dev.use_power_w and use_h.high > 0:
        parts.append(electricity_part(
            "devices.use", use_h * (dev.use_power_w / 1000.0), user_grid, status=Status.MODELLED,
            sources=dev.source, detail=Msg("detail.daily_device_use", hours=use_h.central,
                                           power=Amount(dev.use_power_w, "W"), device=_device_name(dev))))
    emb = Q.zero()
    sources: tuple[str, ...] = ()
    details: list[Text] = []
    for i, d in enumerate((inputs.device, *inputs.other_devices)):
        row = refdata.get_device(d)
        e = Q.from_row(row, "embodied_kgco2e")
        if i == 0 and inputs.device_years is not None:
            life = Q.exact(float(inputs.device_years))
        else:
            life = Q.from_row(row, "lifetime_years")
        emb = emb + e / life
        sources += tuple(row.source)
        details.append(Msg("detail.daily_device_embodied", device=_device_name(row),
                           co2e=Amount(e.central, "kg CO2e"), years=life.central))
        factors.append(Factor(f"device:{row.id}:embodied", Msg("factor.device_embodied", device=_device_name(row)),
                              e, "kgCO2e", Status.PUBLISHED, tuple(row.source), row.year))
    parts.append(Part("embodied.devices", Q.zero(), {"gwp": emb}, Status.PUBLISHED,
                      tuple(dict.fromkeys(sources)), phase=Phase.MANUFACTURING,
                      detail=Msg("detail.daily_devices_whole", devices=functools.reduce(
                          lambda a, b: Msg("detail.and", first=a, second=b), details))))
    return Footprint(parts=tuple(parts), title=Msg("title.my_ai_day"), factors=tuple(factors),
                     meta={"kind": "my-ai-day", "country": inputs.country, "network": inputs.network,
                           "left_out": [LEFT_OUT]})


def _action(aid: str, label: Msg, base: Footprint, changed: DailyInputs | None, note: Msg | None = None) -> Action:
    if changed is None:
        return Action(aid, label, False, note=note)
    b = base.co2e_kg.central
    saved = b - _year(changed).co2e_kg.central
    return Action(aid, label, True, saved, saved / b * 100.0 if b else 0.0, note)


def _population(inputs: DailyInputs) -> tuple[dict[str, Any], ...]:
    out = []
    chat_wh, *_ = per_use_figure(inputs.chatbot)
    for pop, per_day, wh, days in (
        (POPULATIONS["chatbot"], TALK_PROMPTS_PER_DAY, chat_wh, DAYS_PER_YEAR),
        (POPULATIONS["video"], inputs.video_hours_per_day, per_use_figure(VIDEO_FIGURE)[0], DAYS_PER_YEAR),
    ):
        row = {"id": pop.id, "users": pop.users, "per_user_per_day": per_day, "label": pop.label,
               "sources": [pop.source], "wh_per_use": wh.central}
        if per_day <= 0:
            row |= {"co2e_kg": None, "co2e_kg_low": None, "co2e_kg_high": None, "energy_kwh": None}
        else:
            fp = estimate_usage(users=pop.users, requests_per_user_per_day=per_day, days=days,
                                wh_per_request=wh, pue=1, location=SERVER_ZONE, embodied=False)
            row |= {"co2e_kg": fp.co2e_kg.central, "co2e_kg_low": fp.co2e_kg.low,
                    "co2e_kg_high": fp.co2e_kg.high, "energy_kwh": fp.energy_kwh.central}
        out.append(row)
    return tuple(out)


def _uses() -> tuple[dict[str, Any], ...]:
    out = []
    for u in EVERYDAY_USES:
        row: dict[str, Any] = {"id": u.id, "label": u.label, "note": u.note, "figure": u.figure}
        if u.figure is None:
            row |= {"wh": None, "wh_low": None, "wh_high": None, "sources": [], "published": False}
        else:
            q, src, _, _ = per_use_figure(u.figure)
            row |= {"wh": q.central, "wh_low": q.low, "wh_high": q.high, "sources": list(src),
                    "published": True}
        out.append(row)
    return tuple(out)


def my_ai_day(inputs: DailyInputs | None = None, **kwargs: Any) -> DailyResult:
    """The yearly footprint of ``inputs`` (or of ``DailyInputs(**kwargs)``), actions and scales.

    Raises:
        InputError: a field out of range, an unknown device, network, country or chatbot figure.
    """
    if inputs is None:
        if "other_devices" in kwargs and not isinstance(kwargs["other_devices"], tuple):
            kwargs["other_devices"] = tuple(kwargs["other_devices"])
        inputs = DailyInputs(**kwargs)
    _check(inputs)
    base = _year(inputs)
    dev = refdata.get_device(inputs.device)
    years = inputs.device_years if inputs.device_years is not None else dev.lifetime_years
    device = Localised(en=dev.name_en.lower(), fr=(dev.name_fr or dev.id).lower())
    actions = [
        _action("keep-device-longer", Msg("daily.action.keep-device-longer", device=device, years=float(years),
                                          later=float(years) + 2),
                base, replace(inputs, device_years=float(years) + 2)),
    ]
    if inputs.network in MOBILE:
        actions.append(_action("wifi-not-mobile", Msg("daily.action.wifi-not-mobile", network=inputs.network.upper()),
                               base, replace(inputs, network="wifi")))
    else:
        actions.append(_action("wifi-not-mobile", Msg("daily.action.wifi-not-mobile-any"), base, None,
                               Msg("daily.action_note.already-wifi")))
    if inputs.other_devices:
        def yearly(d: str) -> float:
            r = refdata.get_device(d)
            return r.embodied_kgco2e / r.lifetime_years
        drop = max(range(len(inputs.other_devices)), key=lambda i: yearly(inputs.other_devices[i]))
        rest = inputs.other_devices[:drop] + inputs.other_devices[drop + 1:]
        r = refdata.get_device(inputs.other_devices[drop])
        other = Localised(en=r.name_en.lower(), fr=(r.name_fr or r.id).lower())
        actions.append(_action("one-device-fewer", Msg("daily.action.one-device-fewer-named", device=other),
                               base, replace(inputs, other_devices=rest)))
    else:
        actions.append(_action("one-device-fewer", Msg("daily.action.one-device-fewer"), base, None,
                               Msg("daily.action_note.no-other-device")))
    if inputs.video_hours_per_day > 0:
        actions.append(_action("half-video", Msg("daily.action.half-video"), base,
                               replace(inputs, video_hours_per_day=inputs.video_hours_per_day / 2)))
    return DailyResult(inputs=inputs, footprint=base, actions=tuple(actions), uses=_uses(),
                       population=_population(inputs))


def device_ids() -> Sequence[str]:
    return [r.id for r in refdata.load_table("devices")]
