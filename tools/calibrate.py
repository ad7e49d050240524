"""Fit the confidence curve (src/dyads/data/calibration.yaml) on the development halves of the
gold sets: every coded event of the PLOVER examples and the PETRARCH2 validation records is
labelled right or wrong (evaluate.labelled_events) and a logistic curve maps the coder's raw
score to the share of events that are right. Held-back halves are scored with the curve as is.

Run: python tools/calibrate.py [GOLD.jsonl ...]   (default: the two dev files in ../shared/gold)
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import yaml
from sklearn.linear_model import LogisticRegression

from dyads import confidence
from dyads.evaluate import code_items, labelled_events, load_items, reliability

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src/dyads/data/calibration.yaml"
DEFAULT = [ROOT.parent / "shared/gold/plover_examples.dev.jsonl",
           ROOT.parent / "shared/gold/petrarch2_gsr_validation.dev.jsonl"]


def raw_pairs(paths: list[Path]) -> list[tuple[float, bool]]:
    """(raw score, right) with the curve switched off."""
    confidence.curve.cache_clear()
    saved = OUT.read_text(encoding="utf-8") if OUT.exists() else None
    OUT.unlink(missing_ok=True)
    try:
        pairs = []
        for path in paths:
            kind, items = load_items(path)
            pairs += labelled_events(items, code_items(items), kind)
        return pairs
    finally:
        if saved is not None:
            OUT.write_text(saved, encoding="utf-8")
        confidence.curve.cache_clear()


def main(paths: list[Path]) -> None:
    pairs = raw_pairs(paths)
    model = LogisticRegression(C=1e6).fit([[c] for c, _ in pairs], [int(r) for _, r in pairs])
    slope, intercept = float(model.coef_[0][0]), float(model.intercept_[0])
    fitted = [(float(model.predict_proba([[c]])[0][1]), r) for c, r in pairs]
    before, after = reliability(pairs), reliability(fitted)
    header = ("# Confidence curve: P(event right) = 1 / (1 + exp(-(slope * raw + intercept))).\n"
              "# Written by tools/calibrate.py from the coder's raw scores on the development\n"
              "# halves of the gold sets; see docs/evaluation.md (Confidence).\n")
    data = {"slope": round(slope, 4), "intercept": round(intercept, 4),
            "fitted_on": [p.name for p in paths], "events": len(pairs),
            "share_right": round(sum(r for _, r in pairs) / len(pairs), 3),
            "ece_raw": before["expected_calibration_error"],
            "ece_calibrated": after["expected_calibration_error"],
            "date": date.today().isoformat()}
    OUT.write_text(header + yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    print(f"wrote {OUT}: {data}")


if __name__ == "__main__":
    main([Path(p) for p in sys.argv[1:]] or DEFAULT)
