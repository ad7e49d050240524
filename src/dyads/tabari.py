"""Import PETRARCH/TABARI-format actor and agent dictionaries into dyads' YAML format.

Actor lines: `NAME_ [CODE]` or `NAME_` followed by `+ALIAS` lines and indented
`[CODE yymmdd-yymmdd]`, `[CODE >yymmdd]`, `[CODE <yymmdd]` date-restricted codes (an undated
code is the default). Agent lines: `TERM [~SEC]`, with `!SYNSET!` markers expanded from
`!SYNSET! = A, B` definitions.
"""

from __future__ import annotations

import re
from pathlib import Path

CODE = re.compile(r"\[([^\]]*)\]")
DAY = r"(?:\d{8}|\d{6})"
DATED = re.compile(rf"^\s*(~?[A-Za-z0-9]+~?)\s*(?:([<>])\s*({DAY})|({DAY})\s*-\s*({DAY}))?\s*$")
SYNSET_DEF = re.compile(r"^(![A-Z0-9_]+!)\s*=\s*(.+)$")


def yymmdd(value: str) -> str:
    if len(value) == 8:
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    yy, mm, dd = int(value[:2]), value[2:4], value[4:6]
    year = 2000 + yy if yy < 30 else 1900 + yy
    return f"{year}-{mm}-{dd}"


def name_of(raw: str) -> str:
    raw = re.sub(r"\{[^}]*\}", "", raw).strip()
    return " ".join(raw.replace("_", " ").split()).title()


def parse_codes(text: str) -> list[dict]:
    codes = []
    for group in CODE.findall(text):
        match = DATED.match(group)
        if not match:
            continue
        code, sign, day, start, end = match.groups()
        entry: dict = {"code": code.upper()}
        if sign == ">":
            entry["start"] = yymmdd(day)
        elif sign == "<":
            entry["end"] = yymmdd(day)
        elif start:
            entry["start"], entry["end"] = yymmdd(start), yymmdd(end)
        codes.append(entry)
    return codes


def strip_comment(line: str) -> str:
    return line.split("#", 1)[0].rstrip()


def read_actor_entries(path: Path) -> list[dict]:
    entries: list[dict] = []
    current: dict | None = None
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = strip_comment(raw)
        if not line.strip() or line.lstrip().startswith("<!--") or line.startswith("-->"):
            continue
        if line[0] in " \t" or line.lstrip().startswith("["):
            if current is not None:
                current["codes"] += parse_codes(line)
            continue
        if line.startswith("+"):
            if current is not None:
                alias = name_of(CODE.sub("", line[1:]))
                if alias:
                    current["aliases"].append(alias)
                current["codes"] += parse_codes(line)
            continue
        name = name_of(CODE.sub("", line))
        if not name:
            continue
        codes = parse_codes(line)
        if current is not None and not current["codes"] and not codes:
            current["aliases"].append(name)  # consecutive names share the code block below
            continue
        current = {"name": name, "aliases": [], "codes": codes}
        entries.append(current)
    return [e for e in entries if e["codes"]]


def to_kb(entries: list[dict]) -> dict:
    """People (entries with dated codes) and organisations (a single undated code)."""
    people, orgs = [], []
    for e in entries:
        dated = [c for c in e["codes"] if "start" in c or "end" in c]
        undated = [c["code"] for c in e["codes"] if c not in dated]
        if dated:
            people.append({"name": e["name"], "country": (undated or [dated[0]["code"]])[0][:3],
                           "aliases": e["aliases"], "default_code": undated[0] if undated else "",
                           "roles": dated})
        else:
            code = undated[0]
            orgs.append({"name": e["name"], "aliases": e["aliases"], "country": code[:3],
                         "sector": code[3:6], "actor_code": code})
    return {"people": people, "organisations": orgs}


def read_agents(path: Path) -> dict:
    synsets: dict[str, list[str]] = {}
    agents = []
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    for raw in lines:
        match = SYNSET_DEF.match(strip_comment(raw).strip())
        if match:
            synsets[match[1]] = [w.strip() for w in match[2].split(",") if w.strip()]
    for raw in lines:
        line = strip_comment(raw).strip()
        if not line or SYNSET_DEF.match(line) or "[" not in line:
            continue
        codes = [c["code"].strip("~") for c in parse_codes(line) if "~" in c["code"]]
        if not codes:
            continue
        term = CODE.sub("", line)
        for variant in expand_synsets(term, synsets):
            agents.append({"term": name_of(variant).lower(), "sector": codes[0][:3]})
    return {"agents": {"agents": agents}}


def expand_synsets(term: str, synsets: dict[str, list[str]]) -> list[str]:
    marker = re.search(r"![A-Z0-9_]+!", term)
    if not marker:
        return [term]
    return [v for word in synsets.get(marker.group(), [])
            for v in expand_synsets(term.replace(marker.group(), word, 1), synsets)]


def import_file(path: Path) -> dict:
    """Read a TABARI/PETRARCH dictionary, guessing actors or agents from its codes."""
    text = path.read_text(encoding="utf-8", errors="replace")
    codes = CODE.findall(text)
    if sum("~" in c for c in codes) > len(codes) / 2:
        return read_agents(path)
    return to_kb(read_actor_entries(path))
