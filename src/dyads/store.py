"""The DuckDB store: articles, paragraphs (with drop reasons), events and rejects.

Each batch of articles is written in one transaction, and an article already present (same
article_id, i.e. same normalised text) is skipped: re-running never duplicates, and a run
killed mid-way resumes where its last committed batch ended.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from .model import EVENT_COLUMNS, CodedArticle, Reject

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    article_id VARCHAR PRIMARY KEY, doc_name VARCHAR, source VARCHAR, url VARCHAR,
    title VARCHAR, published DATE, text VARCHAR, lang VARCHAR, n_events INTEGER,
    coded_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS paragraphs (
    article_id VARCHAR, idx INTEGER, start_char INTEGER, end_char INTEGER, kept BOOLEAN,
    reason VARCHAR, is_headline BOOLEAN, PRIMARY KEY (article_id, idx));
CREATE TABLE IF NOT EXISTS events (
    event_id VARCHAR PRIMARY KEY, article_id VARCHAR, doc_name VARCHAR, date DATE,
    source_code VARCHAR, source_country VARCHAR, source_sector VARCHAR, source_name VARCHAR,
    target_code VARCHAR, target_country VARCHAR, target_sector VARCHAR, target_name VARCHAR,
    cameo_code VARCHAR, cameo_root VARCHAR, plover_type VARCHAR, plover_mode VARCHAR,
    quad_class INTEGER, goldstein DOUBLE, modality VARCHAR, speaker VARCHAR,
    confidence DOUBLE, evidence VARCHAR, sentence_start INTEGER, sentence_end INTEGER,
    story_id VARCHAR);
CREATE TABLE IF NOT EXISTS stories (
    story_id VARCHAR PRIMARY KEY, first_date DATE, last_date DATE, n_articles INTEGER,
    n_sources INTEGER, n_events INTEGER, canonical_event_id VARCHAR);
CREATE TABLE IF NOT EXISTS rejects (
    origin VARCHAR, reason VARCHAR, detail VARCHAR, seen_at TIMESTAMP,
    PRIMARY KEY (origin, reason));
"""


class StoreLocked(RuntimeError):
    """Another process holds the database for writing."""


class Store:
    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.path = str(path)
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.IOException as exc:
            hint = (" (another process is using it: wait for it to finish, or use another --db)"
                    if "lock" in str(exc).lower() else "")
            raise StoreLocked(f"cannot open {self.path}{hint}: {exc}") from exc
        if not read_only:
            self.con.execute(SCHEMA)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def known_ids(self, ids: Sequence[str]) -> set[str]:
        if not ids:
            return set()
        rows = self.con.execute(
            "SELECT article_id FROM articles WHERE article_id IN (SELECT unnest(?))",
            [list(ids)]).fetchall()
        return {r[0] for r in rows}

    def insert_rows(self, table: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        data = pa.Table.from_pylist(rows)  # noqa: F841 - read by DuckDB's replacement scan
        cols = ", ".join(f'"{c}"' for c in rows[0])
        self.con.execute(f"INSERT OR IGNORE INTO {table} ({cols}) SELECT {cols} FROM data")

    def write(self, coded: Iterable[CodedArticle]) -> int:
        """Write a batch in one transaction; returns how many articles were new."""
        batch = list(coded)
        known = self.known_ids([c.article.article_id for c in batch])
        fresh = [c for c in batch if c.article.article_id not in known]
        fresh = list({c.article.article_id: c for c in fresh}.values())
        if not fresh:
            return 0
        now = datetime.now()
        articles = [{**dataclasses.asdict(c.article), "n_events": len(c.events), "coded_at": now}
                    for c in fresh]
        paragraphs = [{"article_id": p.article_id, "idx": p.index, "start_char": p.start,
                       "end_char": p.end, "kept": p.kept, "reason": p.reason,
                       "is_headline": p.is_headline} for c in fresh for p in c.paragraphs]
        events = [dataclasses.asdict(e) for c in fresh for e in c.events]
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.insert_rows("articles", articles)
            self.insert_rows("paragraphs", paragraphs)
            self.insert_rows("events", events)
            self.con.execute("COMMIT")
        except Exception:
            self.con.execute("ROLLBACK")
            raise
        return len(fresh)

    def reject(self, reject: Reject) -> None:
        self.con.execute("INSERT OR REPLACE INTO rejects VALUES (?, ?, ?, ?)",
                         [reject.origin, reject.reason, reject.detail[:2000], datetime.now()])

    def reject_many(self, rejects: Iterable[Reject]) -> int:
        """Record many rejects in one statement (a file of a million broken lines stays fast)."""
        now = datetime.now()
        rows = {(r.origin, r.reason): {"origin": r.origin, "reason": r.reason,
                                       "detail": r.detail[:2000], "seen_at": now}
                for r in rejects}
        if rows:
            data = pa.Table.from_pylist(list(rows.values()))  # noqa: F841 - DuckDB scans it
            self.con.execute("INSERT OR REPLACE INTO rejects SELECT origin, reason, detail, "
                             "seen_at FROM data")
        return len(rows)

    def query(self, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple]]:
        cursor = self.con.execute(sql, list(params))
        cols = [d[0] for d in cursor.description]
        return cols, cursor.fetchall()

    def events(self, flt: EventFilter | None = None,
               limit: int | None = None) -> tuple[list[str], list[tuple]]:
        """Events that pass the filter (the same filter as the API's), in date order."""
        where, params = (flt or EventFilter()).where()
        cols = ", ".join(f"e.{c}" for c in EVENT_COLUMNS)
        sql = (f"SELECT {cols} FROM events e WHERE {where} "
               "ORDER BY e.date, e.doc_name, e.sentence_start")
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        return self.query(sql, params)


# ---- the event filter, shared by the CLI and every API view ------------------------------

def like_escape(text: str) -> str:
    return re.sub(r"([\\%_])", r"\\\1", text)


@dataclasses.dataclass
class EventFilter:
    actor: str = ""
    partner: str = ""
    source: str = ""
    target: str = ""
    code: str = ""
    root: str = ""
    plover: str = ""
    quad: tuple[int, ...] = ()
    modality: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    story: str = ""
    article: str = ""
    q: str = ""
    min_confidence: float = 0.0
    one_per_story: bool = False

    @staticmethod
    def side(side: str, value: str) -> tuple[str, list[Any]]:
        return (f"(e.{side}_code LIKE ? OR e.{side}_country = ?)", [f"{value}%", value])

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []

        def add(sql: str, *values: Any) -> None:
            clauses.append(sql)
            params.extend(values)

        if self.actor and self.partner:
            a_src, pa = self.side("source", self.actor)
            b_tgt, pb = self.side("target", self.partner)
            b_src, pc = self.side("source", self.partner)
            a_tgt, pd = self.side("target", self.actor)
            add(f"(({a_src} AND {b_tgt}) OR ({b_src} AND {a_tgt}))", *pa, *pb, *pc, *pd)
        elif self.actor or self.partner:
            one = self.actor or self.partner
            src, ps = self.side("source", one)
            tgt, pt = self.side("target", one)
            add(f"({src} OR {tgt})", *ps, *pt)
        if self.source:
            sql, values = self.side("source", self.source)
            add(sql, *values)
        if self.target:
            sql, values = self.side("target", self.target)
            add(sql, *values)
        if self.code:
            add("e.cameo_code LIKE ?", f"{self.code}%")
        if self.root:
            add("e.cameo_root = ?", self.root)
        if self.plover:
            add("e.plover_type = ?", self.plover)
        if self.quad:
            add("e.quad_class IN (SELECT unnest(?))", list(self.quad))
        if self.modality:
            add("e.modality = ?", self.modality)
        if self.since:
            add("e.date >= ?", self.since)
        if self.until:
            add("e.date <= ?", self.until)
        if self.story:
            add("e.story_id = ?", self.story)
        if self.article:
            add("e.article_id = ?", self.article)
        if self.q:
            add("e.evidence ILIKE ? ESCAPE '\\'", f"%{like_escape(self.q)}%")
        if self.min_confidence:
            add("e.confidence >= ?", self.min_confidence)
        if self.one_per_story:
            add("(coalesce(e.story_id, '') = '' OR e.event_id IN "
                "(SELECT s.canonical_event_id FROM stories s WHERE s.story_id = e.story_id))")
        return (" AND ".join(clauses) or "TRUE"), params
