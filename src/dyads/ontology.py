"""CAMEO codes with their names, Goldstein values, quad classes and PLOVER types."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .knowledge import load_csv

QUAD_NAMES = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict",
              4: "material conflict"}


@dataclass(frozen=True)
class Code:
    code: str
    root: str
    name: str
    goldstein: float
    quad_class: int
    plover_type: str
    plover_mode: str
    requires_recipient: bool = True  # PLOVER: may the event be coded without a target?


@lru_cache(maxsize=1)
def cameo() -> dict[str, Code]:
    return {row["code"]: Code(row["code"], row["root"], row["name"], float(row["goldstein"]),
                              int(row["quad_class"]), row["plover_type"], row["plover_mode"],
                              row["requires_recipient"] == "yes")
            for row in load_csv("cameo.csv")}


def lookup(code: str) -> Code:
    """The code's entry; an unknown 4-digit or 3-digit code falls back to its parent."""
    table = cameo()
    for length in (len(code), 3, 2):
        if code[:length] in table:
            entry = table[code[:length]]
            if length == len(code):
                return entry
            return Code(code, entry.root, entry.name, entry.goldstein, entry.quad_class,
                        entry.plover_type, entry.plover_mode, entry.requires_recipient)
    raise KeyError(f"unknown CAMEO code {code!r}")
