"""Canonical units and their conversions, derived once (never re-typed elsewhere).

Inside the code: energy in kWh (``*_kwh``) or, for raw sensor counters, J (``*_j``); power in W;
mass of CO2e in kg; time in s or h as the name says; grid intensity in gCO2e/kWh.
"""

SECONDS_PER_HOUR = 3600.0
HOURS_PER_YEAR = 8760.0  # 365 × 24, the convention of the BLOOM study's allocation
J_PER_WH = SECONDS_PER_HOUR
J_PER_KWH = 1000.0 * J_PER_WH
KG_PER_G = 0.001
