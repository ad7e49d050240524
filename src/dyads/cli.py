"""The dyads command line."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .model import EVENT_COLUMNS, Article, Reject, RunCounts

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
    engine: str = typer.Option("local", help="local, or ray (Ray Data over shards)"),
    address: str = typer.Option(None, "--address", help="Ray cluster address (engine ray)"),
    workers: int = typer.Option(2, help="Ray workers (engine ray)"),
    limits_: str = typer.Option("", "--limits", help="input limits, e.g. max_bytes=60000000,"
                                "max_future_days=7 (see docs/reliability.md)"),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="a line per committed batch"),
) -> None:
    """Code articles into events in the DuckDB store (re-running adds nothing twice)."""
    from rich.markup import escape

    from .pipeline import Pipeline
    from .sources import Limits, read_articles

    default_date = parse_day(day)
    try:
        limits = Limits.parse(limits_)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--limits") from exc
    if engine == "ray":
        from .engine_ray import code_with_ray

        summary = code_with_ray(paths, db, default_date=default_date, source=source,
                                actors=actors, lexicons=lexicon, address=address,
                                workers=workers, console=console)
        console.print(summary)
        return
    if engine != "local":
        raise typer.BadParameter("engine must be local or ray")
    store = open_store(db)  # before loading the model: a locked database fails at once
    pipeline = Pipeline(actors, lexicon, batch_size=batch)
    counts = RunCounts()
    progress = Progress(TextColumn("coding"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[events]} events"), TimeElapsedColumn(),
                        console=console, transient=not console.is_terminal)
    with progress:
        task = progress.add_task("code", total=None, events=0)
        pending: list[Article] = []
        rejects: list[Reject] = []
        by_reason: Counter[str] = Counter()

        def code_each(todo: list[Article]) -> list:
            """A batch that crashed the coder: code its articles one by one, and reject the
            ones that crash with the error, so that one bad article cannot stop the run."""
            coded = []
            for one in todo:
                try:
                    coded += list(pipeline.code([one]))
                except Exception as exc:  # noqa: BLE001
                    reject(Reject(f"{one.doc_name} ({one.article_id})", "coding_error",
                                  f"{type(exc).__name__}: {exc}"))
            return coded

        def flush() -> None:
            fresh_ids = set(a.article_id for a in pending) - store.known_ids(
                [a.article_id for a in pending])
            todo = [a for a in pending if a.article_id in fresh_ids]
            counts.skipped += len(pending) - len(todo)
            try:
                coded = list(pipeline.code(todo))
            except Exception:  # noqa: BLE001
                coded = code_each(todo)
            store.reject_many(rejects)
            rejects.clear()
            new = store.write(coded)
            counts.new += new
            counts.events += sum(len(c.events) for c in coded)
            counts.batches += 1
            if verbose:
                console.print(f"batch {counts.batches} committed: {new} new articles "
                              f"({counts.new} in all)", highlight=False)
            progress.update(task, advance=len(pending), events=counts.events)
            pending.clear()

        def reject(item: Reject) -> None:
            rejects.append(item)
            counts.rejected += 1
            by_reason[item.reason] += 1
            if counts.rejected <= 50:
                console.print(f"[yellow]rejected[/yellow] {escape(item.origin)}: {item.reason} "
                              f"({escape(item.detail[:120])})", highlight=False)
            elif counts.rejected == 51:
                console.print("[yellow]more rejects[/yellow]: not printed one by one (see the "
                              "rejects table)")
            if len(rejects) >= 10_000:
                store.reject_many(rejects)
                rejects.clear()

        for item in read_articles(paths, source=source, default_date=default_date,
                                  limits=limits):
            if isinstance(item, Reject):
                reject(item)
                continue
            counts.read += 1
            pending.append(item)
            if len(pending) >= batch:
                flush()
        if pending:
            flush()
        store.reject_many(rejects)
    if by_reason:
        console.print("rejected by reason: " + ", ".join(f"{reason} {n}" for reason, n
                                                           in by_reason.most_common()))
    if counts.new or store.query("SELECT count(*) FROM events WHERE story_id IS NULL "
                                    "OR story_id = ''")[1][0][0]:
        from .stories import rebuild_stories

        counts.stories = rebuild_stories(store.con)
    store.close()
    console.print(counts.summary(db))


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
    from .store import EventFilter

    plover = code_.upper() if code_.isalpha() else ""
    flt = EventFilter(actor=actor.upper(), code="" if plover else code_, plover=plover,
                      since=parse_day(since), until=parse_day(until))
    with open_store(db, read_only=True) as store:
        cols, rows = store.events(flt, limit=limit)
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
    print_rows(cols, rows)


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
    dictionaries: Path = typer.Option(
        None, "--dictionaries", help="PETRARCH dictionary folder: score petrarch2_unit_tests.jsonl "
        "with only its imported actors, agents and verbs (writes eval/results/FILE.json)"),
) -> None:
    """Score against a gold file: events (PLOVER, PETRARCH2), actor cases (NGEC), dedup pairs."""
    from .actor_eval import is_actor_case_file
    from .evaluate import evaluate_file, render

    if dictionaries is not None:
        from . import petrarch_units

        try:
            units = petrarch_units.run(gold, dictionaries)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        out = petrarch_units.results_path(gold)
        petrarch_units.write_json(units, out)
        if as_json:
            print(json.dumps(units.summary(), indent=2))
        else:
            petrarch_units.render(units, console, errors)
            console.print(f"wrote {out}")
        return
    if is_actor_case_file(gold):
        evaluate_actors(gold, actors, errors, as_json)
        return
    from .dedup_eval import evaluate_pairs, is_dedup_file

    if is_dedup_file(gold):
        dedup = evaluate_pairs(gold)
        if as_json:
            print(json.dumps(dedup.summary(), indent=2))
        else:
            console.print(dedup.summary())
        for line in dedup.errors[:errors]:
            console.print("  " + line, highlight=False)
        return

    report = evaluate_file(gold, actors, lexicon)
    if as_json:
        print(json.dumps(report.summary(), indent=2))
    else:
        render(report, console, errors)


def not_applicable_reason_of(result) -> bool:
    return result.why.startswith(("method", "marked", "PRE", "no country"))


def evaluate_actors(gold: Path, actors: list[Path], errors: int, as_json: bool) -> None:
    from .actor_eval import evaluate_actor_cases

    report = evaluate_actor_cases(gold, actors)
    applicable = report.applicable
    never = [r for r in report.results if not r.executed_by_ngec
             and not not_applicable_reason_of(r)]
    summary = {"cases": len(report.results), "applicable": len(applicable),
               "passed": sum(r.passed for r in applicable),
               "pass_rate": round(report.pass_rate, 3),
               "pass_rate_at_2022_06_01_only": round(report.strict_pass_rate, 3),
               "failures": dict(report.failure_categories()),
               "not_applicable": dict(Counter(r.why for r in report.results
                                              if not r.applicable and r.executed_by_ngec)),
               "never_executed_by_ngec": len(never),
               "never_executed_passed": sum(r.passed for r in never)}
    if as_json:
        print(json.dumps(summary, indent=2))
        return
    for key, value in summary.items():
        console.print(f"{key}: {value}")
    misses = [r for r in applicable if not r.passed][:errors]
    for r in misses:
        console.print(f"  {r.test}: {r.phrase!r} → {r.got} ({r.why})", highlight=False)


def print_rows(cols: list[str], rows: list, title: str = "") -> None:
    table = Table(*cols, title=title or None, header_style="bold")
    for row in rows:
        table.add_row(*["" if v is None else str(v) for v in row])
    console.print(table)


@app.command()
def stories(db: str = DB, limit: int = typer.Option(30), rebuild: bool = typer.Option(
        False, help="recompute the stories first")) -> None:
    """Stories: the same real-world event reported by several articles, counted once."""
    if rebuild:
        from .stories import rebuild_stories

        with open_store(db) as store:
            console.print(f"{rebuild_stories(store.con)} stories")
    with open_store(db, read_only=True) as store:
        cols, rows = store.query(
            "SELECT s.story_id, s.first_date, s.last_date, s.n_articles, s.n_sources, "
            "e.source_code, e.cameo_code, e.target_code, left(e.evidence, 90) AS evidence "
            "FROM stories s JOIN events e ON e.event_id = s.canonical_event_id "
            "ORDER BY s.n_articles DESC, s.first_date LIMIT ?", [limit])
    print_rows(cols, rows, "stories (most reported first)")


@app.command()
def relations(
    db: str = DB,
    period: str = typer.Option("month", help="week, month or year"),
    actor: str = typer.Option("", help="only dyads involving this country or actor code"),
    level: str = typer.Option("country", help="country or actor"),
    limit: int = typer.Option(60),
) -> None:
    """Per directed dyad and period: events by quad class, Goldstein sum/mean, net cooperation."""
    from .views import relations as relations_view

    with open_store(db, read_only=True) as store:
        try:
            cols, rows = relations_view(store.con, period, actor.upper(), level)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
    print_rows(cols, rows[:limit], f"relations per {period} ({level} level)")


@app.command()
def allies(country: str, day: str = typer.Option(None, "--date", help="YYYY-MM-DD")) -> None:
    """Allies and partners of a country on a date, and what binds them."""
    from .actors import knowledge_base
    from .alliances import Alliances

    when = parse_day(day) or date.today()
    ties = Alliances(knowledge_base()).ties(country.upper(), when)
    print_rows(["partner", "tie", "via"], [(t.partner, t.kind, t.via) for t in ties],
               f"{country.upper()} on {when}")


@app.command()
def grievances(
    db: str = DB,
    between_allies: bool = typer.Option(False, "--between-allies",
                                        help="only dyads that were allies/partners that day"),
    actor: str = typer.Option("", help="only dyads involving this country"),
) -> None:
    """Verbal and material conflict between states, grouped by dyad, with the evidence."""
    from .views import grievances as grievance_view

    with open_store(db, read_only=True) as store:
        groups = grievance_view(store.con, between_allies, actor.upper())
    if not groups:
        console.print("no grievances found")
    for g in groups:
        tie = g.relation or "no alliance"
        console.print(f"[bold]{g.source} → {g.target}[/bold] ({tie}): {len(g.events)} events, "
                      f"Goldstein {g.goldstein_sum}")
        for e in g.events:
            console.print(f"   {e['date']} {e['cameo_code']} {e['plover_type']:<9} "
                          f"{e['evidence'][:150]}", highlight=False)


plot_app = typer.Typer(help="Pictures of relations (PNG and SVG).", no_args_is_help=True)
app.add_typer(plot_app, name="plot")


@plot_app.command("network")
def plot_network(db: str = DB, out: Path = typer.Option(Path("docs/network"), "-o"),
                 level: str = typer.Option("country")) -> None:
    """Relations graph: nodes are actors, edges coloured by cooperation, width by volume."""
    from .plots import network

    with open_store(db, read_only=True) as store:
        paths = network(store.con, out, level)
    console.print("wrote " + ", ".join(str(p) for p in paths))


@plot_app.command("timeline")
def plot_timeline(dyad: str = typer.Option(..., help="e.g. ARM-RUS"), db: str = DB,
                  out: Path = typer.Option(None, "-o"),
                  period: str = typer.Option("month")) -> None:
    """Quad-class counts and Goldstein over time for a pair of countries."""
    from .plots import timeline

    out = out or Path(f"docs/timeline-{dyad.upper()}")
    with open_store(db, read_only=True) as store:
        try:
            paths = timeline(store.con, dyad, out, period)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
    console.print("wrote " + ", ".join(str(p) for p in paths))


@app.command()
def serve(
    db: str = DB,
    host: str = typer.Option("127.0.0.1", help="interface to listen on"),
    port: int = typer.Option(8000, help="port"),
    token: str = typer.Option(None, "--token", envvar="DYADS_TOKEN",
                              help="bearer token that enables writes (POST /api/articles)"),
) -> None:
    """Serve the JSON API and the web page over the same DuckDB data."""
    from .server import run

    run(db, host=host, port=port, token=token)


@app.command()
def watch(
    folder: Path = typer.Argument(..., help="folder to watch for new article files"),
    db: str = DB,
    interval: float = typer.Option(2.0, help="seconds between scans"),
    once: bool = typer.Option(False, help="scan once and exit"),
) -> None:
    """Code new files as they appear in a folder (re-coding nothing already stored)."""
    from .watch import watch_folder

    watch_folder(folder, db, interval=interval, once=once, console=console)


actors_app = typer.Typer(help="The actor knowledge base.", no_args_is_help=True)
dict_app = typer.Typer(help="Dictionaries from other coders.", no_args_is_help=True)
app.add_typer(actors_app, name="actors")
app.add_typer(dict_app, name="dict")


@actors_app.command("lookup")
def actors_lookup(
    name: str = typer.Argument(..., help='a name or phrase, e.g. "President Aliyev"'),
    day: str = typer.Option(None, "--date", help="resolve at this date (default today)"),
    actors: list[Path] = typer.Option([], "--actors", help="extra actor YAML"),
) -> None:
    """Show how a name resolves at a date, and why."""
    from .actors import knowledge_base
    from .mentions import resolve_phrase
    from .parse import nlp

    when = parse_day(day) or date.today()
    res = resolve_phrase(knowledge_base(tuple(actors)), nlp(), name, when)
    table = Table("matched", "kind", "refers to", title=f"{name!r} on {when}",
                  header_style="bold")
    for text, kind, what in res.hits:
        table.add_row(text, kind, what)
    console.print(table)
    if not res.actors:
        console.print(f"head '{res.head}': [yellow]no actor[/yellow]")
    for actor in res.actors:
        console.print(f"head '{res.head}' → [bold]{actor.code}[/bold] country={actor.country} "
                      f"sector={actor.sector or '-'} name={actor.name} "
                      f"certainty={actor.certainty}")


@dict_app.command("import")
def dict_import(
    path: Path = typer.Argument(..., help="PETRARCH/TABARI .actors, .agents or .verbs file"),
    output: Path = typer.Option(..., "-o", "--output",
                                help="YAML to write (use with --actors; verbs: with --lexicon)"),
) -> None:
    """Convert a PETRARCH/TABARI dictionary into a dyads actor or lexicon YAML file."""
    import yaml

    from .tabari import import_file

    data = import_file(path)
    use = "--lexicon" if "verbs" in data else "--actors"
    header = (f"# Imported by `dyads dict import` from {path.name} (use with {use}); keep the "
              "source's licence.\n")
    output.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                      encoding="utf-8")
    counts = {k: len(v) if isinstance(v, list) else len(v.get("agents", []))
              for k, v in data.items() if k not in ("not_imported", "non_cameo_codes")}
    console.print(f"wrote {output}: {counts}")
    if data.get("not_imported"):
        console.print("not imported (dictionary lines): " + ", ".join(
            f"{why} {n}" for why, n in data["not_imported"].items()), highlight=False)
        console.print("codes not in CAMEO, skipped: " + ", ".join(
            f"{code} ×{n}" for code, n in data["non_cameo_codes"].items()), highlight=False)


if __name__ == "__main__":
    app()
