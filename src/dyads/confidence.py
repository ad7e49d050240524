"""Confidence: the coder's raw score mapped to the probability that an event is right.

The raw score (events.Coder) grows with the pattern's specificity and the actors' certainty
and falls for reported, intended, untargeted and background-clause events. A logistic curve
fitted on the development halves of the gold sets (tools/calibrate.py, parameters in
data/calibration.yaml) turns it into a probability; the curve is increasing, so it never
changes which of two events ranks higher.
"""

from __future__ import annotations

import math
from functools import lru_cache

from .knowledge import load_optional


@lru_cache(maxsize=1)
def curve() -> tuple[float, float] | None:
    data = load_optional("calibration.yaml") or {}
    if "slope" not in data:
        return None
    return float(data["slope"]), float(data["intercept"])


def calibrated(raw: float) -> float:
    """The probability that an event with this raw score is right (raw when uncalibrated)."""
    params = curve()
    if params is None:
        return round(raw, 3)
    slope, intercept = params
    return round(1.0 / (1.0 + math.exp(-(slope * raw + intercept))), 3)
