"""The importer's parts without a server: times, steps and matchers as people type them, the exporters'
series read into channels, and points turned into samples (resets, gaps, missing time)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from promserver import free_port

from aiceberg.errors import InputError
from aiceberg.prometheus.api import PrometheusAPI, Series, parse_selector, parse_step, parse_time, parse_window
from aiceberg.prometheus.convert import GAP, convert
from aiceberg.prometheus.families import ImportedChannel, node_channels, node_of

NOW = 1_738_324_800.0  # 2025-01-31T12:00:00Z
AICEBERG = [sys.executable, "-m", "aiceberg"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-01-31T12:00:00Z", NOW),
        ("2025-01-31T13:30:00+01:00", NOW + 1800),
        ("2025-01-31t12:00:00.5z", NOW + 0.5),
        ("1738324800", NOW),
        ("1738324800.25", NOW + 0.25),
        ("now", NOW),
        ("-1h", NOW - 3600),
        ("-90s", NOW - 90),
        ("-1h30m", NOW - 5400),
        ("-2d", NOW - 172_800),
    ],
)
def test_times_in_every_accepted_form(text: str, expected: float) -> None:
    assert parse_time(text, "from", now=NOW) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["2025-01-31T12:00:00", "yesterday", "1h", "-1x", "", "31/01/2025", "-"])
def test_a_time_that_is_none_of_them_is_one_error_naming_the_field(text: str) -> None:
    with pytest.raises(InputError) as e:
        parse_time(text, "from", now=NOW)
    assert e.value.field == "from"
    assert "RFC 3339" in str(e.value) and "-1h" in str(e.value)


def test_the_window_must_end_after_it_starts() -> None:
    with pytest.raises(InputError) as e:
        parse_window("-1h", "-2h", "15s", now=NOW)
    assert e.value.field == "to"
    w = parse_window("-1h", "now", "1m", now=NOW)
    assert (w.start, w.end, w.step) == (NOW - 3600, NOW, 60.0)


@pytest.mark.parametrize(("text", "seconds"), [("15", 15.0), ("0.5", 0.5), ("0,5", 0.5), ("15s", 15.0), ("1m", 60.0),
                                                ("1m30s", 90.0), ("500ms", 0.5)])
def test_steps(text: str, seconds: float) -> None:
    assert parse_step(text) == seconds


@pytest.mark.parametrize("text", ["0", "0.01", "2d", "fast", "-15", ""])
def test_a_bad_step_names_the_field(text: str) -> None:
    with pytest.raises(InputError) as e:
        parse_step(text)
    assert e.value.field == "step"


@pytest.mark.parametrize(
    ("text", "inner"),
    [
        ('instance=~"gpu.*"', 'instance=~"gpu.*"'),
        ('{job="dcgm", Hostname!="a\\"b"}', 'job="dcgm",Hostname!="a\\"b"'),
        ("", ""),
        (None, ""),
    ],
)
def test_selectors(text: str | None, inner: str) -> None:
    assert parse_selector(text) == inner


@pytest.mark.parametrize("text", ['instance=gpu', 'job="a" job="b"', '{job="a"', "sum(x)", ',job="a"'])
def test_a_bad_selector_names_the_field(text: str) -> None:
    with pytest.raises(InputError) as e:
        parse_selector(text)
    assert e.value.field == "selector"


def test_a_url_must_be_http_and_its_password_is_never_shown() -> None:
    for bad in ("prometheus:9090", "ftp://x", "http://", "http://host:port"):
        with pytest.raises(InputError) as e:
            PrometheusAPI(bad)
        assert e.value.field == "url"
    api = PrometheusAPI("https://me:s3cret@prom.example:9443/prefix/")
    assert api.url == "https://prom.example:9443/prefix" and "s3cret" not in repr(api.__dict__.get("url"))


def series(name: str, points: dict[float, float], **labels: str) -> Series:
    return Series({"__name__": name, **labels}, points)


def test_nodes_come_from_the_exporters_labels() -> None:
    assert node_of({"Hostname": "gpu01", "instance": "10.0.0.5:9400"}) == "gpu01"
    assert node_of({"instance": "10.0.0.5:9400"}) == "10.0.0.5"
    assert node_of({"instance": "[fe80::1]:9100"}) == "fe80::1"
    assert node_of({"instance": "a:1", "rack": "r7"}, group_by="rack") == "r7"
    assert node_of({}) == "unknown"


def test_one_gpu_under_several_pods_is_one_device_and_nodes_stay_apart() -> None:
    found = [
        ("dcgm", series("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", {0.0: 1000.0, 1.0: 2000.0}, gpu="0", Hostname="a",
                        pod="p1")),
        ("dcgm", series("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", {2.0: 3000.0}, gpu="0", Hostname="a", pod="p2")),
        ("dcgm", series("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", {0.0: 5.0}, gpu="0", Hostname="b")),
    ]
    by_node, _ = node_channels(found)
    assert [c.id for c in by_node["a"]] == ["dcgm:gpu-0"] and [c.id for c in by_node["b"]] == ["dcgm:gpu-0"]
    assert by_node["a"][0].points == {0.0: 1.0, 1.0: 2.0, 2.0: 3.0}  # mJ → J, the two series merged


def test_old_kepler_names_with_modes_and_the_platform_that_contains_them() -> None:
    found = [("kepler", series(f"kepler_node_{z}_joules_total", {0.0: 1.0}, instance="n:9102", mode=m))
             for z in ("package", "dram", "platform", "other", "gpu") for m in ("dynamic", "idle")]
    found.append(("kepler", series("kepler_node_bogus_joules_total", {0.0: 1.0}, instance="n:9102")))
    by_node, warnings = node_channels(found)
    chans = {c.id: c for c in by_node["n"]}
    assert chans["kepler:platform:dynamic"].included_in is None and chans["kepler:platform:idle"].included_in is None
    for inside in ("kepler:package:dynamic", "kepler:dram:idle", "kepler:other:dynamic"):
        assert chans[inside].included_in == "kepler:platform:dynamic"
    assert chans["kepler:gpu:idle"].included_in is None  # no DCGM on this node: Kepler's GPU figure counts
    assert [w.params["metric"] for w in warnings] == ["kepler_node_bogus_joules_total"]


def test_a_kepler_zone_on_two_sockets_is_two_devices() -> None:
    found = [("kepler", series("kepler_node_cpu_joules_total", {0.0: float(i)}, zone="package", instance="n:1",
                               path=f"/sys/class/powercap/intel-rapl:{i}")) for i in (0, 1)]
    found.append(("kepler", series("kepler_node_cpu_joules_total", {0.0: 1.0}, zone="dram", instance="n:1",
                                   path="/sys/class/powercap/intel-rapl:0:1")))
    by_node, _ = node_channels(found)
    assert sorted(c.id for c in by_node["n"]) == ["kepler:dram", "kepler:package@intel-rapl:0",
                                                  "kepler:package@intel-rapl:1"]
    assert all(c.included_in is None for c in by_node["n"])


def test_dcgm_wins_over_keplers_gpu_and_the_counter_over_the_power_gauge() -> None:
    found = [
        ("dcgm", series("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", {0.0: 1.0}, gpu="0", Hostname="n")),
        ("dcgm", series("DCGM_FI_DEV_POWER_USAGE", {0.0: 250.0}, gpu="0", Hostname="n")),
        ("dcgm", series("DCGM_FI_DEV_POWER_USAGE", {0.0: 250.0}, gpu="1", Hostname="n")),
        ("kepler", series("kepler_node_gpu_joules_total", {0.0: 1.0}, instance="n:1")),
    ]
    by_node, warnings = node_channels(found)
    chans = {(c.id, c.kind): c for c in by_node["n"]}
    assert set(chans) == {("dcgm:gpu-0", "counter"), ("dcgm:gpu-1", "power"), ("kepler:gpu", "counter")}
    assert chans[("kepler:gpu", "counter")].included_in == "dcgm:gpu-0"
    assert [w.key for w in warnings] == ["prometheus.import.overlap"]


def channel(kind: str, points: dict[float, float]) -> ImportedChannel:
    return ImportedChannel("x:0", "dcgm", "m", "n", "gpu", kind, "x", points=points)


def test_a_counter_with_a_gap_and_a_reset() -> None:
    # grid 0..7 s: values 10, 12, (gap), 15, reset to 2, 4, (gap), 6 — the gap is covered, the reset counts from 0
    ch = channel("counter", {100.0: 10, 101.0: 12, 103.0: 15, 104.0: 2, 105.0: 4, 107.0: 6})
    out = convert(ch, first=0, last=7, start=100.0, step=1.0)
    assert out.energy_j == (12 - 10) + (15 - 12) + 2 + (4 - 2) + (6 - 4)
    assert (out.resets, out.gaps, out.reads, out.missing_s) == (1, 2, 6, 0.0)
    gaps = [r for r in out.rows if r.energy_j is None]
    assert [r.t_s for r in gaps] == [2.0, 6.0] and all(r.error == GAP for r in gaps)
    assert [r.energy_j for r in out.rows if r.energy_j is not None] == [0, 2, 5, 7, 9, 11]


def test_power_is_integrated_between_adjacent_points_only() -> None:
    # 100 W, 100 W, (gap, gap), 200 W, 200 W on a 10 s grid, the node's run one point longer on each side
    ch = channel("power", {10.0: 100, 20.0: 100, 50.0: 200, 60.0: 200})
    out = convert(ch, first=0, last=7, start=0.0, step=10.0)
    assert out.energy_j == 100 * 10 + 200 * 10
    assert out.missing_s == 10 + 30 + 10  # before the first point, the gap, after the last point
    assert out.gaps == 4 and out.reads == 4


def test_a_channel_without_any_value_has_no_energy() -> None:
    out = convert(channel("counter", {}), first=0, last=3, start=0.0, step=1.0)
    assert out.energy_j is None and out.gaps == 4 and out.missing_s == 3


class _NotPrometheus(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = b"<html>hello</html>" if self.path.endswith("query_range") else b""
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _cli(*args: str, env: dict[str, str], db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*AICEBERG, "import", "prometheus", "--db", str(db), *args], env=env, capture_output=True,
                          text=True, timeout=120)


def test_cli_errors_name_the_option_and_exit_2(tmp_path: Path, env: dict[str, str]) -> None:
    db = tmp_path / "runs.db"
    down = f"http://127.0.0.1:{free_port()}"
    cases = [
        (["--url", down, "--from", "yesterday", "--to", "now"], "--from"),
        (["--url", down, "--from", "-1h", "--to", "2025-01-01T00:00:00Z"], "--to"),
        (["--url", down, "--from", "-1h", "--to", "now", "--step", "2d"], "--step"),
        (["--url", down, "--from", "-1h", "--to", "now", "--selector", "x"], "--selector"),
        (["--url", "prometheus:9090", "--from", "-1h", "--to", "now"], "--url"),
        (["--url", down, "--from", "-1h", "--to", "now"], "--url"),
        (["--url", down, "--from", "-1h", "--to", "now", "--location", "Atlantis"], "--location"),
    ]
    for args, flag in cases:
        p = _cli(*args, env=env, db=db)
        assert p.returncode == 2, (args, p.stderr)
        assert p.stderr.startswith(f"aiceberg: error: {flag}:") and p.stderr.count("\n") == 1, p.stderr
    assert not db.exists() or json.loads(subprocess.run(
        [*AICEBERG, "runs", "list", "--json", "--db", str(db)], env=env, capture_output=True, text=True).stdout) == []


def test_a_server_that_is_not_prometheus_is_named(tmp_path: Path, env: dict[str, str]) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotPrometheus)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        p = _cli("--url", f"http://127.0.0.1:{server.server_address[1]}", "--from", "-1h", "--to", "now",
                 env=env, db=tmp_path / "runs.db")
    finally:
        server.shutdown()
        server.server_close()
    assert p.returncode == 2 and "--url" in p.stderr and "/api/v1/query_range" in p.stderr
