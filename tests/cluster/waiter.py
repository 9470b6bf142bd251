"""The workload of a rank under ``aiceberg run``: prints its pid, then waits for the test's stop file."""

import os
import sys
import time

print(f"waiting {os.getpid()}", flush=True)
while not os.path.exists(sys.argv[1]):
    time.sleep(0.02)
