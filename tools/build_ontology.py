"""Build src/dyads/data/cameo.csv from the reference tables in ../shared/gold.

Facts carried over: CAMEO code names (CAMEO manual via the ICEWS table), GDELT Goldstein
values and quad classes, and the PLOVER type/mode of each CAMEO code (PLOVER CAMEO2PLOVER,
CC BY-SA 4.0). Run: python tools/build_ontology.py [../shared/gold]
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

QUAD = {"verbal cooperation": 1, "material cooperation": 2, "verbal conflict": 3,
        "material conflict": 4}


def plover_for(code: str, table: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """PLOVER type and mode for a CAMEO code, inheriting from the nearest coded ancestor.

    CAMEO root 02 (appeals) is dropped by CAMEO2PLOVER, but PLOVER's REQUEST covers
    "requests, demands and orders"; CAMEO 02x parallels 10x code for code, so 02x takes 10x's.
    """
    if code.startswith("02"):
        code = "10" + code[2:]
    for length in (len(code), 3, 2):
        if code[:length] in table:
            return table[code[:length]]
    return "", ""


def rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def main(gold: Path) -> None:
    plover: dict[str, tuple[str, str]] = {}
    for row in rows(gold / "cameo_to_plover.csv"):
        plover.setdefault(row["cameo_code"], (row["plover_event"], row["plover_mode"]))
        plover.setdefault(row["section_code"], (row["section_event"], ""))
    needs_recipient = {row["event_type"]: row["requires_recipient"] == "Yes"
                       for row in rows(gold / "plover_event_types.csv") if not row["mode"]}
    out = Path(__file__).resolve().parents[1] / "src/dyads/data/cameo.csv"
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["code", "root", "name", "goldstein", "quad_class", "plover_type",
                         "plover_mode", "requires_recipient"])
        for row in rows(gold / "cameo_event_codes.csv"):
            code = row["code"]
            ptype, pmode = plover_for(code, plover)
            if row["plover_event"] and row["plover_event"] not in ("dropped", "CONCEDE|RETREAT"):
                ptype = row["plover_event"]
                pmode = row["plover_mode"] or pmode
            if ptype == "dropped":
                ptype, pmode = "", ""
            goldstein = row["goldstein"] or row["goldstein_icews"]  # GDELT lacks 1213
            writer.writerow([code, row["root_code"], row["name"], goldstein,
                             QUAD[row["quad_class"]], ptype, pmode,
                             "yes" if needs_recipient.get(ptype, True) else "no"])
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/gold"))
