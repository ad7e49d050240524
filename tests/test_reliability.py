"""Reliability and security (issue 8): hostile input, kill -9, two writers, server refusals.

Every hostile input goes through the real CLI in a subprocess and must come out either coded
or as a row of the `rejects` table with a clear reason (and a line on the CLI), while the good
articles beside it are coded. Large inputs (50 MB, a million lines) are generated in a temporary
folder, never committed.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from conftest import db_rows
from dyads.model import Article, Reject
from dyads.sources import Limits, read_articles
from dyads.store import Store

ROOT = Path(__file__).resolve().parents[1]
MB = 1_000_000
GOOD = ("Russia Accuses Armenia\n\nRussian Foreign Minister Sergei Lavrov accused Armenia on "
        "Monday of undermining the peace talks with Azerbaijan.\n")


def dyads(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "dyads.cli", *args], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=ROOT)


# ---- hostile input through the CLI -----------------------------------------------------------

def jsonl_lines() -> list[tuple[str, str]]:
    """(line, expected reason or 'coded') for a JSONL file of broken lines and wrong types."""
    future = (date.today() + timedelta(days=30)).isoformat()
    ok = {"id": "wire-ok", "title": "Baku Accuses Yerevan",
          "text": "Azerbaijan accused Armenia of shelling its positions on Monday.",
          "date": "2024-03-05"}
    return [
        (json.dumps(ok), "coded"),
        ('{"id": "cut", "text": "Armenia accused', "bad_json"),
        ("[1, 2, 3]", "bad_content"),
        ("null", "bad_content"),
        ('"just a string"', "bad_content"),
        (json.dumps({"id": "n", "text": 42}), "bad_content"),
        (json.dumps({"id": "l", "text": ["a", "b"]}), "bad_content"),
        (json.dumps({"id": {"x": 1}, "text": "Armenia met Russia."}), "bad_content"),
        (json.dumps({"id": "s", "text": "Armenia met Russia.", "source": [1]}), "bad_content"),
        (json.dumps({"id": "t", "text": "Armenia met Russia.", "title": 7}), "bad_content"),
        (json.dumps({"id": "nul", "text": "Armenia\u0000 met Russia."}), "bad_content"),
        (json.dumps({"id": "future", "text": "Armenia met Russia in Sochi.", "date": future}),
         "bad_date"),
        (json.dumps({"id": "garbled", "text": "Armenia met Russia in Kazan.",
                     "date": "yesterday"}), "bad_date"),
        (json.dumps({"id": "num", "text": "Armenia met Russia in Minsk.", "date": 20240305}),
         "bad_date"),
        ("[" * 100_000 + "]" * 100_000, "bad_json"),
        # a lone surrogate (half an emoji) is repaired to U+FFFD, not a crash at storing
        ('{"id": "emoji", "text": "Armenia \\ud83d accused Azerbaijan of shelling Jermuk.",'
         ' "date": "2024-03-06"}', "coded"),
        # dates as scrapers write them
        (json.dumps({"id": "rfc", "text": "Russia condemned Israel over the strike.",
                     "date": "Tue, 02 Apr 2024 10:00:00 GMT"}), "coded"),
    ]


def corrupt_gzip(data: bytes) -> bytes:
    packed = bytearray(gzip.compress(data))
    packed[30:60] = bytes(30)
    return bytes(packed)


def hostile_folder(folder: Path) -> dict[str, str]:
    """Write the hostile inputs; returns origin (file name, or name:line) → expected outcome."""
    rng = random.Random(8)
    words = " ".join(rng.choice(["Armenia", "Russia", "accused", "met", "the", "talks", "of",
                                 "on", "Monday", "Baku"]) for _ in range(40_000)).encode()
    files: dict[str, tuple[bytes, str]] = {
        "good.txt": (GOOD.encode(), "coded"),
        "empty.txt": (b"", "bad_content"),
        "blank.txt": (b"  \n\n\t \n", "bad_content"),
        "binary.txt": (rng.randbytes(8192), "bad_content"),
        "image.html": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(2000),
                       "bad_content"),
        "invalid-utf8.txt": (b"Armenia Protests\n\nArmenia accused Azerbaijan of shelling "
                             b"\xff\xfe border villages \xc3\x28 on Monday.\n", "coded"),
        "cp1251.txt": ("Россия обвинила Армению\n\nRussia accused Armenia of breaking the "
                       "truce, Россия заявила в понедельник.\n".encode("cp1251"), "coded"),
        "latin1.txt": ("Élysée Says Macron Will Visit Yerevan\n\nThe Élysée said Macron would "
                       "travel to Yerevan, the président's office said.\n".encode("latin-1"),
                       "coded"),
        "mixed.txt": ("Élysée and Moscow\n\nThe Élysée said ".encode("latin-1")
                      + "Москва ".encode() + "Россия accused Armenia.\n".encode("cp1251"),
                      "coded"),
        "nested.html": (("<html><body>" + "<div>" * 200_000 + "Armenia" + "</div>" * 10
                         + "</body></html>").encode(), "bad_content"),
        "malformed.html": (b"<html><head><title>Armenia protests</title><body><p>Armenia "
                           b"accused <b>Azerbaijan <i>of shelling</p></div></span><<<>>>"
                           b"<script>alert(1)" + b"<p>" * 5000, "any"),
        "truncated.txt.gz": (gzip.compress(words)[:5000], "truncated"),
        "corrupt.txt.gz": (corrupt_gzip(words), "unreadable"),
        "not-gzip.txt.gz": (b"plain text pretending", "unreadable"),
        "bomb.txt.gz": (gzip.compress(b"a" * 60 * MB, 9), "too_large"),
        "bomb.jsonl.gz": (gzip.compress(b"\n" * 60 * MB, 9), "too_large"),
        "huge-50mb.txt": (b"Armenia accused Azerbaijan. " * (50 * MB // 28 + 1), "too_large"),
        "one-paragraph.txt": (b"Russia accused Armenia. " * 20_000, "too_large"),
        "2999-01-01-from-the-future.txt": (GOOD.replace("Monday", "Sunday").encode(),
                                           "bad_date"),
    }
    expected = {}
    for name, (data, outcome) in files.items():
        (folder / name).write_bytes(data)
        expected[name] = outcome
    lines = jsonl_lines()
    with open(folder / "wire.jsonl", "w", encoding="utf-8") as fh:
        fh.write("\ufeff")  # a byte-order mark must not cost the first record
        for line, _ in lines:
            fh.write(line + "\n")
    expected.update({f"wire.jsonl:{n}": outcome for n, (_, outcome) in enumerate(lines, 1)})
    # a 50 MB line, then a good one: the file goes on after the huge record
    with open(folder / "huge-line.jsonl", "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "huge", "text": "Armenia met Russia. " * (50 * MB // 20)}))
        fh.write("\n" + json.dumps({"id": "after-huge", "text": GOOD.replace("Monday", "Friday"),
                                    "date": "2024-03-08"}) + "\n")
    expected.update({"huge-line.jsonl:1": "too_large", "huge-line.jsonl:2": "coded"})
    return expected


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    inputs = folder / "in"
    inputs.mkdir()
    expected = hostile_folder(inputs)
    db = folder / "hostile.duckdb"
    done = dyads("code", str(inputs), "--db", str(db), "--date", "2024-03-01")
    for big in inputs.glob("huge*"):
        big.unlink()  # 100 MB of temporary files need not outlive the run
    return done, expected, db, inputs


def test_hostile_inputs_are_coded_or_rejected_with_a_reason(hostile_run):
    done, expected, db, inputs = hostile_run
    assert done.returncode == 0, done.stderr[-3000:]
    rejects = {Path(origin).name: (reason, detail)
               for origin, reason, detail in db_rows(db, "SELECT origin, reason, detail "
                                                      "FROM rejects")}
    for name in list(rejects):  # a gzip bomb stops at a line: bomb.jsonl.gz:1234 → the file
        if name.startswith("bomb.jsonl.gz:"):
            rejects["bomb.jsonl.gz"] = rejects[name]
            shown = name
    docs = {r[0] for r in db_rows(db, "SELECT doc_name FROM articles")}
    for origin, outcome in expected.items():
        stem = origin.split(":")[0].removesuffix(".gz").rsplit(".", 1)[0]
        if outcome == "any":
            assert origin in rejects or stem in docs, origin
        elif outcome == "coded":
            assert origin not in rejects, (origin, rejects.get(origin))
        else:
            assert origin in rejects, (origin, "not rejected")
            reason, detail = rejects[origin]
            assert reason == outcome, (origin, reason, detail)
            assert len(detail) > 10, (origin, detail)
            # the CLI says so too, with the same reason
            printed = shown if origin == "bomb.jsonl.gz" else origin
            assert f"{printed}: {reason}" in done.stdout.replace(str(inputs) + "/", ""), origin
    assert {"good", "invalid-utf8", "cp1251", "latin1", "mixed", "wire-ok", "emoji", "rfc",
            "after-huge"} <= docs
    n_rejected = sum(outcome not in ("coded", "any") for outcome in expected.values())
    assert f"{n_rejected} rejected" in done.stdout or \
        f"{n_rejected + 1} rejected" in done.stdout  # malformed.html may go either way
    assert "rejected by reason:" in done.stdout


def test_decoded_texts_keep_every_script(hostile_run):
    _, _, db, _ = hostile_run
    texts = dict(db_rows(db, "SELECT doc_name, text FROM articles"))
    assert "Россия обвинила Армению" in texts["cp1251"]
    assert "Élysée" in texts["latin1"] and "président" in texts["latin1"]
    assert {"Élysée", "Москва", "Россия"} <= set(texts["mixed"].split())
    assert "\ufffd" in texts["emoji"] and "\ud83d" not in texts["emoji"]
    assert db_rows(db, "SELECT published FROM articles WHERE doc_name = 'rfc'") == \
        [(date(2024, 4, 2),)]
    assert not any(t.startswith("\ufeff") for t in texts.values())
    # the good articles beside the hostile ones were coded into events
    coded = {r[0] for r in db_rows(db, "SELECT doc_name FROM events")}
    assert {"good", "after-huge"} <= coded


def test_a_million_tiny_lines_stream_and_their_rejects_store_fast(tmp_path):
    tiny = tmp_path / "tiny.jsonl"
    with open(tiny, "w") as fh:
        for i in range(1_000_000):
            fh.write(("x", "{}", "", '{"text": 1}', "[]")[i % 5] + "\n")
        fh.write(json.dumps({"id": "last", "text": GOOD}) + "\n")
    started = time.monotonic()
    items = list(read_articles([tiny]))
    reading = time.monotonic() - started
    assert len(items) == 800_001 and isinstance(items[-1], Article)
    assert Counter(i.reason for i in items[:-1]) == {"bad_content": 600_000, "bad_json": 200_000}
    assert items[-1].doc_name == "last" and items[2].origin.endswith("tiny.jsonl:4")
    started = time.monotonic()
    with Store(tmp_path / "tiny.duckdb") as store:
        assert store.reject_many(items[:-1]) == 800_000
        assert store.reject_many(items[:10]) == 10  # re-recording replaces, never duplicates
        assert store.query("SELECT count(*) FROM rejects")[1][0][0] == 800_000
    assert reading < 60 and time.monotonic() - started < 30
    # a text file of a million tiny lines is not an article: rejected at once, not parsed
    lines = tmp_path / "lines.txt"
    lines.write_text("a\n" * 1_000_000)
    (item,) = read_articles([lines])
    assert isinstance(item, Reject) and item.reason == "too_large" and "lines" in item.detail


def test_limits_are_configurable(tmp_path):
    path = tmp_path / "medium.txt"
    path.write_text(GOOD * 50)
    (kept,) = read_articles([path])
    assert isinstance(kept, Article)
    (small,) = read_articles([path], limits=Limits(max_bytes=1000))
    assert small.reason == "too_large" and "1000" in small.detail
    limits = Limits.parse("max_bytes=60_000_000, max-future-days=400, strict_dates=false")
    assert (limits.max_bytes, limits.max_future_days, limits.strict_dates) == \
        (60_000_000, 400, False)
    lenient = tmp_path / "dates.jsonl"
    soon = (date.today() + timedelta(days=100)).isoformat()
    lenient.write_text(json.dumps({"text": "Armenia met Russia.", "date": "soon"}) + "\n"
                       + json.dumps({"text": "Armenia met Iran.", "date": soon}) + "\n")
    strict = [i.reason for i in read_articles([lenient])]
    assert strict == ["bad_date", "bad_date"]
    relaxed = list(read_articles([lenient], default_date=date(2024, 1, 1), limits=limits))
    assert [a.published for a in relaxed] == [date(2024, 1, 1), date.fromisoformat(soon)]
    for bad in ("max_bytes", "nonsense=1", "max_bytes=-5", "max_bytes=lots",
                "strict_dates=maybe"):
        with pytest.raises(ValueError):
            Limits.parse(bad)
    refused = dyads("code", str(path), "--db", str(tmp_path / "x.duckdb"), "--limits", "huge=1")
    assert refused.returncode == 2 and "not a limit" in refused.stderr + refused.stdout
    assert not (tmp_path / "x.duckdb").exists()


# ---- kill -9 mid-run, and two writers --------------------------------------------------------

COUNTRIES = ["Russia", "Armenia", "Azerbaijan", "Turkey", "Iran", "China", "France", "Germany",
             "Ukraine", "Georgia", "Kazakhstan", "Israel"]
ACTS = ["accused {b} of violating the ceasefire", "condemned {b} over the border clashes",
        "praised {b} for its restraint", "urged {b} to return to negotiations",
        "threatened {b} with sanctions", "criticised {b} for the arrests"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Sixty distinct dated articles with events in them."""
    folder = tmp_path_factory.mktemp("corpus")
    for i in range(60):
        a, b = COUNTRIES[i % 12], COUNTRIES[(i * 5 + 1) % 12]
        if a == b:
            b = COUNTRIES[(i + 3) % 12]
        act, reply = ACTS[i % 6].format(b=b), ACTS[(i + 2) % 6].format(b=a)
        text = (f"{a} {act.split()[0].title()} {b}\n\n{a} {act} on Monday, the foreign ministry "
                f"said in statement number {i}.\n\n{b} {reply} on Tuesday in a reply published "
                f"by its government.\n\nThe exchange was the {i}th this year, officials said.\n")
        name = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}-story-{i:03d}.txt"
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def start_coding(corpus: Path, db: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    return subprocess.Popen([sys.executable, "-m", "dyads.cli", "code", str(corpus), "--db",
                             str(db), "--batch", "4", "--verbose"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT)


def wait_for_first_commit(proc: subprocess.Popen) -> list[str]:
    seen = []
    deadline = time.monotonic() + 120
    for line in proc.stdout:  # type: ignore[union-attr]
        seen.append(line)
        if line.startswith("batch 1 committed"):
            return seen
        assert time.monotonic() < deadline, "no batch committed in time"
    raise AssertionError("the run ended before committing a batch:\n" + "".join(seen))


def reference_events(pipeline, corpus: Path) -> dict[str, set[str]]:
    articles = [a for a in read_articles([corpus]) if isinstance(a, Article)]
    return {c.article.article_id: {e.event_id for e in c.events}
            for c in pipeline.code(articles)}


def check_exactly_once(db: Path, reference: dict[str, set[str]]) -> None:
    articles = db_rows(db, "SELECT article_id, n_events FROM articles")
    assert len(articles) == len({a for a, _ in articles}) == len(reference) == 60
    events = db_rows(db, "SELECT event_id, article_id, evidence, sentence_start, sentence_end, "
                      "story_id FROM events")
    assert len(events) == len({e[0] for e in events}), "duplicated events"
    by_article: dict[str, set[str]] = {a: set() for a, _ in articles}
    for event_id, article_id, *_ in events:
        by_article[article_id].add(event_id)
    assert by_article == reference  # the same events as one uninterrupted run
    assert all(n == len(by_article[a]) for a, n in articles)
    texts = dict(db_rows(db, "SELECT article_id, text FROM articles"))
    for _, article_id, evidence, start, end, story in events:
        assert texts[article_id][start:end] == evidence
        assert story, "an event without its story"
    paragraphs = db_rows(db, "SELECT article_id, count(*) FROM paragraphs GROUP BY 1")
    assert len(paragraphs) == 60 and all(n == 4 for _, n in paragraphs)


def test_kill_9_mid_run_then_rerun_codes_every_article_exactly_once(corpus, tmp_path,
                                                                    pipeline):
    db = tmp_path / "killed.duckdb"
    proc = start_coding(corpus, db)
    try:
        wait_for_first_commit(proc)
        time.sleep(random.Random().uniform(0, 0.3))  # land anywhere in the following batches
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()  # type: ignore[union-attr]
    stored = db_rows(db, "SELECT count(*) FROM articles")[0][0]
    assert 4 <= stored < 60, "the kill should land mid-run"
    again = dyads("code", str(corpus), "--db", str(db), "--batch", "4")
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"{60 - stored} coded, {stored} already in" in again.stdout
    check_exactly_once(db, reference_events(pipeline, corpus))
    third = dyads("code", str(corpus), "--db", str(db))
    assert "0 coded, 60 already in" in third.stdout
    check_exactly_once(db, reference_events(pipeline, corpus))


def test_two_writers_one_gets_a_clear_error_and_the_database_stays_whole(corpus, tmp_path,
                                                                        pipeline):
    """Two `dyads code` started together on one file: one codes everything, the other stops
    at once (it opens the store before loading the model) with a clear message."""
    db = tmp_path / "shared.duckdb"
    procs = [start_coding(corpus, db) for _ in range(2)]
    try:
        outputs = [proc.communicate(timeout=240)[0] for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    codes = [proc.returncode for proc in procs]
    assert sorted(codes) == [0, 2], outputs
    winner, loser = (outputs[0], outputs[1]) if codes[0] == 0 else (outputs[1], outputs[0])
    assert "60 coded" in winner
    assert "another process" in loser and "lock" in loser.lower(), loser
    assert "Traceback" not in loser
    check_exactly_once(db, reference_events(pipeline, corpus))


# ---- server refusals ---------------------------------------------------------------------------

class Served:
    """`dyads serve` in a subprocess, exactly as a user starts it, on a free loopback port."""

    def __init__(self, port: int, proc: subprocess.Popen) -> None:
        self.port, self.proc = port, proc


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    from test_server import TOKEN, copy_db

    db = copy_db(tmp_path_factory.mktemp("rel-srv"))
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "dyads.cli", "serve", "--db", str(db),
                             "--host", "127.0.0.1", "--port", str(port), "--token", TOKEN],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)
        yield Served(port, proc), TOKEN
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def raw_get(port: int, target: str) -> tuple[int, bytes]:
    """A GET with the path sent exactly as given (httpx would normalise '..')."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                     .encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


TRAVERSALS = ["/static/../server.py", "/static/%2e%2e/server.py", "/static/..%2fserver.py",
              "/static/%2e%2e%2f%2e%2e%2fpyproject.toml", "/static/.%2e/.%2e/pyproject.toml",
              "/static//etc/passwd", "/static/%2fetc%2fpasswd", "/static/..\\server.py",
              "/static/%5c..%5cserver.py", "/static/app.js%00.png", "/static/%00",
              "/static/....//....//server.py", "/static/%252e%252e/server.py",
              "/static/%c0%ae%c0%ae/server.py", "/../../../../etc/passwd",
              "/static/../../../../../../etc/passwd", "/favicon.ico/../server.py",
              "/api/articles/..%2f..%2fetc%2fpasswd", "/api/events/%2e%2e"]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_no_path_traversal(live, target):
    server, _ = live
    status, body = raw_get(server.port, target)
    assert status in (400, 404, 422), (target, status)
    assert b"root:" not in body and b"import" not in body and b"[project]" not in body


def test_static_files_still_served_and_symlinks_out_are_refused(tmp_path, monkeypatch):
    from dyads import server as server_module
    from test_server import LiveServer, copy_db

    web = tmp_path / "web"
    shutil.copytree(server_module.WEB_DIR, web)
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    (web / "leak.txt").symlink_to(secret)
    monkeypatch.setattr(server_module, "WEB_DIR", web)
    app = server_module.create_app(copy_db(tmp_path / "db"))
    with LiveServer(app) as server:
        assert raw_get(server.port, "/static/app.js")[0] == 200
        status, body = raw_get(server.port, "/static/leak.txt")
        assert status == 404 and b"secret" not in body


@pytest.mark.parametrize("params", [
    {"actor": "ARM' OR '1'='1"}, {"actor": "%"}, {"code": "1; DROP TABLE events"},
    {"sort": "date; DROP TABLE events"}, {"since": "2024-01-01' --"},
])
def test_sql_in_parameters_is_refused_and_changes_nothing(live, params):
    server, _ = live
    with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=60) as client:
        before = client.get("/api").json()["counts"]
        response = client.get("/api/events", params=params)
        assert response.status_code == 422, (params, response.status_code)
        assert client.get("/api").json()["counts"] == before


def test_text_search_treats_sql_as_text(live):
    server, _ = live
    with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=60) as client:
        response = client.get("/api/events", params={"q": "'; DROP TABLE events; --"})
        assert response.status_code in (200, 422)
        assert client.get("/api/events").json()["total"] > 0


def test_write_refusals(live):
    server, token = live
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=120) as client:
        body = {"text": "Armenia accused Azerbaijan of shelling Jermuk."}
        # a token that is not ASCII, or one character short, is a 401, never a 500
        for header in ("Bearer " + "é" * 10, "Bearer " + token[:-1], "Bearer", "Token " + token):
            response = client.post("/api/articles", json=body,
                                   headers={"Authorization": header.encode("utf-8")})
            assert response.status_code == 401, header
        future = (date.today() + timedelta(days=30)).isoformat()
        response = client.post("/api/articles", json={**body, "date": future}, headers=auth)
        assert response.status_code == 422 and "future" in response.json()["reason"]
        one_line = {"text": "Russia accused Armenia. " * 10_000}  # 240,000 chars, no newline
        response = client.post("/api/articles", json=one_line, headers=auth)
        assert response.status_code == 422 and "paragraph" in response.json()["reason"]
        for text in ("Armenia \ud83d accused Azerbaijan.", "Armenia\u202e accused Iran."):
            response = client.post("/api/articles", headers=auth,
                                   content=json.dumps({"text": text}).encode())
            assert response.status_code in (201, 422), (text, response.text)


def test_rate_limit_cannot_be_dodged_with_forwarded_headers(live):
    """`dyads serve` trusts no proxy header: a client claiming another address per request
    is still one client (20 writes a minute). Runs last: it spends the write budget."""
    server, token = live
    with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=60) as client:
        codes = [client.post("/api/articles", json={}, headers={
            "Authorization": f"Bearer {token}", "X-Forwarded-For": f"10.0.0.{i}",
            "X-Real-IP": f"10.0.1.{i}", "Forwarded": f"for=10.0.2.{i}"}).status_code
            for i in range(25)]
    assert set(codes) <= {400, 429} and codes[-5:] == [429] * 5
    assert codes.count(400) <= 20


def test_an_article_that_crashes_the_coder_is_rejected_and_the_run_goes_on(tmp_path,
                                                                           monkeypatch,
                                                                           pipeline):
    from typer.testing import CliRunner

    from dyads.cli import app
    from dyads.pipeline import Pipeline

    real = Pipeline.code_batch

    def fragile(self, articles):
        if any("CRASHME" in a.text for a in articles):
            raise RuntimeError("simulated coder bug")
        return real(self, articles)

    monkeypatch.setattr(Pipeline, "code_batch", fragile)
    for i, extra in enumerate(["", "CRASHME here.", ""]):
        (tmp_path / f"2024-03-0{i + 1}-a{i}.txt").write_text(GOOD.replace("Monday", f"day {i}")
                                                             + extra)
    db = tmp_path / "c.duckdb"
    result = CliRunner().invoke(app, ["code", str(tmp_path), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "2 coded" in result.output and "1 rejected" in result.output
    assert "coding_error" in result.output
    (reject,) = db_rows(db, "SELECT origin, reason, detail FROM rejects")
    assert reject[0].startswith("2024-03-02-a1") and reject[1] == "coding_error"
    assert "simulated coder bug" in reject[2]
