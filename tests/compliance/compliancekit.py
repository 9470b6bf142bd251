"""Helpers of the compliance tests: measured runs shaped as the tracker writes them, and the official schemas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiceberg.model.measured import measured_footprint
from aiceberg.model.run_summary import ChannelReport, RunSummary, SensorReport

HOST = {"os": "Linux", "python_version": "3.11.7", "cpu_model": "AMD EPYC 7543 32-Core Processor", "cpu_count": 64,
        "ram_total_gb": 512.0, "gpu_count": 8, "gpu_models": ["NVIDIA A100-SXM4-80GB"] * 8, "hostname": "node-a"}


def run_summary(run_id: str = "0123456789abcdef0123456789abcdef", *, gpu_kwh: float = 40.0, cpu_kwh: float = 6.0,
                hours: float = 10.0, location: str | None = "FR", started: str = "2025-03-01T00:00:00Z",
                ended: str | None = None, host: dict[str, Any] | None = None, energy: bool = True) -> RunSummary:
    """A finished run's summary as the tracker builds it: NVML measured the GPUs, RAPL the CPUs."""
    host = dict(HOST if host is None else host)
    domains = {"gpu": gpu_kwh, "cpu": cpu_kwh} if energy else {}
    fp = measured_footprint(domains, duration_s=hours * 3600, location=location, pue=None, host=host,
                            statuses={"gpu": "measured", "cpu": "measured"}) if energy else None
    sensors = (
        SensorReport("nvml", "measured", gpu_kwh if energy else None, "",
                     (ChannelReport("gpu0", "gpu", "GPU 0", gpu_kwh, True, reads=3600),)),
        SensorReport("rapl", "measured", cpu_kwh if energy else None, "",
                     (ChannelReport("pkg0", "cpu", "package 0", cpu_kwh, True, reads=3600),)),
    )
    if ended is None:
        from datetime import datetime, timedelta

        ended = (datetime.fromisoformat(started.replace("Z", "+00:00")) + timedelta(hours=hours)).strftime(
            "%Y-%m-%dT%H:%M:%SZ")
    return RunSummary(run_id, "finished", started, ended, hours * 3600, name="train", exit_code=0,
                      energy_kwh=(gpu_kwh + cpu_kwh) if energy else None, co2e_kg=fp.co2e_kg if fp else None,
                      location=location, domains_kwh=domains, sensors=sensors, host=host, footprint=fp)


def _schema_dir() -> Path:
    import cyclonedx.schema  # the official CycloneDX schemas, as cyclonedx-python-lib ships them

    return Path(cyclonedx.schema.__file__).parent / "_res"


def cyclonedx_validator() -> Any:
    """A JSON-schema validator of the official CycloneDX 1.6 schema (with the SPDX licence ids and JSF
    schemas it refers to)."""
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource

    res = _schema_dir()
    schema = json.loads((res / "bom-1.6.SNAPSHOT.schema.json").read_text("utf-8"))
    registry: Registry = Registry()
    for name in ("spdx.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json"):
        registry = registry.with_resource(name, Resource.from_contents(json.loads((res / name).read_text("utf-8"))))
    return Draft7Validator(schema, registry=registry)


def spdx_validator() -> Any:
    """A JSON-schema validator of the SPDX 3.0.1 JSON schema, as lib4sbom ships it (lib4sbom/schemas/spdx/
    3.0-schema.json: the schema shacl2code generates from the SPDX 3.0.1 model, its @context that of 3.0.1)."""
    import lib4sbom
    from jsonschema import Draft202012Validator

    path = Path(lib4sbom.__file__).parent / "schemas" / "spdx" / "3.0-schema.json"
    schema = json.loads(path.read_text("utf-8"))
    assert schema["properties"]["@context"]["const"] == "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
    return Draft202012Validator(schema)


#: The job :func:`measured_job` stores: 2 nodes × 2 ranks, each rank owning one of its node's 2 A100s.
JOB_ID, JOB_NODES, JOB_RANKS_PER_NODE = "train-9", 2, 2
#: What each node drew (J): its package, and each of its GPUs (GPU g of node n: (g + 1) × 100 J × (n + 1)).
JOB_PACKAGE_J = 10.0


def job_gpu_j(node: int, gpu: int) -> float:
    return (gpu + 1) * 100.0 * (node + 1)


def measured_job(root: Path) -> str:
    """A finished job in a new store under ``root``: ``JOB_NODES`` nodes of ``JOB_RANKS_PER_NODE`` ranks
    (trackers in this process with torchrun's context, each node with a fake powercap tree and its own
    fake NVML), every rank owning one GPU and one rank per node elected for the node's sensors, as the
    ranks of a real job store them. Returns the store's path."""
    import os
    import sys

    from tests.fakes.powercap import server
    from tests.fakes.pynvml import FakeGpu, FakeNvml, uuid

    from aiceberg.config import Settings
    from aiceberg.measure.launcher import JobContext
    from aiceberg.store import open_store
    from aiceberg.tracking import Run

    db = root / "runs.db"
    saved = os.environ.get("AICEBERG_RUNTIME_DIR"), sys.modules.get("pynvml")
    os.environ["AICEBERG_RUNTIME_DIR"] = str(root / "runtime")
    store = open_store(db)
    runs, nodes = [], []
    try:
        for n in range(JOB_NODES):
            pc = server(root / f"powercap-{n}", sockets=1)
            gpus = [FakeGpu(uuid=uuid(10 * n + g)) for g in range(JOB_RANKS_PER_NODE)]
            sys.modules["pynvml"] = FakeNvml(gpus)  # type: ignore[assignment]  # read when the sensor opens
            nodes.append((pc, gpus))
            settings = Settings(powercap_root=str(pc.root), interval_s=60, flush_every_s=60)
            for local in range(JOB_RANKS_PER_NODE):
                ctx = JobContext(JOB_ID, n * JOB_RANKS_PER_NODE + local, f"node-{n}", launcher="torchrun",
                                 local_rank=local, local_world_size=JOB_RANKS_PER_NODE,
                                 world_size=JOB_NODES * JOB_RANKS_PER_NODE, node_rank=n, nodes=JOB_NODES)
                runs.append(Run(store=store, settings=settings, location="FR", job=ctx, attach_pid=False,
                                handle_signals=False).start())
        for n, (pc, gpus) in enumerate(nodes):
            pc.advance("intel-rapl:0", int(JOB_PACKAGE_J * 1_000_000))
            for g, gpu in enumerate(gpus):
                gpu.energy_mj = (gpu.energy_mj or 0) + int(job_gpu_j(n, g) * 1000)
        for run in sorted(runs, key=lambda r: r.role == "node"):  # the nodes' readers last: no handover
            run.stop()
    finally:
        store.close()
        for key, value in (("AICEBERG_RUNTIME_DIR", saved[0]),):
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if saved[1] is None:
            sys.modules.pop("pynvml", None)
        else:
            sys.modules["pynvml"] = saved[1]
    return str(db)
