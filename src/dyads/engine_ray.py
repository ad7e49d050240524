"""`dyads code --engine ray`: the local engine's per-article function mapped with Ray Data.

The driver streams the inputs (rejects go straight to the store), cuts the new articles into
shards, and for each shard:

1. hands the articles to Ray Data as Arrow blocks (`ray.data.from_arrow`);
2. maps `CodeBatch` over them with `map_batches(compute=ActorPoolStrategy(size=workers))`:
   a callable class, so each worker loads spaCy and the knowledge base once and then runs
   `dyads.pipeline.Pipeline.code` — the very function the local engine runs — on its batches;
3. streams the results back and writes them as Parquet (articles, paragraphs, events) into a
   temporary folder;
4. loads the three Parquet files into the DuckDB store in one transaction, skipping articles
   already stored (the same idempotency as `Store.write`).

Stories are rebuilt once at the end. Events are deterministic, so the store ends up identical
to a local run on the same input (tests/test_scale.py checks it).

The driver fetches results itself (`iter_batches`), so `--address` works with a remote
cluster without a shared file system; the workers only need dyads installed (and any
`--actors`/`--lexicon` files at the same absolute path).
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from rich.markup import escape

from .model import Article, CodedArticle, Event, Reject, RunCounts

SHARD_SIZE = 25_000  # articles per shard: bounds the driver's memory; the commit unit
BATCH_SIZE = 32  # articles per map_batches call: small enough to balance the workers

ARTICLE_SCHEMA = pa.schema([
    ("article_id", pa.string()), ("doc_name", pa.string()), ("text", pa.string()),
    ("title", pa.string()), ("source", pa.string()), ("url", pa.string()),
    ("published", pa.date32()), ("lang", pa.string())])
PARAGRAPH_TYPE = pa.struct([
    ("article_id", pa.string()), ("idx", pa.int32()), ("start_char", pa.int32()),
    ("end_char", pa.int32()), ("kept", pa.bool_()), ("reason", pa.string()),
    ("is_headline", pa.bool_())])
EVENT_TYPES = {"date": pa.date32(), "quad_class": pa.int32(), "goldstein": pa.float64(),
               "confidence": pa.float64(), "sentence_start": pa.int32(),
               "sentence_end": pa.int32()}
EVENT_TYPE = pa.struct([(f.name, EVENT_TYPES.get(f.name, pa.string()))
                        for f in dataclasses.fields(Event)])
RESULT_SCHEMA = pa.schema([*ARTICLE_SCHEMA, ("n_events", pa.int32()),
                           ("paragraphs", pa.list_(PARAGRAPH_TYPE)),
                           ("events", pa.list_(EVENT_TYPE))])


# --- what runs on the workers ---------------------------------------------------------------

def articles_to_table(articles: Sequence[Article]) -> pa.Table:
    return pa.Table.from_pylist([dataclasses.asdict(a) for a in articles], schema=ARTICLE_SCHEMA)


def table_to_articles(table: pa.Table) -> list[Article]:
    return [Article(**row) for row in table.select(ARTICLE_SCHEMA.names).to_pylist()]


def coded_to_table(coded: Iterable[CodedArticle]) -> pa.Table:
    rows = []
    for c in coded:
        paragraphs = [{"article_id": p.article_id, "idx": p.index, "start_char": p.start,
                       "end_char": p.end, "kept": p.kept, "reason": p.reason,
                       "is_headline": p.is_headline} for p in c.paragraphs]
        rows.append({**dataclasses.asdict(c.article), "n_events": len(c.events),
                     "paragraphs": paragraphs,
                     "events": [dataclasses.asdict(e) for e in c.events]})
    return pa.Table.from_pylist(rows, schema=RESULT_SCHEMA)


class CodeBatch:
    """A Ray Data callable class: one Pipeline per worker, loaded once, reused for every batch."""

    def __init__(self, actors: Sequence[str] = (), lexicons: Sequence[str] = ()) -> None:
        from .pipeline import Pipeline

        self.pipeline = Pipeline([Path(p) for p in actors], [Path(p) for p in lexicons])

    def __call__(self, batch: pa.Table) -> pa.Table:
        return coded_to_table(self.pipeline.code(table_to_articles(batch)))


# --- the driver -----------------------------------------------------------------------------

def shards(items: Iterable[Article | Reject], size: int,
           on_reject) -> Iterator[list[Article]]:
    shard: list[Article] = []
    for item in items:
        if isinstance(item, Reject):
            on_reject(item)
            continue
        shard.append(item)
        if len(shard) >= size:
            yield shard
            shard = []
    if shard:
        yield shard


def start_ray(address: str | None, workers: int) -> bool:
    """Connect to (or start) Ray; True when this call started it and should shut it down."""
    import logging

    import ray

    if ray.is_initialized():
        return False
    options: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.WARNING,
                               "configure_logging": True}
    if address:
        ray.init(address=address, **options)
    else:
        ray.init(num_cpus=max(workers, os.cpu_count() or 1), include_dashboard=False, **options)
    return True


def quiet_ray_data() -> None:
    import logging

    import ray.data

    logging.getLogger("ray.data").setLevel(logging.ERROR)
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    ctx.enable_operator_progress_bars = False
    ctx.print_on_execution_start = False
    ctx.enable_auto_log_stats = False
    ctx.execution_options.verbose_progress = False


def map_shard(articles: list[Article], folder: Path, workers: int, actors: Sequence[str],
              lexicons: Sequence[str], batch_size: int = BATCH_SIZE,
              on_batch=None) -> dict[str, Path]:
    """Code one shard on the cluster; the results land as three Parquet files in `folder`."""
    import ray.data

    table = articles_to_table(articles)
    # at least four batches per worker, so that no worker idles while another finishes
    batch_size = max(1, min(batch_size, len(articles) // (4 * workers)))
    n_blocks = -(-len(articles) // batch_size)
    blocks = [table.slice(i * batch_size, batch_size) for i in range(n_blocks)]
    ds = ray.data.from_arrow(blocks).map_batches(
        CodeBatch, batch_size=batch_size, batch_format="pyarrow",
        compute=ray.data.ActorPoolStrategy(size=workers), num_cpus=1,
        fn_constructor_kwargs={"actors": list(actors), "lexicons": list(lexicons)})
    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: folder / f"{name}.parquet" for name in ("articles", "paragraphs", "events")}
    article_cols = [*ARTICLE_SCHEMA.names, "n_events"]
    writers = {
        "articles": pq.ParquetWriter(paths["articles"],
                                     pa.schema([RESULT_SCHEMA.field(c) for c in article_cols])),
        "paragraphs": pq.ParquetWriter(paths["paragraphs"], pa.schema(list(PARAGRAPH_TYPE))),
        "events": pq.ParquetWriter(paths["events"], pa.schema(list(EVENT_TYPE))),
    }
    try:
        for batch in ds.iter_batches(batch_size=None, batch_format="pyarrow"):
            writers["articles"].write_table(batch.select(article_cols))
            if on_batch is not None:
                on_batch(batch.num_rows)
            for name in ("paragraphs", "events"):
                flat = batch.column(name).combine_chunks().flatten()
                writers[name].write_table(pa.Table.from_struct_array(flat))
    finally:
        for writer in writers.values():
            writer.close()
    return paths


def sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def load_shard(store, paths: dict[str, Path]) -> tuple[int, int]:
    """Insert a shard's Parquet results in one transaction; returns (new articles, events)."""
    con = store.con
    article_cols = ", ".join(f'"{c}"' for c in ARTICLE_SCHEMA.names)
    para_cols = ", ".join(f'"{f.name}"' for f in PARAGRAPH_TYPE)
    event_cols = ", ".join(f'"{f.name}"' for f in EVENT_TYPE)
    fresh = (f"SELECT * FROM read_parquet({sql_path(paths['articles'])}) "
             "WHERE article_id NOT IN (SELECT article_id FROM articles) "
             "QUALIFY row_number() OVER (PARTITION BY article_id) = 1")
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"CREATE TEMP TABLE fresh_articles AS {fresh}")
        con.execute(f"INSERT OR IGNORE INTO articles ({article_cols}, n_events, coded_at) "
                    f"SELECT {article_cols}, n_events, ? FROM fresh_articles", [datetime.now()])
        con.execute(f"INSERT OR IGNORE INTO paragraphs ({para_cols}) SELECT {para_cols} "
                    f"FROM read_parquet({sql_path(paths['paragraphs'])}) "
                    "WHERE article_id IN (SELECT article_id FROM fresh_articles)")
        con.execute(f"INSERT OR IGNORE INTO events ({event_cols}) SELECT {event_cols} "
                    f"FROM read_parquet({sql_path(paths['events'])}) "
                    "WHERE article_id IN (SELECT article_id FROM fresh_articles)")
        new, events = con.execute(
            "SELECT count(*), coalesce(sum(n_events), 0) FROM fresh_articles").fetchone()
        con.execute("DROP TABLE fresh_articles")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return int(new), int(events)


def code_items(items: Iterable[Article | Reject], store, *, workers: int = 2,
               actors: Sequence[Path] = (), lexicons: Sequence[Path] = (),
               shard_size: int = SHARD_SIZE, batch_size: int = BATCH_SIZE,
               console=None, connect=None) -> RunCounts:
    """Code a stream of articles on Ray into an open Store.

    `connect` (if given) is called before the first shard that has new articles, so a run with
    nothing new never starts Ray; without it Ray must already be running.
    """
    counts = RunCounts(workers=max(1, workers))
    started, connected = time.perf_counter(), False
    actor_files = [str(Path(p).resolve()) for p in actors]
    lexicon_files = [str(Path(p).resolve()) for p in lexicons]

    def arrived(n: int) -> None:
        counts.arrivals.append((time.perf_counter() - started, n))

    def on_reject(item: Reject) -> None:
        store.reject(item)
        counts.rejected += 1
        if console is not None:
            console.print(f"[yellow]rejected[/yellow] {escape(item.origin)}: {item.reason} "
                          f"({escape(item.detail[:120])})")

    with tempfile.TemporaryDirectory(prefix="dyads-ray-") as tmp:
        for number, shard in enumerate(shards(items, shard_size, on_reject)):
            counts.read += len(shard)
            known = store.known_ids([a.article_id for a in shard])
            todo = []
            for article in shard:  # the first of several copies wins, as across batches
                if article.article_id not in known:
                    known.add(article.article_id)
                    todo.append(article)
            counts.skipped += len(shard) - len(todo)
            if not todo:
                continue
            if not connected:
                workers, connected = ready_workers(counts, connect, console), True
            paths = map_shard(todo, Path(tmp) / f"shard-{number:05d}", workers, actor_files,
                              lexicon_files, batch_size, on_batch=arrived)
            new, events = load_shard(store, paths)
            counts.skipped += len(todo) - new
            counts.new += new
            counts.events += events
            for path in paths.values():
                path.unlink()
            if console is not None:
                console.print(f"shard {number}: {new} articles coded, {events} events "
                              f"({time.perf_counter() - started:.1f} s)")
    if counts.new:
        from .stories import rebuild_stories

        counts.stories = rebuild_stories(store.con)
    counts.seconds = time.perf_counter() - started
    return counts


def ready_workers(counts: RunCounts, connect, console) -> int:
    """Connect (once), quiet Ray Data, and cut the pool to the cluster's CPUs."""
    import ray

    if connect is not None and not ray.is_initialized():
        connect()
    quiet_ray_data()
    cpus = int(ray.cluster_resources().get("CPU", 0)) or counts.workers
    if counts.workers > cpus:  # an actor pool larger than the cluster would wait for ever
        if console is not None:
            console.print(f"[yellow]{counts.workers} workers asked, the cluster has {cpus} "
                          f"CPUs: using {cpus}[/yellow]")
        counts.workers = cpus
    return counts.workers


def summary(counts: RunCounts, db: str) -> str:
    return counts.summary(db) + f" (ray, {counts.workers} workers, {counts.seconds:.1f} s)"


def code_with_ray(paths: list[Path], db: str, *, default_date: date | None = None,
                  source: str = "", actors: Sequence[Path] = (), lexicons: Sequence[Path] = (),
                  address: str | None = None, workers: int = 2, console=None,
                  shard_size: int = SHARD_SIZE) -> str:
    """`dyads code --engine ray`: returns a one-line summary like the local engine's."""
    import ray

    from .sources import read_articles
    from .store import Store, StoreLocked

    try:
        store = Store(db)
    except StoreLocked as exc:
        if console is not None:
            console.print(f"[red]{exc}[/red]")
        raise SystemExit(2) from exc
    started_here = False

    def connect() -> None:
        nonlocal started_here
        started_here = start_ray(address, workers)

    try:
        items = read_articles(list(paths), source=source, default_date=default_date)
        counts = code_items(items, store, workers=workers, actors=actors, lexicons=lexicons,
                            shard_size=shard_size, console=console, connect=connect)
    finally:
        store.close()
        if started_here:
            ray.shutdown()
    return summary(counts, db)
