"""Scale: the Ray engine equals the local one; WARC, RSS/Atom (file and URL), watch, streaming.

Ray is started once for the module with `ray.init(num_cpus=2)` (≈ 3–6 s); the whole file runs
in about a minute on two cores.
"""

from __future__ import annotations

import gzip
import http.server
import io
import json
import threading
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT, db_rows, shared_path
from dyads.cli import app
from dyads.feeds import read_feed_or_warc
from dyads.model import Article, Reject
from dyads.sources import Limits, read_articles

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.*")
DATA = ROOT / "tests" / "data" / "scale"
LEXICON = DATA / "lexicon.yaml"
runner = CliRunner()


def run_cli(*args: str) -> str:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, (result.output, result.exception)
    return " ".join(result.output.split())  # the console wraps long lines


# --- local engine vs Ray --------------------------------------------------------------------

@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[Path]:
    """~20 real articles: BBC politics and world business stories, plus the repo's examples."""
    bbc = shared_path("corpora", "bbc_news", "articles.jsonl")
    folder = tmp_path_factory.mktemp("corpus")
    picked = []
    with open(bbc, encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            if record["category"] == "politics" and len(picked) < 12:
                picked.append(line)
    picked.append(picked[0])  # a duplicate inside the input: coded once
    (folder / "bbc.jsonl").write_text("".join(picked), encoding="utf-8")
    return [folder / "bbc.jsonl", ROOT / "examples"]


def test_ray_engine_equals_local_engine(ray_cluster, corpus, tmp_path):
    local_db, ray_db = tmp_path / "local.duckdb", tmp_path / "ray.duckdb"
    out_local = run_cli("code", *corpus, "--db", local_db, "--lexicon", LEXICON,
                        "--date", "2024-01-15")
    out_ray = run_cli("code", *corpus, "--db", ray_db, "--lexicon", LEXICON,
                      "--date", "2024-01-15", "--engine", "ray", "--workers", "2")
    assert "(ray, 2 workers" in out_ray and "coded" in out_local

    n_articles = db_rows(local_db, "SELECT count(*) FROM articles")[0][0]
    assert n_articles >= 20
    events = "SELECT * FROM events ORDER BY event_id"
    local_events, ray_events = db_rows(local_db, events), db_rows(ray_db, events)
    assert len(local_events) >= 10  # enough events for the comparison to mean something
    only_local, only_ray = set(local_events) - set(ray_events), set(ray_events) - set(local_events)
    assert not only_local and not only_ray, (sorted(only_local)[:3], sorted(only_ray)[:3])
    assert ray_events == local_events  # every column, story_id included
    for sql in ("SELECT * EXCLUDE (coded_at) FROM articles ORDER BY article_id",
                "SELECT * FROM paragraphs ORDER BY article_id, idx",
                "SELECT * FROM stories ORDER BY story_id",
                "SELECT origin, reason, detail FROM rejects ORDER BY ALL"):
        assert db_rows(ray_db, sql) == db_rows(local_db, sql), sql

    again = run_cli("code", *corpus, "--db", ray_db, "--lexicon", LEXICON, "--engine", "ray")
    assert f"0 coded, {n_articles + 1} already in" in again  # the duplicate line counts too
    assert db_rows(ray_db, "SELECT count(*) FROM events")[0][0] == len(local_events)


# --- WARC -----------------------------------------------------------------------------------

RAW_PAGES = ["1ee91d1fce65e09b", "833caf3bdba53dcf", "a1fca19b884e0e94"]  # Syria, Israel, Taliban


def write_warc(path: Path, pages: list[Path], tail_cut: int = 0) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    def response(uri: str, status: str, content_type: str, body: bytes):
        headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
        return writer.create_warc_record(uri, "response", payload=io.BytesIO(body),
                                         http_headers=headers)

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test_scale"}))
    for i, page in enumerate(pages):
        uri = f"https://news.example.com/{i}/{page.name[:16]}"
        request = StatusAndHeaders(f"GET /{i} HTTP/1.1", [("Host", "news.example.com")],
                                   is_http_request=True)
        writer.write_record(writer.create_warc_record(uri, "request", http_headers=request))
        writer.write_record(response(uri, "200 OK", "text/html; charset=utf-8",
                                     gzip.decompress(page.read_bytes())))
        if i == 0:
            writer.write_record(response("https://news.example.com/logo.png", "200 OK",
                                         "image/png", b"\x89PNG\r\n\x1a\n" + bytes(2000)))
            writer.write_record(response("https://news.example.com/gone", "404 Not Found",
                                         "text/html", b"<html><body>Not found</body></html>"))
    data = buf.getvalue()
    path.write_bytes(data[:len(data) - tail_cut] if tail_cut else data)


def raw_pages() -> list[Path]:
    folder = shared_path("corpora", "raw_web", "scrapinghub_aeb", "html")
    return [next(folder.glob(f"{prefix}*.html.gz")) for prefix in RAW_PAGES]


def test_warc_records_coded_and_bad_records_rejected(tmp_path):
    pages = raw_pages()
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc, pages, tail_cut=3000)  # the last response is cut short
    items = list(read_articles([warc], default_date=None))
    articles = [i for i in items if isinstance(i, Article)]
    rejects = {i.reason: i for i in items if isinstance(i, Reject)}
    assert [a.url for a in articles] == [f"https://news.example.com/{i}/{p.name[:16]}"
                                          for i, p in enumerate(pages[:2])]
    assert set(rejects) == {"not_html", "http_status", "truncated"}
    assert "image/png" in rejects["not_html"].detail
    assert "404" in rejects["http_status"].detail
    assert rejects["truncated"].origin.endswith(pages[2].name[:16])
    syria = articles[0]
    assert "Syria" in syria.text and "<" not in syria.text
    assert syria.published is not None  # the page's date, else the record's WARC-Date

    db = tmp_path / "w.duckdb"
    out = run_cli("code", warc, "--db", db, "--lexicon", LEXICON)
    assert "2 coded" in out and "3 rejected" in out
    assert {r[0] for r in db_rows(db, "SELECT reason FROM rejects")} == set(rejects)
    assert db_rows(db, "SELECT count(*) FROM paragraphs WHERE kept")[0][0] > 5


def test_warc_streams_records(tmp_path):
    """Reading a WARC holds one record at a time: 10× the records, about the same peak."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    def peak(n: int) -> int:
        path = tmp_path / f"bin{n}.warc.gz"
        with open(path, "wb") as fh:
            writer = WARCWriter(fh, gzip=True)
            for i in range(n):
                headers = StatusAndHeaders("200 OK", [("Content-Type", "application/pdf")],
                                           protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(
                    f"https://x.example/{i}.pdf", "response", http_headers=headers,
                    payload=io.BytesIO(bytes([i % 251]) * 20_000)))
        tracemalloc.start()
        count = sum(1 for _ in read_articles([path]))
        size = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert count == n
        return size

    small, large = peak(50), peak(500)
    assert large < 1.5 * small + 200_000, (small, large)


# --- RSS / Atom -----------------------------------------------------------------------------

def test_rss_and_atom_files():
    rss = list(read_articles([DATA / "world.rss"]))
    atom = list(read_articles([DATA / "world.atom"]))
    assert all(isinstance(a, Article) for a in rss + atom)
    putin, armenia, un = rss
    assert putin.title == "Putin and Xi Meet in Moscow to Discuss Energy Ties"
    assert putin.doc_name == "wire-2024-0516-001" and str(putin.published) == "2024-05-16"
    assert putin.url.endswith("/putin-xi-moscow") and putin.source == "Example World Wire"
    assert "energy cooperation." in putin.text and "track()" not in putin.text
    assert putin.text.count("\n\n") >= 2  # one paragraph per <p>
    assert armenia.text.startswith(armenia.title) and "Baku denied" in armenia.text
    assert un.text == un.title  # a title-only entry is a headline-only article
    greece, germany = atom
    assert str(greece.published) == "2024-06-02" and str(germany.published) == "2024-06-03"
    assert "maritime borders" in greece.text and germany.source == "Example Diplomatic Briefing"


@contextmanager
def serve(folder: Path):
    """A static HTTP server on 127.0.0.1 (free port) for the duration of the block."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    server.timeout = 5
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_feeds_and_pages_from_urls(tmp_path):
    pages = raw_pages()
    (tmp_path / "page.html").write_bytes(gzip.decompress(pages[0].read_bytes()))
    for name in ("world.rss", "world.atom"):
        (tmp_path / name).write_bytes((DATA / name).read_bytes())
    with serve(tmp_path) as base:
        from_url = list(read_feed_or_warc(f"{base}/world.rss", "url"))
        assert [a.title for a in from_url] == [a.title for a in read_articles([DATA / "world.rss"])]
        page = list(read_feed_or_warc(f"{base}/page.html", "url"))
        assert isinstance(page[0], Article) and "Syria" in page[0].text
        assert page[0].url and page[0].doc_name == f"{base}/page.html"
        missing = list(read_feed_or_warc(f"{base}/nothing.rss", "url"))
        assert isinstance(missing[0], Reject) and "404" in missing[0].detail
        small = list(read_feed_or_warc(f"{base}/page.html", "url", limits=Limits(max_bytes=1000)))
        assert isinstance(small[0], Reject) and "too large" in small[0].detail

        db = tmp_path / "feeds.duckdb"
        out = run_cli("code", f"{base}/world.rss", f"{base}/world.atom", "--db", db,
                      "--lexicon", LEXICON)
        assert "read 5 articles: 5 coded" in out
    codes = {(r[0], r[1]) for r in db_rows(db, "SELECT source_country, cameo_root FROM events")}
    assert ("RUS", "04") in codes or ("CHN", "04") in codes, codes
    urls = {r[0] for r in db_rows(db, "SELECT url FROM articles")}
    assert "https://briefing.example.org/2024/06/02/turkey-greece" in urls


# --- watch ----------------------------------------------------------------------------------

def test_watch_once_codes_new_files_only(tmp_path):
    inbox, db = tmp_path / "inbox", tmp_path / "watch.duckdb"
    inbox.mkdir()
    for name in ("2024-02-23-pashinyan-csto-freeze.txt", "2024-06-20-putin-pyongyang.txt"):
        (inbox / name).write_bytes((ROOT / "examples" / name).read_bytes())
    out = run_cli("watch", inbox, "--db", db, "--once")
    assert "2 new files: 2 articles read, 2 coded" in out
    assert db_rows(db, "SELECT count(*) FROM articles")[0][0] == 2

    (inbox / "sub").mkdir()
    (inbox / "sub" / "world.atom").write_bytes((DATA / "world.atom").read_bytes())
    (inbox / "notes.md").write_text("not an article")
    out = run_cli("watch", inbox, "--db", db, "--once")
    assert "1 new files: 2 articles read, 2 coded" in out
    n_events = db_rows(db, "SELECT count(*) FROM events")[0][0]

    out = run_cli("watch", inbox, "--db", db, "--once")
    assert "0 new files: 0 articles read, 0 coded" in out
    # a touched file is read again, and adds nothing: its articles are already stored
    (inbox / "2024-06-20-putin-pyongyang.txt").write_text(
        (ROOT / "examples" / "2024-06-20-putin-pyongyang.txt").read_text(encoding="utf-8"),
        encoding="utf-8")
    out = run_cli("watch", inbox, "--db", db, "--once")
    assert "1 new files: 1 articles read, 0 coded, 1 already stored" in out
    assert db_rows(db, "SELECT count(*) FROM articles")[0][0] == 4
    assert db_rows(db, "SELECT count(*) FROM events")[0][0] == n_events


# --- streaming ------------------------------------------------------------------------------

def test_jsonl_gz_memory_does_not_grow_with_input(tmp_path):
    text = ("The foreign ministers met in Vienna on Tuesday to discuss the ceasefire. " * 30)

    def peak(n: int) -> int:
        path = tmp_path / f"wire{n}.jsonl.gz"
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            for i in range(n):
                fh.write(json.dumps({"id": f"w{i}", "title": f"Talks {i}",
                                     "text": f"{i} {text}", "date": "2024-03-01"}) + "\n")
        tracemalloc.start()
        count = sum(1 for item in read_articles([path]) if isinstance(item, Article))
        size = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert count == n
        return size

    small, large = peak(200), peak(2000)
    assert large < 1.3 * small + 100_000, (small, large)
