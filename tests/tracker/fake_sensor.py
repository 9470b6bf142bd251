"""A tiny fake Sensor: a counter advancing at a known power, with optional failing reads."""

from __future__ import annotations

import time

from aiceberg.measure.base import Channel, EnergyReading


class CounterSensor:
    """Cumulative joules = ``power_w`` × seconds since opened, on one channel.

    ``fail_every``: every n-th read reports the channel in ``errors`` (a gap), never 0 J.
    """

    def __init__(
        self,
        name: str = "fake-rapl",
        power_w: float = 50.0,
        domain: str = "cpu",
        method: str = "measured",
        fail_every: int = 0,
        channel_id: str | None = None,
        clock=time.monotonic,
    ) -> None:
        self.name = name
        self.method = method
        self.power_w = power_w
        self.fail_every = fail_every
        self.clock = clock
        self.t_open = clock()
        self.reads = 0
        self.closed = False
        self._channel = Channel(channel_id or f"{name}:0", domain, f"{name} {domain}")  # type: ignore[arg-type]

    def channels(self) -> list[Channel]:
        return [self._channel]

    def read(self) -> EnergyReading:
        self.reads += 1
        t = self.clock()
        if self.fail_every and self.reads % self.fail_every == 0:
            return EnergyReading(t, {}, errors={self._channel.id: "EIO"})
        return EnergyReading(t, {self._channel.id: self.power_w * (t - self.t_open)})

    def close(self) -> None:
        self.closed = True
