"""Pairwise evaluation of story de-duplication on labelled article pairs.

Each pair holds two short articles and whether they report the same real-world event. Both
are coded into a fresh store, stories are built, and the pair is predicted "same" when an
event of one article shares a story with an event of the other. A pair where either side
yields no event is predicted "different" (and counted, so coder misses show up here too).
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .pipeline import Pipeline
from .sources import make_article, parse_date
from .store import Store
from .stories import rebuild_stories


@dataclass
class DedupReport:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    no_event_pairs: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    def summary(self) -> dict:
        return {"pairs": self.tp + self.fp + self.fn + self.tn, "tp": self.tp, "fp": self.fp,
                "fn": self.fn, "tn": self.tn, "precision": round(self.precision, 3),
                "recall": round(self.recall, 3), "pairs_without_events": self.no_event_pairs}


def is_dedup_file(path: Path) -> bool:
    with open(path, encoding="utf-8") as fh:
        return '"same_event"' in fh.readline()


def article_of(side: dict, name: str):
    text = side["text"]
    title = text.strip().splitlines()[0] if text.strip() else ""
    return make_article(name, text, title=title, source=side.get("source", ""),
                        published=parse_date(side.get("date")))


def evaluate_pairs(path: Path) -> DedupReport:
    pairs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    pipeline = Pipeline()
    report = DedupReport()
    with tempfile.TemporaryDirectory() as tmp:
        for pair in pairs:
            a, b = article_of(pair["a"], pair["id"] + "a"), article_of(pair["b"], pair["id"] + "b")
            store = Store(Path(tmp) / f"{pair['id']}.duckdb")
            store.write(pipeline.code([a, b]))
            rebuild_stories(store.con)
            stories = store.query("SELECT article_id, story_id FROM events")[1]
            store.close()
            ids_a = {s for aid, s in stories if aid == a.article_id}
            ids_b = {s for aid, s in stories if aid == b.article_id}
            if not ids_a or not ids_b:
                report.no_event_pairs += 1
            predicted = bool(ids_a & ids_b)
            gold = bool(pair["same_event"])
            if predicted and gold:
                report.tp += 1
            elif predicted:
                report.fp += 1
                report.errors.append(f"{pair['id']} false merge: {pair.get('note', '')}")
            elif gold:
                report.fn += 1
                why = "no event" if not ids_a or not ids_b else "not joined"
                report.errors.append(f"{pair['id']} missed ({why}): {pair.get('note', '')}")
            else:
                report.tn += 1
    return report
