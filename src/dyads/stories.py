"""Stories: events from different articles that report the same real-world event.

Candidate pairs are blocked by dyad and date window, so the work grows with the number of
reports of each dyad, not with the square of the database.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from .knowledge import load_yaml


@dataclass(frozen=True)
class StoryRules:
    window_days: int
    min_similarity: float
    symmetric_roots: frozenset[str]


@lru_cache(maxsize=1)
def story_rules() -> StoryRules:
    data = load_yaml("stories.yaml")
    return StoryRules(int(data["window_days"]), float(data["min_similarity"]),
                      frozenset(str(r) for r in data["symmetric_roots"]))


@dataclass
class EventRow:
    event_id: str
    article_id: str
    source: str  # country: "Moscow" and "Putin" report the same Russian act
    target: str
    cameo_root: str
    plover_type: str
    date: date | None
    evidence: str
    confidence: float
    source_name: str = ""  # the article's source (outlet)


def dyad_key(ev: EventRow, rules: StoryRules) -> tuple[str, str, str]:
    pair = (ev.source, ev.target)
    if ev.cameo_root in rules.symmetric_roots:
        pair = tuple(sorted(pair))  # type: ignore[assignment]
    return (*pair, ev.cameo_root if ev.cameo_root not in rules.symmetric_roots else "sym")


def compatible(a: EventRow, b: EventRow) -> bool:
    return a.cameo_root == b.cameo_root or (a.plover_type != "" and a.plover_type == b.plover_type)


class UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self.parent[max(ri, rj)] = min(ri, rj)


def similarity_matrix(texts: list[str]):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                              lowercase=True).fit_transform(texts)
    return vectors


def cluster(events: list[EventRow], rules: StoryRules | None = None) -> list[list[int]]:
    """Groups of indices into `events`, each group one story (singletons included)."""
    rules = rules or story_rules()
    if not events:
        return []
    vectors = similarity_matrix([e.evidence for e in events])
    uf = UnionFind(len(events))
    blocks: dict[tuple, list[int]] = defaultdict(list)
    for i, ev in enumerate(events):
        blocks[dyad_key(ev, rules)].append(i)
    # codes of different roots can still be compatible through their PLOVER type
    for block in blocks.values():
        block.sort(key=lambda i: events[i].date or date.min)
        for pos, i in enumerate(block):
            for j in block[pos + 1:]:
                a, b = events[i], events[j]
                if a.date and b.date and (b.date - a.date).days > rules.window_days:
                    break
                if not compatible(a, b):
                    continue
                if a.article_id == b.article_id:
                    uf.union(i, j)  # one article telling one act twice (headline, both sides)
                    continue
                sim = float(vectors[i].multiply(vectors[j]).sum())
                if sim >= rules.min_similarity:
                    uf.union(i, j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(events)):
        groups[uf.find(i)].append(i)
    return list(groups.values())


def story_id_for(events: list[EventRow]) -> str:
    first = min(e.event_id for e in events)
    return "s" + hashlib.sha1(first.encode()).hexdigest()[:15]


STORY_SQL = """
SELECT e.event_id, e.article_id, e.source_country, e.target_country, e.cameo_root, e.plover_type,
       e.date, e.evidence, e.confidence, coalesce(a.source, '')
FROM events e JOIN articles a USING (article_id)
ORDER BY e.date, e.event_id
"""


def rebuild_stories(con) -> int:
    """Recompute every story in a DuckDB store; returns the number of stories."""
    rows = [EventRow(*r) for r in con.execute(STORY_SQL).fetchall()]
    groups = cluster(rows)
    assignments, stories = [], []
    for group in groups:
        members = [rows[i] for i in group]
        sid = story_id_for(members)
        canonical = max(members, key=lambda e: (e.confidence, -len(e.evidence)))
        dates = [e.date for e in members if e.date]
        stories.append({
            "story_id": sid, "first_date": min(dates) if dates else None,
            "last_date": max(dates) if dates else None,
            "n_articles": len({e.article_id for e in members}),
            "n_sources": len({e.source_name for e in members if e.source_name}) or 1,
            "n_events": len(members), "canonical_event_id": canonical.event_id,
        })
        assignments += [{"event_id": e.event_id, "story_id": sid} for e in members]
    write_stories(con, stories, assignments)
    return len(stories)


def write_stories(con, stories: list[dict], assignments: list[dict]) -> None:
    import pyarrow as pa

    story_table = pa.Table.from_pylist(stories, schema=pa.schema([
        ("story_id", pa.string()), ("first_date", pa.date32()), ("last_date", pa.date32()),
        ("n_articles", pa.int32()), ("n_sources", pa.int32()), ("n_events", pa.int32()),
        ("canonical_event_id", pa.string())]))
    assign_table = pa.Table.from_pylist(assignments, schema=pa.schema([
        ("event_id", pa.string()), ("story_id", pa.string())]))
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM stories")
        con.register("story_rows", story_table)
        con.register("assign_rows", assign_table)
        con.execute("INSERT INTO stories SELECT * FROM story_rows")
        con.execute("UPDATE events SET story_id = assign_rows.story_id FROM assign_rows "
                    "WHERE events.event_id = assign_rows.event_id")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("story_rows")
        con.unregister("assign_rows")
