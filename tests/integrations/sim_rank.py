"""A simulated process of a distributed training, run by ``test_job_ranks.py`` with a launcher's environment.

It does what every framework's callback does, without an ML library: :class:`TrainingSession` with the roles
the launcher's environment gives (:func:`launcher_roles`, as the Keras callback), one epoch, then the end,
where every process tells the others which run it tracked (a gather through files in ``$SIM_OUT/gather``,
standing for ``torch.distributed``'s; none when ``SIM_GATHER`` is not ``1``). It prints one JSON line once
its epoch has begun (the test moves the fake counters only then), waits for ``$SIM_OUT/stop``, and writes
what it logged to ``$SIM_OUT/rank-N.json``.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from aiceberg.integrations.model_card import training_card
from aiceberg.integrations.session import TrainingSession, launcher_roles

out = Path(os.environ["SIM_OUT"])
rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])


def wait(path: Path) -> None:
    while not path.exists():
        time.sleep(0.02)


def gather(value: Any) -> list[Any]:
    folder = out / "gather"
    folder.mkdir(exist_ok=True)
    tmp = folder / f".{rank}.tmp"
    tmp.write_text(json.dumps(value))
    os.replace(tmp, folder / f"{rank}.json")  # the others never read half a file
    files = [folder / f"{r}.json" for r in range(world)]
    for f in files:
        wait(f)
    return [json.loads(f.read_text()) for f in files]


roles = launcher_roles()
session = TrainingSession(tracks=roles.tracks, logs=roles.logs, options={"location": "FR", "interval_s": 60})
session.begin(total_epochs=1, name="sim")
session.epoch_begin(1)
print(json.dumps({"rank": rank, "tracks": roles.tracks, "logs": roles.logs,
                  "run_id": None if session.run is None else session.run.run_id}), flush=True)
wait(out / "stop")
epoch = session.epoch_end()
totals = session.end(gather=gather if os.environ.get("SIM_GATHER") == "1" else None)
card = None
if session.result is not None and session.logs:
    card = training_card(session.result, training_type="pre-training", path=None, job=session.job)
(out / f"rank-{rank}.json").write_text(json.dumps({
    "epoch": epoch, "totals": totals, "card": card, "job": None if session.job is None else session.job.job_id,
    "note": None if session.job_note is None else [session.job_note.key, session.job_note.params["why"].key],
}))
