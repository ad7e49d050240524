"""PETRARCH2's unit tests coded with the dictionaries they were written for (interop report).

For users migrating from PETRARCH: the unit-test sentences (`petrarch2_unit_tests.jsonl`)
are coded with dyads' coder and the PETRARCH validation dictionaries imported by
`dyads.tabari` (the importer behind `dyads dict import`), and the events of each record are
compared with its expected (source, target, code) triples.

What runs:
- actors: ONLY the imported actors and agents. dyads' bundled countries, organisations,
  people, role nouns and cities are left out (`ImportedKB`); its rule tables (role ranks,
  transliteration) stay. Three-letter actor codes are imported as countries so that role nouns
  compose with them as in PETRARCH ("Arnor's foreign minister" → ARN + GOVFRM).
- verbs: ONLY the imported verb patterns (no bundled lexicon, no nominal events).
- dates: each record's `date` (YYYYMMDD), for the date-restricted actor codes.
- dyads' own modality, discard rules and sentence handling apply; PETRARCH's `<Config>`
  options (new_actor_length, require_dyad, comma_*) and its discards file do not.

Scoring: an event is the triple (source code, target code, event code); dyads' untargeted
event has target `---`. Per record, sets are compared: a record is fully correct when dyads'
set equals the expected one (the empty set for records that expect no event). Records that
expect an error, carry `sentence="false"`, lie outside the file's <Include> list or are marked
"currently not implemented" are reported apart as not applicable. The test dictionaries use
WEIS codes for many events (223, 901, 174K): dyads cannot code those (see
`tabari.read_verbs`), so no pass rate is expected of it here.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .actors import KnowledgeBase
from .events import Coder
from .lexicon import Lexicon
from .model import Article
from .pipeline import Pipeline
from .sources import parse_date
from .tabari import import_file, read_verbs

KINDS = {"actors": ".actors.txt", "agents": ".agents.txt", "verbs": ".verbs.txt"}
KB_KEYS = ("countries", "igos", "organisations", "people", "agents")
Triple = tuple[str, str, str]


def find_dictionaries(folder: Path) -> dict[str, list[Path]]:
    """The folder's actor, agent and verb dictionaries, by their PETRARCH file-name suffix."""
    found: dict[str, list[Path]] = {kind: [] for kind in KINDS}
    for path in sorted(folder.iterdir()):
        for kind, suffix in KINDS.items():
            if path.name.lower().endswith(suffix):
                found[kind].append(path)
    if not found["actors"] or not found["verbs"]:
        raise ValueError(f"{folder}: needs at least one *.actors.txt and one *.verbs.txt file")
    return found


class ImportedKB(KnowledgeBase):
    """The knowledge base's machinery holding only the given imported data: none of dyads'
    bundled countries, organisations, people, agents, cities or Phoenix supplements."""

    def __init__(self, data: list[dict]) -> None:
        self.bare = True
        super().__init__()  # the bundled actor data is refused by the overrides below
        self.bare = False
        for item in data:
            self.load(**{k: v for k, v in item.items() if k in KB_KEYS})

    def load(self, **kwargs) -> None:
        if not self.bare:
            super().load(**kwargs)

    def add_cities(self, rows: list[dict[str, str]]) -> None:
        if not self.bare:
            super().add_cities(rows)

    def add_regions(self, rows: list[dict[str, str]]) -> None:
        if not self.bare:
            super().add_regions(rows)

    def load_supplement(self, data: dict) -> None:
        if not self.bare:
            super().load_supplement(data)


def unit_pipeline(folder: Path) -> tuple[Pipeline, dict]:
    """A pipeline that knows only the folder's dictionaries, and what their import kept."""
    files = find_dictionaries(folder)
    kb_data = [import_file(p, countries=True) for p in files["actors"] + files["agents"]]
    verbs, skipped, non_cameo = [], Counter(), Counter()
    for path in files["verbs"]:
        result = read_verbs(path)
        verbs += result.entries
        skipped.update(result.skipped)
        non_cameo.update(result.non_cameo)
    pipeline = Pipeline()
    pipeline.kb = ImportedKB(kb_data)
    pipeline.coder = Coder(Lexicon(verbs, []))
    pipeline.event_nouns = frozenset()
    info = {
        "files": {kind: [p.name for p in paths] for kind, paths in files.items()},
        "actors": {k: len(d.get(k) or []) for d in kb_data for k in ("countries", "people",
                                                                      "organisations") if k in d},
        "agent_terms": sum(len(d["agents"]["agents"]) for d in kb_data if "agents" in d),
        "verb_entries": len(verbs),
        "verb_lines_not_imported": dict(skipped.most_common()),
        "non_cameo_codes_skipped": dict(sorted(non_cameo.items())),
        "knowledge_base": "imported actors and agents only (dyads' bundled actors left out)",
        "lexicon": "imported verbs only (dyads' bundled lexicon left out)",
    }
    return pipeline, info


def not_applicable(rec: dict) -> list[str]:
    """Why PETRARCH's own harness would not score this record as an event coding."""
    why = []
    if rec.get("expected_error"):
        why.append(f"expects PETRARCH error {rec['expected_error']!r} (dyads raises none)")
    if str(rec.get("sentence_attr", "")).lower() == "false":
        why.append('sentence="false": PETRARCH does not code it')
    if not rec.get("category_in_include_list", True):
        why.append("category outside the test file's <Include> list")
    if rec.get("marked_not_implemented"):
        why.append('marked "currently not implemented" in the test file')
    return why


@dataclass
class RecordResult:
    uid: str
    category: str
    text: str
    expected: set[Triple]
    got: set[Triple] = field(default_factory=set)
    reasons: list[str] = field(default_factory=list)  # why not applicable (empty = scored)

    @property
    def applicable(self) -> bool:
        return not self.reasons

    @property
    def correct(self) -> bool:
        return self.got == self.expected

    def as_dict(self) -> dict:
        out = {"uid": self.uid, "category": self.category,
               "expected": sorted(list(t) for t in self.expected),
               "got": sorted(list(t) for t in self.got)}
        if self.reasons:
            out["not_applicable"] = self.reasons
        else:
            out["correct"] = self.correct
        return out


def tally(results: list[RecordResult]) -> dict:
    tp = sum(len(r.expected & r.got) for r in results)
    predicted = sum(len(r.got) for r in results)
    expected = sum(len(r.expected) for r in results)
    correct = sum(r.correct for r in results)
    none = [r for r in results if not r.expected]
    return {"records": len(results), "correct": correct,
            "pass_rate": round(correct / len(results), 3) if results else 0.0,
            "no_event_records": len(none), "no_event_correct": sum(r.correct for r in none),
            "tp": tp, "predicted": predicted, "expected": expected,
            "precision": round(tp / predicted, 3) if predicted else 0.0,
            "recall": round(tp / expected, 3) if expected else 0.0}


@dataclass
class UnitReport:
    results: list[RecordResult]
    info: dict

    def scored(self) -> list[RecordResult]:
        return [r for r in self.results if r.applicable]

    def by_category(self) -> dict[str, dict]:
        order = list(dict.fromkeys(r.category for r in self.scored()))
        return {c: tally([r for r in self.scored() if r.category == c]) for c in order}

    def overall(self) -> dict:
        return tally(self.scored())

    def excluded(self) -> list[RecordResult]:
        return [r for r in self.results if not r.applicable]

    def summary(self) -> dict:
        return {"kind": "petrarch2_unit_tests", "records": len(self.results),
                "scored": len(self.scored()), "not_applicable": len(self.excluded()),
                "overall": self.overall(), "categories": self.by_category(),
                "not_applicable_records": [
                    {"uid": r.uid, "category": r.category, "why": r.reasons}
                    for r in self.excluded()],
                "dictionaries": self.info}

    def as_json(self) -> dict:
        return {**self.summary(), "results": [r.as_dict() for r in self.results]}


def load_records(path: Path) -> list[dict]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
               if line.strip()]
    if not records or "expected_events" not in records[0] or "category" not in records[0]:
        raise ValueError(f"{path}: not a PETRARCH2 unit-test file (petrarch2_unit_tests.jsonl)")
    return records


def record_date(rec: dict) -> date | None:
    return parse_date(str(rec.get("date") or ""))


def run(gold: Path, folder: Path, uids: list[str] | None = None) -> UnitReport:
    """Code the unit-test records (or only `uids`) with the folder's dictionaries."""
    records = load_records(gold)
    if uids is not None:
        wanted = set(uids)
        records = [r for r in records if r["uid"] in wanted]
    pipeline, info = unit_pipeline(folder)
    results = [RecordResult(r["uid"], r["category"], r["text"],
                            {(e["source"], e["target"], e["code"])
                             for e in r.get("expected_events") or []},
                            reasons=not_applicable(r)) for r in records]
    # the uid is the article id: the same sentence appears under several uids and dates
    articles = [Article(article_id=r["uid"], doc_name=r["uid"], text=r["text"],
                        published=record_date(r)) for r in records]
    by_uid = {res.uid: res for res in results}
    for coded in pipeline.code(articles):
        by_uid[coded.article.article_id].got = {
            (e.source_code, e.target_code or "---", e.cameo_code) for e in coded.events}
    return UnitReport(results, info)


def results_path(gold: Path) -> Path:
    return Path("eval") / "results" / f"{gold.stem}.json"


def write_json(report: UnitReport, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n",
                    encoding="utf-8")


def render(report: UnitReport, console: Console, errors: int = 0) -> None:
    table = Table("category", "records", "correct", "pass rate", "no-event ok", "tp",
                  "predicted", "expected", "precision", "recall",
                  title="PETRARCH2 unit tests, coded with the imported validation dictionaries",
                  header_style="bold")

    def row(name: str, t: dict, style: str = "") -> None:
        table.add_row(name, str(t["records"]), str(t["correct"]), f"{t['pass_rate']:.3f}",
                      f"{t['no_event_correct']}/{t['no_event_records']}", str(t["tp"]),
                      str(t["predicted"]), str(t["expected"]), f"{t['precision']:.3f}",
                      f"{t['recall']:.3f}", style=style)

    for name, t in report.by_category().items():
        row(name, t)
    table.add_section()
    row("overall", report.overall(), "bold")
    console.print(table)
    excluded = report.excluded()
    console.print(f"not applicable: {len(excluded)} records")
    for r in excluded:
        console.print(f"  {r.uid} ({r.category}): {'; '.join(r.reasons)}", highlight=False,
                      markup=False)
    info = report.info
    console.print(f"dictionaries: {info['knowledge_base']}; {info['lexicon']}: "
                  f"{info['verb_entries']} lexicon entries; verb lines not imported "
                  f"{sum(info['verb_lines_not_imported'].values())} (of which non-CAMEO codes "
                  f"{sum(info['non_cameo_codes_skipped'].values())})", highlight=False)
    misses = [r for r in report.scored() if not r.correct][:errors]
    for r in misses:
        console.print(f"{r.uid}: expected {sorted(r.expected)} got {sorted(r.got)} | "
                      f"{r.text[:120]}", highlight=False, markup=False)
