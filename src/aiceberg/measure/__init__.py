"""Measure what runs: sensors (RAPL, NVML, AMD SMI, procfs model), discovery and the tracker."""
