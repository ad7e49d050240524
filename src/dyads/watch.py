"""`dyads watch DIR`: code new article files as they appear in a folder.

Every scan lists the folder (recursively) for files dyads can read (.txt .jsonl .html .warc
.rss .atom .xml, optionally .gz); a file is coded when it is new or changed since it was last
coded, and once its size and modification time have stopped changing (a file still being
written waits for the next scan). What was coded is remembered in the store's `watched_files`
table, so a restarted watcher does not read old files again — and re-coding would add nothing
anyway: articles already stored (same article_id) are skipped.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from rich.markup import escape

from .model import Article, Reject, RunCounts

WATCH_SCHEMA = """
CREATE TABLE IF NOT EXISTS watched_files (
    path VARCHAR PRIMARY KEY, size BIGINT, mtime_ns BIGINT, articles INTEGER, coded_at TIMESTAMP)
"""
BATCH = 64


@dataclass
class ScanResult(RunCounts):
    """A scan's run counts and the files it coded."""

    files: list[str] = field(default_factory=list)

    def summary(self, db: str = "") -> str:
        return (f"{len(self.files)} new files: {self.read} articles read, {self.new} coded, "
                f"{self.skipped} already stored, {self.rejected} rejected; {self.events} events"
                + (f", {self.stories} stories in all" if self.stories is not None else ""))


class Watcher:
    """Scans one folder into one store; the pipeline is loaded on the first new article."""

    def __init__(self, folder: Path, store, *, settle: float = 1.0, source: str = "",
                 default_date: date | None = None, actors: Iterable[Path] = (),
                 lexicons: Iterable[Path] = ()) -> None:
        self.folder = Path(folder)
        self.store = store
        self.settle = settle
        self.source = source
        self.default_date = default_date
        self.actors, self.lexicons = tuple(actors), tuple(lexicons)
        self._pipeline = None
        self.pending: dict[str, tuple[int, int]] = {}  # seen changing at the last scan
        store.con.execute(WATCH_SCHEMA)

    @property
    def pipeline(self):
        if self._pipeline is None:
            from .pipeline import Pipeline

            self._pipeline = Pipeline(self.actors, self.lexicons, batch_size=BATCH)
        return self._pipeline

    def candidates(self) -> list[tuple[Path, int, int]]:
        """Readable files that are new or changed since they were coded, with size and mtime."""
        from .sources import kind_of

        done = dict(((p, (s, m)) for p, s, m in self.store.con.execute(
            "SELECT path, size, mtime_ns FROM watched_files").fetchall()))
        found = []
        for path in sorted(self.folder.rglob("*")):
            if path.name.startswith(".") or not path.is_file() or not kind_of(path):
                continue
            try:
                stat = path.stat()
            except OSError:
                continue  # removed between listing and stat
            key = str(path.resolve())
            if done.get(key) != (stat.st_size, stat.st_mtime_ns):
                found.append((path, stat.st_size, stat.st_mtime_ns))
        return found

    def ready(self, files: list[tuple[Path, int, int]], now: float) -> list[tuple[Path, int, int]]:
        """Files whose size and mtime have settled: unchanged since the last scan, or old."""
        ready, pending = [], {}
        for path, size, mtime_ns in files:
            key = str(path)
            if self.pending.get(key) == (size, mtime_ns) or \
                    now - mtime_ns / 1e9 >= self.settle:
                ready.append((path, size, mtime_ns))
            else:
                pending[key] = (size, mtime_ns)
        self.pending = pending
        return ready

    def scan(self, wait_for_settle: bool = True, console=None) -> ScanResult:
        files = self.candidates()
        if wait_for_settle:
            files = self.ready(files, time.time())
        result = ScanResult(files=[str(p) for p, _, _ in files])
        for path, size, mtime_ns in files:
            n = self.code_file(path, result, console)
            self.store.con.execute(
                "INSERT OR REPLACE INTO watched_files VALUES (?, ?, ?, ?, ?)",
                [str(path.resolve()), size, mtime_ns, n, datetime.now()])
        if result.new:
            from .stories import rebuild_stories

            result.stories = rebuild_stories(self.store.con)
        return result

    def code_file(self, path: Path, result: ScanResult, console=None) -> int:
        """Code one file in batches (one transaction each); returns how many articles it held."""
        from .sources import read_articles

        batch: list[Article] = []
        count = 0
        for item in read_articles([path], source=self.source, default_date=self.default_date):
            if isinstance(item, Reject):
                self.store.reject(item)
                result.rejected += 1
                if console is not None:
                    console.print(f"[yellow]rejected[/yellow] {escape(item.origin)}: "
                                  f"{item.reason} ({escape(item.detail[:120])})")
                continue
            count += 1
            batch.append(item)
            if len(batch) >= BATCH:
                self.code_batch(batch, result)
                batch = []
        if batch:
            self.code_batch(batch, result)
        return count

    def code_batch(self, batch: list[Article], result: ScanResult) -> None:
        result.read += len(batch)
        known = self.store.known_ids([a.article_id for a in batch])
        todo = [a for a in batch if a.article_id not in known]
        result.skipped += len(batch) - len(todo)
        if not todo:
            return
        coded = list(self.pipeline.code(todo))
        new = self.store.write(coded)
        result.new += new
        result.skipped += len(todo) - new
        result.events += sum(len(c.events) for c in coded)


def watch_folder(folder: Path, db: str, *, interval: float = 2.0, once: bool = False,
                 console=None, max_scans: int | None = None, **options) -> list[ScanResult]:
    """Scan `folder` every `interval` seconds (or once) and code what is new into `db`."""
    from .store import Store, StoreLocked

    folder = Path(folder)
    if not folder.is_dir():
        if console is not None:
            console.print(f"[red]not a folder: {folder}[/red]")
        raise SystemExit(1)
    try:
        store = Store(db)
    except StoreLocked as exc:
        if console is not None:
            console.print(f"[red]{exc}[/red]")
        raise SystemExit(2) from exc
    results: list[ScanResult] = []
    watcher = Watcher(folder, store, settle=min(max(interval, 0.5), 5.0), **options)
    if console is not None and not once:
        console.print(f"watching {folder} every {interval:g} s into {db} (Ctrl-C to stop)")
    try:
        while True:
            result = watcher.scan(wait_for_settle=not once, console=console)
            results.append(result)
            if console is not None and (result.files or once):
                console.print(f"{datetime.now():%H:%M:%S} {result.summary()}")
            if once or (max_scans is not None and len(results) >= max_scans):
                break
            time.sleep(interval)
    except KeyboardInterrupt:
        if console is not None:
            console.print("stopped")
    finally:
        store.close()
    return results
