from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from dyads.model import Event
from dyads.pipeline import Pipeline
from dyads.sources import make_article

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    return Pipeline()


@pytest.fixture(scope="session")
def code_text(pipeline):
    """Code one text as an article and return its events."""

    def run(text: str, when: date = date(2024, 3, 5), title: str = "") -> list[Event]:
        article = make_article("t", text, title=title, published=when)
        return next(iter(pipeline.code([article]))).events

    return run


def triples(events: list[Event]) -> set[tuple[str, str, str]]:
    return {(e.source_code, e.cameo_code, e.target_code) for e in events}


def roots(events: list[Event]) -> set[tuple[str, str, str]]:
    return {(e.source_country, e.cameo_root, e.target_country) for e in events}


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present (../shared is beside the checkout in CI)")
    return path


def db_rows(db: Path | str, sql: str) -> list[tuple]:
    """The rows of a query on a DuckDB file, opened read-only and closed again."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()
