"""Read what the logging backends wrote, from their files, as a person opening them would."""

from __future__ import annotations

import json
import struct
from pathlib import Path


def tensorboard_scalars(folder: Path, tag: str) -> list[tuple[int, float]]:
    """(step, value) of ``tag`` in every TensorBoard event file under ``folder``."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    out: list[tuple[int, float]] = []
    for events in sorted(folder.rglob("events.out.tfevents.*")):
        acc = EventAccumulator(str(events))
        acc.Reload()
        if tag in acc.Tags().get("scalars", []):
            out += [(e.step, e.value) for e in acc.Scalars(tag)]
    return out


def mlflow_metric(tracking_uri: str, key: str) -> list[tuple[int, float]]:
    """(step, value) of metric ``key`` in the one MLflow run of the tracking store."""
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri)
    runs = [r for e in client.search_experiments() for r in client.search_runs([e.experiment_id])]
    assert len(runs) == 1, [r.info.run_id for r in runs]
    return [(m.step, m.value) for m in client.get_metric_history(runs[0].info.run_id, key)]


def wandb_history(folder: Path) -> list[dict[str, object]]:
    """The history rows of the one offline W&B run under ``folder`` (its ``.wandb`` file: W&B's record log,
    LevelDB's log format: 32 KiB blocks of chunks, each with a 7-byte header: CRC, length, type)."""
    from wandb.proto import wandb_internal_pb2

    [path] = list(folder.rglob("offline-run-*/run-*.wandb"))
    data = path.read_bytes()
    block, pos, buf, rows = 32768, 7, b"", []  # the file starts with a 7-byte header of its own
    while pos + 7 <= len(data):
        if block - pos % block < 7:  # a block's tail too short for a header is padding
            pos += block - pos % block
            continue
        _crc, length, kind = struct.unpack("<IHB", data[pos:pos + 7])
        pos += 7
        if kind == 0 and length == 0:
            break
        buf += data[pos:pos + length]
        pos += length
        if kind in (1, 4):  # a full record, or the last chunk of one
            record = wandb_internal_pb2.Record()
            record.ParseFromString(buf)
            buf = b""
            if record.WhichOneof("record_type") == "history":
                rows.append({(i.key or "/".join(i.nested_key)): json.loads(i.value_json) for i in record.history.item})
    return rows
