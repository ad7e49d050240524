"""Score actor resolution against NGEC's actor-resolution test cases.

NGEC resolves against Wikipedia with a PLOVER sector vocabulary; dyads resolves offline
against its own knowledge base. How the expectations map onto dyads (see docs/evaluation.md):

* only `country`, `code_1` (sector) and "no actor" expectations are checked; Wikipedia
  titles, infobox fields and NGEC internals are not applicable;
* `country == "IGO"` means an international organisation: dyads gives the organisation's own
  code as country and sector IGO;
* `code_1` "UNK"/"JNK" (unknown or junk) and "" mean no sector: dyads gives none, or no actor;
* "SOC" (civil-society organisation) is dyads' NGO;
* cases NGEC marks xfail/skip or that NGEC's own pytest run never executes (shadowed or
  uncollected test functions), and "PRE" (partially recognised state coded as its parent
  country, where dyads gives de-facto entities their own code) are not applicable; the
  never-executed ones are still scored and reported on their own;
* an undated case ("today") was true on the unstated day its test was written, somewhere in
  the years NGEC's suite was developed: it passes if it holds on one of the quarter-days of
  TEST_WRITING_WINDOW. The strict figure at a single REFERENCE_DATE is reported beside it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from .actors import KnowledgeBase, knowledge_base
from .mentions import ArticleContext, resolve_phrase
from .model import Actor
from .parse import nlp

REFERENCE_DATE = date(2022, 6, 1)
TEST_WRITING_WINDOW = [date(y, m, 1) for y in (2021, 2022, 2023) for m in (1, 4, 7, 10)]
METHODS = {"agent_to_code", "short_text_to_agent", "search_nat", "trf_agent_match"}
CHECKED = {"country", "code_1", "return[0]", None}
SECTOR_ALIASES = {"SOC": "NGO"}
NO_SECTOR = {"", "UNK", "JNK", None}
DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%B %d, %Y", "%d %b %Y")


def parse_case_date(text: str) -> date | None:
    """The case's date, or None when it is undated ("today")."""
    text = (text or "").strip()
    if not text or text.lower() == "today":
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text.title() if "%B" in fmt else text, fmt).date()
        except ValueError:
            continue
    return None


@dataclass
class CaseResult:
    test: str
    phrase: str
    applicable: bool
    passed: bool = False
    why: str = ""
    got: str = ""
    strict_passed: bool = False  # at REFERENCE_DATE only, for undated cases
    executed_by_ngec: bool = True


@dataclass
class ActorReport:
    results: list[CaseResult] = field(default_factory=list)

    @property
    def applicable(self) -> list[CaseResult]:
        return [r for r in self.results if r.applicable]

    @property
    def pass_rate(self) -> float:
        cases = self.applicable
        return sum(r.passed for r in cases) / len(cases) if cases else 0.0

    @property
    def strict_pass_rate(self) -> float:
        cases = self.applicable
        return sum(r.strict_passed for r in cases) / len(cases) if cases else 0.0

    @property
    def never_executed(self) -> list[CaseResult]:
        return [r for r in self.results if not r.executed_by_ngec and r.why != "skip"]

    def failure_categories(self) -> Counter:
        return Counter(r.why for r in self.applicable if not r.passed)


def not_applicable_reason(case: dict) -> str:
    if case["method"] not in METHODS:
        return f"method {case['method']} (Wikipedia lookup)"
    if case.get("xfail_reason") or case.get("skip_reason"):
        return "marked xfail/skip by NGEC"
    checks = [e for e in case["expect"] if e["field"] in CHECKED]
    if not checks:
        return "no country/sector expectation"
    wanted = Counter(e["field"] for e in checks if e["op"] == "==")
    if any(n > 1 for n in wanted.values()):
        return "contradictory expectations (one field expected equal to two values)"
    if any(e["value"] == "PRE" for e in checks):
        return "PRE convention (dyads codes de-facto states on their own)"
    return ""


def check(expect: dict, actor: Actor | None) -> bool:
    fieldname, op, value = expect["field"], expect["op"], expect["value"]
    if fieldname is None:
        return actor is None
    if fieldname in ("country", "return[0]"):
        if value == "IGO":
            got = "IGO" if actor is not None and actor.sector == "IGO" or (
                actor is not None and actor.code.startswith("IGO")) else ""
        else:
            got = actor.country if actor is not None else ""
    else:
        got = actor.sector if actor is not None else ""
        if op == "in":
            return got in [SECTOR_ALIASES.get(v, v) for v in value]
        if value in NO_SECTOR:
            return got == ""
        value = SECTOR_ALIASES.get(value, value)
    return got != value if op == "!=" else got == value


def context_country(kb: KnowledgeBase, text: str) -> str:
    _, hits = kb.find_in_text(text or "")
    for hit in hits:
        for entry in hit.entries:
            if entry.kind in ("country", "demonym"):
                return entry.ref
    return ""


def resolve_at(kb: KnowledgeBase, pipeline_nlp, phrase: str, context_text: str,
               when: date) -> Actor | None:
    context = ArticleContext(when=when, default_country=context_country(kb, context_text))
    res = resolve_phrase(kb, pipeline_nlp, phrase, when, context)
    return res.actors[0] if res.actors else None


def run_case(case: dict, kb: KnowledgeBase, pipeline_nlp) -> CaseResult:
    args = case["args"] + ["", "", ""]
    phrase = args[0].strip()
    reason = not_applicable_reason(case)
    executed = bool(case.get("would_run_under_pytest", True))
    if reason:
        return CaseResult(case["test"], phrase, False, why=reason, executed_by_ngec=executed)
    checks = [e for e in case["expect"] if e["field"] in CHECKED]
    day = parse_case_date(args[2])
    dates = [day] if day else [REFERENCE_DATE, *TEST_WRITING_WINDOW]
    outcomes = []
    for when in dates:
        actor = resolve_at(kb, pipeline_nlp, phrase, args[1], when)
        failed = [e for e in checks if not check(e, actor)]
        outcomes.append((actor, failed))
        if not failed:
            break
    strict = not outcomes[0][1]
    actor, failed = outcomes[-1]
    got = f"{actor.country}/{actor.sector or '-'}" if actor else "no actor"
    result = CaseResult(case["test"], phrase, executed, not failed, got=got, strict_passed=strict,
                        executed_by_ngec=executed)
    if failed:
        result.why = categorise(failed, actor)
    if not executed:  # scored, but outside the applicable set: NGEC never runs it
        result.why = result.why or "passed"
    return result


def categorise(failed: list[dict], actor: Actor | None) -> str:
    fields = {e["field"] for e in failed}
    if actor is None:
        return "unresolved (no actor)"
    if None in fields:
        return "actor where none expected"
    if "country" in fields or "return[0]" in fields:
        return "wrong country"
    return "wrong sector"


def evaluate_actor_cases(path: Path, actors=()) -> ActorReport:
    kb = knowledge_base(tuple(actors))
    parser = nlp()
    report = ActorReport()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            report.results.append(run_case(json.loads(line), kb, parser))
    return report


def is_actor_case_file(path: Path) -> bool:
    with open(path, encoding="utf-8") as fh:
        first = fh.readline()
    return bool(re.search(r'"method":\s*"', first))
