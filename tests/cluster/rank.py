"""A simulated rank: ``aiceberg.track`` around a loop that waits for the test's stop file.

Run with the launcher's environment the test gives (``RANK``, ``SLURM_PROCID``…), a fake powercap tree
(``AICEBERG_POWERCAP_ROOT``), the fake NVML first on ``PYTHONPATH`` and a store (``AICEBERG_DB``). It prints
one JSON line (its run id, role and pid) once started, and stops when ``$RANK_STOP_FILE`` (every rank's)
or ``$RANK_STOP_ME`` (its own) exists.
"""

from __future__ import annotations

import json
import os
import sys
import time

import aiceberg

stops = [os.environ["RANK_STOP_FILE"], os.environ.get("RANK_STOP_ME", "")]
with aiceberg.track(name=os.environ.get("RANK_NAME", "rank"), location="FR",
                    job_scope=os.environ.get("RANK_SCOPE", "rank")) as run:
    print(json.dumps({"run_id": run.run_id, "role": run.role, "pid": os.getpid(), "job": run.job.job_id
                      if run.job else None}), flush=True)
    while not any(s and os.path.exists(s) for s in stops):
        time.sleep(0.02)
sys.exit(0)
