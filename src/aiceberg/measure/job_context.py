"""Which job, rank and node this process belongs to: the labels that tie a measurement to its job.

The detection lives in :mod:`aiceberg.measure.launcher` (torchrun, accelerate, Slurm, MPI, an explicit
job id); this module keeps the names the Prometheus exporter imports.
"""

from __future__ import annotations

from aiceberg.measure.launcher import JobContext, job_context

__all__ = ["JobContext", "job_context"]
