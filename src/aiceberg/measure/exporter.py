"""Prometheus metrics of a node or of a run: the sampler's latest values, in the exposition format.

``aiceberg exporter`` serves a node's ``/metrics`` from its own sampler over the discovered sensors;
``aiceberg run --metrics-port N`` serves the run's. Both go through :class:`SamplerCollector`, which
follows Kepler's and the OpenTelemetry hardware metrics' conventions: base units (joules, watts,
grams), counters ending in ``_total``, one series per counted channel labelled ``component`` (the
domain: ``cpu``, ``dram``, ``gpu``, ``psys``…), ``device``, ``sensor``, ``status`` (``measured`` or
``modelled``), ``node``, ``job_id`` and ``rank``.

A scrape never reads a sensor: it copies the sampler's state under its lock (microseconds) and
renders it, so a slow sensor delays the next sample, never the scrape. A failed read is a gap: the
energy counter does not advance (it never goes down, never jumps to 0), the power gauge of that
channel is absent until a read works again, ``aiceberg_sensor_up`` is 0 and
``aiceberg_read_errors_total`` counts it.

The official ``prometheus_client`` (extra ``[prometheus]``) is imported only when metrics are served.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiceberg.errors import InputError, MissingExtraError
from aiceberg.i18n import Msg
from aiceberg.measure.clock import SYSTEM_CLOCK, Clock
from aiceberg.measure.discovery import Discovery, discover
from aiceberg.measure.gpu import GpuSensor
from aiceberg.measure.job_context import JobContext, job_context
from aiceberg.measure.sampler import Sampler
from aiceberg.model import factors as F
from aiceberg.units import J_PER_KWH

if TYPE_CHECKING:
    from aiceberg.config import Settings
    from aiceberg.measure.base import Sensor

__all__ = [
    "LABELS",
    "Co2eBasis",
    "MetricsServer",
    "NodeExporter",
    "SamplerCollector",
    "co2e_basis",
    "serve_sampler",
]

#: The labels of every per-channel series, in this order.
LABELS = ("component", "device", "sensor", "status", "node", "job_id", "rank")

HELP_ENERGY = ("Electricity at the device since the exporter (or the run) started, in joules: a RAPL or GPU "
               "counter (status measured) or aiceberg's model (status modelled). Channels contained in another "
               "(a RAPL core in its package) are left out, so the series add up without counting a joule twice. "
               "A failed read does not advance the counter (see aiceberg_sensor_up).")
HELP_POWER = ("Mean power of the device over the last sampling interval, in watts; absent while the device's "
              "latest read failed.")
HELP_CO2E = ("Operational emissions of that electricity, in grams CO2e: aiceberg_energy_joules_total × the "
             "facility's PUE ({pue}) × the location-based grid intensity of {zone} ({intensity} gCO2e/kWh), "
             "central values. Boundary: the devices aiceberg measures or models on this node, with the data "
             "centre's overhead; manufacturing, network, idle devices aiceberg does not see and users' devices "
             "are not in it (aiceberg report gives the whole footprint with ranges).")
HELP_UP = "1 when the device's latest read worked, 0 when it failed (a gap: its energy counter does not advance)."
HELP_ERRORS = "Reads of the device that failed since the exporter (or the run) started: each one a gap, never 0 J."
HELP_SAMPLES = "Sampling ticks of the exporter's sampler (every sensor read once per tick)."
HELP_PUE = "Power usage effectiveness applied to aiceberg_co2e_grams_total (central value)."
HELP_INTENSITY = ("Location-based grid carbon intensity applied to aiceberg_co2e_grams_total, in grams CO2e per "
                  "joule (central value).")


def _client() -> Any:
    try:
        import prometheus_client
        import prometheus_client.core
    except ImportError as exc:
        raise MissingExtraError("Prometheus metrics", "prometheus", ["prometheus_client"]) from exc
    return prometheus_client


@dataclass(frozen=True)
class Co2eBasis:
    """What turns joules into grams CO2e for ``aiceberg_co2e_grams_total``: the grid zone and its
    intensity (gCO2e/kWh), the PUE (central values), and the engine's warnings (no location given)."""

    zone: str
    intensity_g_per_kwh: float
    pue: float
    warnings: tuple[Msg | str, ...] = ()

    @property
    def g_per_j(self) -> float:
        """Grams CO2e per joule at the device: intensity × PUE."""
        return self.intensity_g_per_kwh * self.pue / J_PER_KWH


def co2e_basis(location: str | None, pue: float | str | None) -> Co2eBasis:
    """The zone's intensity and the PUE from the engine (``location`` None: the world average, with the
    engine's warning; ``pue`` None: the documented default)."""
    intensity, warnings = F.grid_intensity(location)
    factor = F.pue(pue)
    zone = intensity.id.split(":", 1)[1] if ":" in intensity.id else intensity.id
    return Co2eBasis(zone, intensity.value.central, factor.value.central, tuple(warnings))


def _device(channel_id: str) -> str:
    """``rapl:package-0:dram`` → ``package-0:dram``; ``nvml:gpu-3`` → ``gpu-3``."""
    return channel_id.split(":", 1)[1] if ":" in channel_id else channel_id


def _number(x: float) -> str:
    return f"{x:.4g}"


class SamplerCollector:
    """A ``prometheus_client`` collector over a running :class:`~aiceberg.measure.sampler.Sampler`.

    Args:
        sampler: the sampler whose channels are exposed (its thread keeps them fresh).
        basis: the CO2e factors (:func:`co2e_basis`).
        job: the job, rank and node labels (default :func:`~aiceberg.measure.job_context.job_context`).
    """

    def __init__(self, sampler: Sampler, basis: Co2eBasis, job: JobContext | None = None) -> None:
        core = _client().core
        self._counter = core.CounterMetricFamily
        self._gauge = core.GaugeMetricFamily
        self.sampler = sampler
        self.basis = basis
        self.job = job or job_context()
        self._help_co2e = HELP_CO2E.format(pue=_number(basis.pue), zone=basis.zone,
                                           intensity=_number(basis.intensity_g_per_kwh))

    def describe(self) -> list[Any]:
        """Nothing to check at registration (the series depend on the sensors)."""
        return []

    def collect(self) -> Iterator[Any]:
        s = self.sampler
        with s.lock:  # a copy of the latest state: no sensor is read on the scrape path
            rows = [(st.channel.id, st.channel.domain, st.sensor, st.method, st.last_j, st.power_w, st.ok, st.gaps)
                     for st in s.used_channels()]
            ticks = s.samples_taken
        job = self.job
        tail = (job.node, job.job_id or "", "" if job.rank is None else str(job.rank))
        energy = self._counter("aiceberg_energy_joules", HELP_ENERGY, labels=LABELS, unit="joules")
        co2e = self._counter("aiceberg_co2e_grams", self._help_co2e, labels=LABELS, unit="grams")
        power = self._gauge("aiceberg_power_watts", HELP_POWER, labels=LABELS, unit="watts")
        up = self._gauge("aiceberg_sensor_up", HELP_UP, labels=LABELS)
        errors = self._counter("aiceberg_read_errors", HELP_ERRORS, labels=LABELS)
        g_per_j = self.basis.g_per_j
        for cid, domain, sensor, method, last_j, power_w, ok, gaps in rows:
            labels = [domain, _device(cid), sensor, method, *tail]
            if last_j is not None:
                energy.add_metric(labels, last_j)
                co2e.add_metric(labels, last_j * g_per_j)
            if ok and power_w is not None:
                power.add_metric(labels, power_w)
            up.add_metric(labels, 1.0 if ok else 0.0)
            errors.add_metric(labels, float(gaps))
        yield energy
        yield co2e
        yield power
        yield up
        yield errors
        node = ["node", "job_id", "rank"]
        samples = self._counter("aiceberg_samples", HELP_SAMPLES, labels=node)
        samples.add_metric(list(tail), float(ticks))
        yield samples
        pue = self._gauge("aiceberg_pue_ratio", HELP_PUE, labels=node, unit="ratio")
        pue.add_metric(list(tail), self.basis.pue)
        yield pue
        intensity = self._gauge("aiceberg_grid_intensity_grams_per_joule", HELP_INTENSITY, labels=[*node, "zone"])
        intensity.add_metric([*tail, self.basis.zone], self.basis.intensity_g_per_kwh / J_PER_KWH)
        yield intensity


class MetricsServer:
    """``/metrics`` over HTTP in a daemon thread (``prometheus_client``'s server); ``close()`` stops it.

    The server listens as soon as it is made (a port in use fails here, before anything is measured);
    :meth:`attach` adds the collector once its sampler exists. By default the exporter's own CPU time and
    memory are exposed too (``process_*``, Prometheus's process collector). ``field`` names the port in
    errors (``port``, ``metrics_port``).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, process: bool = True, field: str = "port") -> None:
        client = _client()
        self.registry = client.CollectorRegistry(auto_describe=False)
        if process:
            client.ProcessCollector(registry=self.registry)
        try:
            self._server, self._thread = client.start_http_server(port, addr=host, registry=self.registry)
        except OSError as exc:
            raise InputError(field, Msg("prometheus.exporter.cannot_listen", address=f"{host}:{port}",
                                         reason=exc.strerror or str(exc))) from None
        self.host = host
        self.port = int(self._server.server_port)

    def attach(self, collector: SamplerCollector) -> None:
        """Serve ``collector``'s series from now on."""
        self.registry.register(collector)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/metrics"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def serve_sampler(sampler: Sampler, *, host: str = "127.0.0.1", port: int = 0, location: str | None = None,
                  pue: float | str | None = None, job: JobContext | None = None) -> MetricsServer:
    """Serve ``sampler``'s metrics on ``host:port`` (0: a free port, see ``.port``) until ``close()``."""
    collector = SamplerCollector(sampler, co2e_basis(location, pue), job)
    server = MetricsServer(host, port)
    server.attach(collector)
    return server


class NodeExporter:
    """The node's own sampler over the discovered (or given) sensors, and its ``/metrics`` server.

    Args:
        settings: location, PUE, interval, powercap root, GPUs and CPU hints (``aiceberg.config``).
        sensors: the sensors to read (default: discovery, closed with the exporter; given ones are left
            open).
        host, port: where to listen (port 0: a free one).
        clock: the sampler's clock (the system's by default).
        job: the labels (default :func:`~aiceberg.measure.job_context.job_context`).
    """

    def __init__(self, settings: Settings, *, sensors: Sequence[Sensor] | None = None, host: str = "127.0.0.1",
                 port: int = 0, clock: Clock | None = None, job: JobContext | None = None,
                 labels: dict[str, str] | None = None) -> None:
        self.settings = settings
        self.basis = co2e_basis(settings.location, settings.pue)  # a bad zone fails before anything opens
        self.discovery: Discovery | None = None
        self.sampler: Sampler | None = None
        self.server: MetricsServer | None = MetricsServer(host, port)  # a port in use fails here
        try:
            if sensors is None:
                self.discovery = discover(
                    powercap_root=settings.powercap_root, gpus=settings.gpus, cpu_tdp_w=settings.cpu_tdp_w,
                    cpu_model=settings.cpu_model, labels=labels, interval_s=settings.interval_s,
                )
                sensors = self.discovery.sensors
            self.sensors = list(sensors)
            for sensor in self.sensors:
                if isinstance(sensor, GpuSensor):
                    sensor.set_interval(settings.interval_s)
            sampler = self.sampler = Sampler(self.sensors, clock or SYSTEM_CLOCK)
            sampler.start_clock()
            sampler.sample()  # every counter's baseline: the counters start at 0 now
            self.server.attach(SamplerCollector(sampler, self.basis, job))
            sampler.start(settings.interval_s, float("inf"), _no_flush)
        except BaseException:
            self.close()
            raise

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    def serve_until(self, stop: threading.Event) -> None:
        """Block until ``stop`` is set (a signal handler sets it), then close everything."""
        try:
            stop.wait()
        finally:
            self.close()

    def close(self) -> None:
        if self.sampler is not None and self.sampler.started:
            self.sampler.stop()
        if self.server is not None:
            self.server.close()
            self.server = None
        if self.discovery is not None:  # sensors given by the caller stay the caller's to close
            self.discovery.close()


def _no_flush(now: float) -> None:
    """The exporter keeps no history: nothing to write."""

