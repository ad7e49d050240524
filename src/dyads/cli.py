"""The dyads command line."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .model import EVENT_COLUMNS, Article, Reject

app = typer.Typer(help="Raw news in, traceable who-did-what-to-whom political events out.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
console = Console(width=None if Console().is_terminal else 160)
DB = typer.Option("dyads.duckdb", "--db", help="DuckDB file")


def parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"not a YYYY-MM-DD date: {value}") from exc


def open_store(db: str, read_only: bool = False):
    from .store import Store, StoreLocked

    if read_only and not Path(db).exists():
        console.print(f"[red]no database at {db}[/red] (run `dyads code` first)")
        raise typer.Exit(1)
    try:
        return Store(db, read_only=read_only)
    except StoreLocked as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


@app.command()
def code(
    paths: list[Path] = typer.Argument(..., help="files or folders (.txt .jsonl .html, .gz)"),
    db: str = DB,
    day: str = typer.Option(None, "--date", help="date for articles that carry none"),
    source: str = typer.Option("", "--source", help="source name for articles that carry none"),
    actors: list[Path] = typer.Option([], "--actors", help="extra actor YAML"),
    lexicon: list[Path] = typer.Option([], "--lexicon", help="extra lexicon YAML"),
    batch: int = typer.Option(64, help="articles per parse batch and per transaction"),
) -> None:
    """Code articles into events in the DuckDB store (re-running adds nothing twice)."""
    from .pipeline import Pipeline
    from .sources import read_articles

    default_date = parse_day(day)
    pipeline = Pipeline(actors, lexicon, batch_size=batch)
    store = open_store(db)
    counts = {"read": 0, "new": 0, "skipped": 0, "rejected": 0, "events": 0}
    progress = Progress(TextColumn("coding"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[events]} events"), TimeElapsedColumn(),
                        console=console, transient=not console.is_terminal)
    with progress:
        task = progress.add_task("code", total=None, events=0)
        pending: list[Article] = []

        def flush() -> None:
            fresh_ids = set(a.article_id for a in pending) - store.known_ids(
                [a.article_id for a in pending])
            todo = [a for a in pending if a.article_id in fresh_ids]
            counts["skipped"] += len(pending) - len(todo)
            coded = list(pipeline.code(todo))
            counts["new"] += store.write(coded)
            counts["events"] += sum(len(c.events) for c in coded)
            progress.update(task, advance=len(pending), events=counts["events"])
            pending.clear()

        for item in read_articles(paths, source=source, default_date=default_date):
            if isinstance(item, Reject):
                store.reject(item)
                counts["rejected"] += 1
                console.print(f"[yellow]rejected[/yellow] {item.origin}: {item.reason} "
                              f"({item.detail[:120]})")
                continue
            counts["read"] += 1
            pending.append(item)
            if len(pending) >= batch:
                flush()
        if pending:
            flush()
    store.close()
    console.print(f"read {counts['read']} articles: {counts['new']} coded, "
                  f"{counts['skipped']} already in {db}, {counts['rejected']} rejected; "
                  f"{counts['events']} events")


@app.command()
def events(
    db: str = DB,
    actor: str = typer.Option("", help="actor code prefix or country (RUS, ARMGOV)"),
    code_: str = typer.Option("", "--code", help="CAMEO code prefix or PLOVER type"),
    since: str = typer.Option("", help="YYYY-MM-DD"),
    until: str = typer.Option("", help="YYYY-MM-DD"),
    limit: int = typer.Option(50, help="rows to show"),
) -> None:
    """Show coded events as a table."""
    with open_store(db, read_only=True) as store:
        cols, rows = store.events(actor=actor, code=code_, since=since, until=until, limit=limit)
    table = Table(show_lines=False, header_style="bold")
    shown = ["date", "source_code", "cameo_code", "plover_type", "target_code", "modality",
             "confidence", "evidence"]
    for name in shown:
        table.add_column(name, overflow="fold", max_width=70 if name == "evidence" else None)
    for row in rows:
        record = dict(zip(cols, row, strict=True))
        table.add_row(*[str(record[c]) if record[c] is not None else "" for c in shown])
    console.print(table)
    console.print(f"{len(rows)} events shown")


@app.command()
def articles(db: str = DB, limit: int = typer.Option(50)) -> None:
    """List coded articles with their kept/dropped paragraph counts."""
    with open_store(db, read_only=True) as store:
        cols, rows = store.query(
            "SELECT a.article_id, a.doc_name, a.published, a.n_events, "
            "count(*) FILTER (WHERE p.kept) AS kept, count(*) FILTER (WHERE NOT p.kept) AS dropped,"
            " a.title FROM articles a LEFT JOIN paragraphs p USING (article_id) "
            "GROUP BY ALL ORDER BY a.doc_name LIMIT ?", [limit])
    table = Table(*cols, header_style="bold")
    for row in rows:
        table.add_row(*[str(v) for v in row])
    console.print(table)


@app.command()
def article(article_id: str, db: str = DB) -> None:
    """One article: kept and dropped paragraphs (with the reason) and its events."""
    with open_store(db, read_only=True) as store:
        _, found = store.query("SELECT article_id, doc_name, title, text FROM articles "
                               "WHERE article_id LIKE ? OR doc_name = ?",
                               [f"{article_id}%", article_id])
        if not found:
            console.print(f"[red]no article {article_id}[/red]")
            raise typer.Exit(1)
        aid, doc_name, title, text = found[0]
        _, paras = store.query("SELECT idx, start_char, end_char, kept, reason FROM paragraphs "
                               "WHERE article_id = ? ORDER BY idx", [aid])
        _, evs = store.query("SELECT source_code, cameo_code, target_code, modality, "
                             "sentence_start FROM events WHERE article_id = ?", [aid])
    console.print(f"[bold]{doc_name}[/bold] {aid}\n{title}\n")
    for idx, start, end, kept, reason in paras:
        label = "[green]kept[/green]" if kept else f"[red]{reason}[/red]"
        console.print(f"{idx:>3} {label:<28} {text[start:end][:160]}", highlight=False)
    console.print()
    for src, code_, tgt, modality, start in evs:
        console.print(f"event {src} {code_} {tgt} ({modality}) at {start}")


@app.command()
def export(
    db: str = DB,
    fmt: str = typer.Option("jsonl", "--format", help="jsonl, csv or parquet"),
    output: Path = typer.Option(None, "-o", "--output", help="file (default: stdout for text)"),
) -> None:
    """Export events with the columns of the Event data model."""
    if fmt not in ("jsonl", "csv", "parquet"):
        raise typer.BadParameter("format must be jsonl, csv or parquet")
    cols = ", ".join(EVENT_COLUMNS)
    with open_store(db, read_only=True) as store:
        rel = store.con.sql(f"SELECT {cols} FROM events ORDER BY date, doc_name, sentence_start")
        if fmt == "parquet":
            if output is None:
                raise typer.BadParameter("parquet needs -o FILE")
            rel.write_parquet(str(output))
        elif fmt == "csv":
            if output is None:
                table = rel.to_arrow_table()
                import sys

                import pyarrow.csv as pacsv

                pacsv.write_csv(table, sys.stdout.buffer)
            else:
                rel.write_csv(str(output))
        else:
            _, rows = store.query(f"SELECT {cols} FROM events ORDER BY date, doc_name, "
                                  "sentence_start")
            lines = (json.dumps(dict(zip(EVENT_COLUMNS, r, strict=True)), default=str,
                                ensure_ascii=False) for r in rows)
            if output is None:
                for line in lines:
                    print(line)
            else:
                output.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


@app.command("eval")
def evaluate(
    gold: Path = typer.Argument(..., help="gold JSONL (PLOVER examples or PETRARCH2 format)"),
    actors: list[Path] = typer.Option([], "--actors"),
    lexicon: list[Path] = typer.Option([], "--lexicon"),
    errors: int = typer.Option(0, help="print this many misses"),
    as_json: bool = typer.Option(False, "--json", help="print the scores as JSON"),
) -> None:
    """Score the coder against a gold file: precision and recall per field."""
    from .evaluate import evaluate_file, render

    report = evaluate_file(gold, actors, lexicon)
    if as_json:
        print(json.dumps(report.summary(), indent=2))
    else:
        render(report, console, errors)


if __name__ == "__main__":
    app()
