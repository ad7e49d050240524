"""The DuckDB store: idempotent re-ingest, transactions, export schema, CLI round trip."""

import csv
import json
import subprocess
import sys
from datetime import date

import duckdb

from dyads.model import EVENT_COLUMNS
from dyads.sources import make_article
from dyads.store import Store

TEXT = ("Russia Condemns Strike\n\nRussian Foreign Minister Sergei Lavrov condemned Israel "
        "on Monday over the strike on Iran's consulate in Damascus.\n")


def test_coding_the_same_article_twice_adds_nothing(tmp_path, pipeline):
    db = tmp_path / "d.duckdb"
    article = make_article("a1", TEXT, title="Russia Condemns Strike",
                           published=date(2024, 4, 2))
    with Store(db) as store:
        first = store.write(pipeline.code([article]))
        again = store.write(pipeline.code([article]))
        # the same text arriving under another name is the same article
        renamed = make_article("copy-of-a1", TEXT, title="Russia Condemns Strike")
        third = store.write(pipeline.code([renamed]))
        n_articles = store.query("SELECT count(*) FROM articles")[1][0][0]
        n_events = store.query("SELECT count(*) FROM events")[1][0][0]
    assert (first, again, third) == (1, 0, 0)
    assert n_articles == 1
    assert n_events >= 1


def test_two_writers_get_a_clear_error_not_corruption(tmp_path):
    db = tmp_path / "d.duckdb"
    with Store(db):
        code = ("import sys\nfrom dyads.store import Store, StoreLocked\n"
                f"try:\n    Store({str(db)!r})\nexcept StoreLocked as e:\n"
                "    print('locked', e)\n    sys.exit(3)\n")
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 3 and "locked" in proc.stdout
    with Store(db) as store:  # still a valid database afterwards
        assert store.query("SELECT count(*) FROM articles")[1][0][0] == 0


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dyads.cli", *args], capture_output=True,
                          text=True, timeout=600)


def test_cli_code_events_and_export_columns(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "lavrov.txt").write_text(TEXT)
    (src / "broken.jsonl").write_text('{"id": 1, "text": ""}\n')
    db = str(tmp_path / "cli.duckdb")
    done = run_cli("code", str(src), "--db", db, "--date", "2024-04-02")
    assert done.returncode == 0, done.stderr
    assert "1 coded" in done.stdout and "1 rejected" in done.stdout
    assert "0 coded" in run_cli("code", str(src), "--db", db).stdout
    jsonl = tmp_path / "events.jsonl"
    assert run_cli("export", "--db", db, "--format", "jsonl", "-o", str(jsonl)).returncode == 0
    rows = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert rows and all(list(r) == EVENT_COLUMNS for r in rows)
    assert any(r["source_code"] == "RUSGOV" and r["target_country"] == "ISR" for r in rows)
    out_csv = tmp_path / "events.csv"
    assert run_cli("export", "--db", db, "--format", "csv", "-o", str(out_csv)).returncode == 0
    with open(out_csv) as fh:
        assert next(csv.reader(fh)) == EVENT_COLUMNS
    parquet = tmp_path / "events.parquet"
    assert run_cli("export", "--db", db, "--format", "parquet", "-o",
                   str(parquet)).returncode == 0
    cols = [d[0] for d in duckdb.sql(f"SELECT * FROM '{parquet}'").description]
    assert cols == EVENT_COLUMNS
    con = duckdb.connect(db, read_only=True)
    assert con.execute("SELECT reason FROM rejects").fetchall() == [("bad_content",)]


def test_cli_events_and_the_api_share_one_filter(tmp_path, pipeline):
    """`dyads events --actor --code` and the API's filter are one query builder: the CLI's
    PLOVER-type filter and the store's filtered read return the same events."""
    from conftest import ROOT
    from dyads.model import Reject
    from dyads.sources import read_articles
    from dyads.store import EventFilter

    db = tmp_path / "ex.duckdb"
    with Store(db) as store:
        articles = [a for a in read_articles([ROOT / "examples"]) if not isinstance(a, Reject)]
        store.write(pipeline.code(articles))
        _, everything = store.events()
        cols, accusations = store.events(EventFilter(actor="ARM", plover="ACCUSE"))
    assert 0 < len(accusations) < len(everything)
    rows = [dict(zip(cols, r, strict=True)) for r in accusations]
    assert all(r["plover_type"] == "ACCUSE" and "ARM" in (r["source_country"],
                                                         r["target_country"]) for r in rows)
    shown = run_cli("events", "--db", str(db), "--actor", "arm", "--code", "accuse")
    assert shown.returncode == 0, shown.stderr
    assert f"{len(rows)} events shown" in shown.stdout
