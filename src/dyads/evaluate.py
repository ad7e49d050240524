"""Score the coder against gold files (PLOVER examples, PETRARCH2 validation records)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .model import Event
from .pipeline import Pipeline
from .sources import make_article, parse_date


def country_key(code: str) -> str:
    """Country-level part of an actor code: RUSGOV → RUS, IGOUNO → IGOUNO.

    PETRARCH writes an unidentified actor as '---'; dyads leaves it empty: both become '---'.
    """
    code = (code or "").strip('"')
    if not code or code.startswith("---"):
        return "---"
    return code[:6] if code.startswith("IGO") else code[:3]


# The 2016 PLOVER examples spell two ISO codes the old way.
GOLD_CODE_SPELLINGS = {"ITL": "ITA", "JAP": "JPN"}


def actor_keys(actors: object) -> list[str]:
    """Country keys of a gold record's actor list (malformed entries are skipped)."""
    if not isinstance(actors, list):
        return []
    keys = (country_key(a.get("code", "")) for a in actors if isinstance(a, dict))
    return [GOLD_CODE_SPELLINGS.get(k, k) for k in keys]


def key_in_gold(key: str, gold_keys: list[str]) -> bool:
    """A gold key of bare 'IGO' names no organisation: any IGO code matches it."""
    return key in gold_keys or (key.startswith("IGO") and "IGO" in gold_keys)


@dataclass
class Item:
    uid: str
    text: str
    when: date | None
    expected: list[dict]  # {source, target, code} (PETRARCH) or {type, sources, targets} (PLOVER)
    expect_none: bool = False


@dataclass
class Score:
    tp: int = 0
    predicted: int = 0
    expected: int = 0

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.expected if self.expected else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {"tp": self.tp, "predicted": self.predicted, "expected": self.expected,
                "precision": round(self.precision, 3), "recall": round(self.recall, 3),
                "f1": round(self.f1, 3)}


@dataclass
class Report:
    kind: str
    n_items: int = 0
    fields: dict[str, Score] = field(default_factory=dict)
    extra: dict[str, float] = field(default_factory=dict)
    confusion: Counter = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)
    calibration: dict = field(default_factory=dict)

    def score(self, name: str) -> Score:
        return self.fields.setdefault(name, Score())

    def summary(self) -> dict:
        return {"kind": self.kind, "items": self.n_items,
                "fields": {k: v.as_dict() for k, v in self.fields.items()}, **self.extra,
                "calibration": self.calibration}


def load_items(path: Path) -> tuple[str, list[Item]]:
    items, kind = [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        if "event_type_plover_current" in rec:
            kind = "plover"
            expected = [{"type": rec["event_type_plover_current"],
                         "sources": actor_keys(rec["source"]),
                         "targets": actor_keys(rec["target"])}]
            items.append(Item(rec["uid"], rec["text"], parse_date(rec.get("date")), expected))
        else:
            kind = "petrarch"
            items.append(Item(rec.get("uid") or rec["id"], rec["text"], parse_date(rec.get("date")),
                              rec.get("expected_events") or [], bool(rec.get("expect_no_events"))))
    return kind, items


def code_items(items: list[Item], actors=(), lexicons=()) -> dict[str, list[Event]]:
    pipeline = Pipeline(actors, lexicons)
    articles = [make_article(item.uid, item.text, published=item.when) for item in items]
    by_article: dict[str, list[Event]] = {}
    for coded in pipeline.code(articles):
        by_article[coded.article.article_id] = coded.events
    return {item.uid: by_article.get(a.article_id, []) for item, a in zip(items, articles,
                                                                             strict=True)}


def best(events: list[Event]) -> Event | None:
    return max(events, key=lambda e: e.confidence) if events else None


def plover_correct(event: Event, gold: dict) -> bool:
    return event.plover_type == gold["type"] and key_in_gold(country_key(event.source_code),
                                                             gold["sources"])


def gold_dyads(item: Item) -> set[tuple[str, str, str]]:
    """(source country, target country, CAMEO root) of a PETRARCH record's events."""
    return {(country_key(g["source"]), country_key(g["target"]), g["code"][:2])
            for g in item.expected}


def our_dyads(events: list[Event]) -> set[tuple[str, str, str]]:
    return {(country_key(e.source_code), country_key(e.target_code), e.cameo_root)
            for e in events}


def petrarch_correct(event: Event, item: Item) -> bool:
    return not item.expect_none and our_dyads([event]) <= gold_dyads(item)


def labelled_events(items: list[Item], coded: dict[str, list[Event]],
                    kind: str) -> list[tuple[float, bool]]:
    """(confidence, right) for every coded event: the data of a calibration check."""
    out = []
    for item in items:
        for event in coded[item.uid]:
            right = plover_correct(event, item.expected[0]) if kind == "plover" \
                else petrarch_correct(event, item)
            out.append((event.confidence, right))
    return out


def reliability(pairs: list[tuple[float, bool]], bins: int = 5) -> dict:
    """Events binned by confidence: how often each bin is right, the expected calibration
    error (the bins' gap between confidence and accuracy, weighted by size) and Brier score."""
    table, gap = [], 0.0
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        inside = [(c, r) for c, r in pairs if low <= c < high or (b == bins - 1 and c == 1.0)]
        if not inside:
            continue
        mean_conf = sum(c for c, _ in inside) / len(inside)
        accuracy = sum(r for _, r in inside) / len(inside)
        gap += len(inside) * abs(mean_conf - accuracy)
        table.append({"bin": f"{low:.1f}-{high:.1f}", "events": len(inside),
                      "mean_confidence": round(mean_conf, 3), "share_right": round(accuracy, 3)})
    n = len(pairs)
    return {"events": n, "bins": table,
            "expected_calibration_error": round(gap / n, 3) if n else 0.0,
            "brier": round(sum((c - r) ** 2 for c, r in pairs) / n, 3) if n else 0.0}


def score_plover(items: list[Item], coded: dict[str, list[Event]], report: Report) -> None:
    for item in items:
        gold = item.expected[0]
        top = best(coded[item.uid])
        ptype = top.plover_type if top else ""
        report.confusion[(gold["type"], ptype or "-")] += 1
        s = report.score("event_type")
        s.expected += 1
        s.predicted += bool(top)
        s.tp += ptype == gold["type"]
        for name, gold_codes, ours in (("source_country", gold["sources"],
                                        country_key(top.source_code) if top else ""),
                                       ("target_country", gold["targets"],
                                        country_key(top.target_code)
                                        if top and top.target_code else "")):
            s = report.score(name)
            s.expected += bool(gold_codes)
            s.predicted += bool(ours) and bool(gold_codes)
            s.tp += bool(ours) and key_in_gold(ours, gold_codes)
        if ptype != gold["type"] and len(report.misses) < 400:
            report.misses.append(f"{item.uid}: gold {gold['type']} {gold['sources']}→"
                                 f"{gold['targets']}; ours {ptype or '-'} "
                                 f"{top.source_code + '→' + top.target_code if top else ''} "
                                 f"| {item.text[:140]}")
    n = len(items)
    report.extra["event_type_accuracy"] = round(report.score("event_type").tp / n, 3) if n else 0


def score_petrarch(items: list[Item], coded: dict[str, list[Event]], report: Report) -> None:
    false_alarms = 0
    for item in items:
        ours = coded[item.uid]
        if item.expect_none:
            false_alarms += bool(ours)
            report.score("dyad_root").predicted += len(our_dyads(ours))
            continue
        gold_sets = {
            "dyad_root": gold_dyads(item),
            "dyad_code": {(g["source"].strip('"'), g["target"].strip('"'), g["code"])
                          for g in item.expected},
            "source_country": {country_key(g["source"]) for g in item.expected},
            "target_country": {country_key(g["target"]) for g in item.expected},
            "cameo_root": {g["code"][:2] for g in item.expected},
        }
        our_sets = {
            "dyad_root": our_dyads(ours),
            "dyad_code": {(e.source_code, e.target_code, e.cameo_code) for e in ours},
            "source_country": {country_key(e.source_code) for e in ours},
            "target_country": {country_key(e.target_code) for e in ours},
            "cameo_root": {e.cameo_root for e in ours},
        }
        for name, gold in gold_sets.items():
            s = report.score(name)
            s.expected += len(gold)
            s.predicted += len(our_sets[name])
            s.tp += len(gold & our_sets[name])
        if gold_sets["dyad_root"] != our_sets["dyad_root"] and len(report.misses) < 400:
            report.misses.append(f"{item.uid}: gold {sorted(gold_sets['dyad_root'])} ours "
                                 f"{sorted(our_sets['dyad_root'])} | {item.text[:140]}")
    report.extra["no_event_items"] = sum(i.expect_none for i in items)
    report.extra["events_on_no_event_items"] = false_alarms


def evaluate_file(path: Path, actors=(), lexicons=()) -> Report:
    kind, items = load_items(path)
    coded = code_items(items, tuple(actors), tuple(lexicons))
    report = Report(kind, len(items))
    (score_plover if kind == "plover" else score_petrarch)(items, coded, report)
    report.calibration = reliability(labelled_events(items, coded, kind))
    return report


def render(report: Report, console: Console, errors: int = 0) -> None:
    table = Table("field", "tp", "predicted", "expected", "precision", "recall", "F1",
                  title=f"{report.kind} gold: {report.n_items} items", header_style="bold")
    for name, s in report.fields.items():
        table.add_row(name, str(s.tp), str(s.predicted), str(s.expected), f"{s.precision:.3f}",
                      f"{s.recall:.3f}", f"{s.f1:.3f}")
    console.print(table)
    for key, value in report.extra.items():
        console.print(f"{key}: {value}")
    if report.calibration.get("bins"):
        cal = Table("confidence", "events", "mean confidence", "share right",
                    title="calibration (every coded event)", header_style="bold")
        for row in report.calibration["bins"]:
            cal.add_row(row["bin"], str(row["events"]), f"{row['mean_confidence']:.3f}",
                        f"{row['share_right']:.3f}")
        console.print(cal)
        console.print(f"expected calibration error: "
                      f"{report.calibration['expected_calibration_error']}, "
                      f"Brier score: {report.calibration['brier']}")
    if report.confusion:
        types = sorted({g for g, _ in report.confusion})
        conf = Table("gold \\ ours", *[t[:5] for t in types], "-", "other",
                     title="event-type confusion", header_style="bold")
        for g in types:
            row = [str(report.confusion[(g, o)] or "") for o in types]
            other = sum(v for (gg, o), v in report.confusion.items() if gg == g and o not in
                        types and o != "-")
            conf.add_row(g, *row, str(report.confusion[(g, "-")] or ""), str(other or ""))
        console.print(conf)
    for miss in report.misses[:errors]:
        console.print(miss, highlight=False, markup=False)
