"""Explain a footprint: equivalents, text and JSON rendering, reports, exports."""
