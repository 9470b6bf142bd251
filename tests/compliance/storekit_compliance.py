"""A new run's row for the compliance tests' stores."""

from __future__ import annotations

import os
import time
from typing import Any


def new_run(run_id: str) -> Any:
    from aiceberg.store import NewRun

    return NewRun(run_id=run_id, started_at="2025-03-01T00:00:00Z", started_unix=time.time(), pid=os.getpid(),
                  hostname="node-a", name="train", command="python train.py", flush_every_s=5.0)
