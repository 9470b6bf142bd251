"""Phases of a command run under ``aiceberg run``: the command marks them in a file, aiceberg reads it.

``aiceberg run`` gives the command the path of an empty file in ``AICEBERG_PHASE_FILE``. Each line the
command appends starts a phase of that name (the previous one ends there):

    echo "epoch 2" >> "$AICEBERG_PHASE_FILE"          # from a shell script
    aiceberg.mark_phase("epoch 2")                      # from Python (a no-op outside aiceberg run)

aiceberg polls the file a few times a second from its otherwise idle main thread; nothing is added to
the sampler.
"""

from __future__ import annotations

import os

ENV_PHASE_FILE = "AICEBERG_PHASE_FILE"
MAX_NAME = 200


def mark_phase(name: str) -> bool:
    """Start a phase named ``name`` in the run that ``aiceberg run`` is measuring around this process.

    Returns False (and does nothing) when this process is not run under ``aiceberg run``.
    """
    path = os.environ.get(ENV_PHASE_FILE)
    if not path:
        return False
    line = " ".join(str(name).split())[:MAX_NAME] or "phase"
    with open(path, "a", encoding="utf-8") as fh:  # one short append: atomic for lines this small
        fh.write(line + "\n")
    return True


class PhaseFileReader:
    """Reads the complete lines appended to the phase file since the last call."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._offset = 0
        self._partial = b""

    def new_phases(self) -> list[str]:
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self._offset)
                data = fh.read()
        except OSError:  # removed by the command: no more phases
            return []
        self._offset += len(data)
        data = self._partial + data
        *lines, self._partial = data.split(b"\n")
        names = [" ".join(line.decode("utf-8", "replace").split())[:MAX_NAME] for line in lines]
        return [n for n in names if n]
