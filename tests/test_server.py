"""The JSON API, tested against a real uvicorn server on 127.0.0.1 over TCP (no TestClient).

The database is the examples folder coded by the real pipeline. A few extra lexicon entries
(the same YAML format users pass with --lexicon) make sure the examples yield events whatever
the size of the shipped lexicon, so these tests exercise the server, not the lexicon.
"""

from __future__ import annotations

import functools
import json
import shutil
import socket
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import httpx
import pytest
import uvicorn

from dyads.model import EVENT_COLUMNS, Article
from dyads.pipeline import Pipeline
from dyads.server import MAX_LIMIT, create_app
from dyads.sources import read_articles
from dyads.store import Store
from dyads.stories import rebuild_stories

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
TOKEN = "test-token-0123456789abcdef"
# The tests run on the bundled lexicon; this extra file (the format `--lexicon` takes) adds
# nothing, but keeps the plumbing for users' lexicons under test.
DEMO_LEXICON = """
verbs: []
nominals: []
"""


@functools.cache
def demo_lexicon() -> Path:
    path = Path(tempfile.mkdtemp(prefix="dyads-lex-")) / "demo-lexicon.yaml"
    path.write_text(DEMO_LEXICON, encoding="utf-8")
    return path


@functools.cache
def demo_db() -> Path:
    """The examples coded into a DuckDB file, built once per test session."""
    path = Path(tempfile.mkdtemp(prefix="dyads-web-")) / "demo.duckdb"
    pipeline = Pipeline(lexicons=[demo_lexicon()])
    articles = [a for a in read_articles([EXAMPLES]) if isinstance(a, Article)]
    with Store(path) as store:
        store.write(pipeline.code(articles))
        rebuild_stories(store.con)
    return path


def copy_db(folder: Path) -> Path:
    """Each server gets its own copy: DuckDB opens a file with one configuration per process."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "served.duckdb"
    shutil.copy(demo_db(), target)
    return target


class LiveServer:
    """uvicorn serving an app on a free port of 127.0.0.1, in a background thread."""

    def __init__(self, app) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_keep_alive=5)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.sock.close()


def client_for(server: LiveServer) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=120)


@pytest.fixture(scope="module")
def ro(tmp_path_factory):
    """A read-only server: started without a token."""
    app = create_app(copy_db(tmp_path_factory.mktemp("ro")))
    with LiveServer(app) as server, client_for(server) as client:
        yield client


@pytest.fixture(scope="module")
def rw(tmp_path_factory):
    """A server that accepts writes with the token."""
    app = create_app(copy_db(tmp_path_factory.mktemp("rw")), token=TOKEN, max_body=100_000,
                     rate_limit=(1000, 60.0), lexicons=(demo_lexicon(),))
    with LiveServer(app) as server, client_for(server) as client:
        yield client


@pytest.fixture(scope="module")
def truth():
    """The demo database opened directly, to check the API's answers against SQL."""
    con = duckdb.connect(str(demo_db()), read_only=True)
    yield lambda sql, params=(): con.execute(sql, list(params)).fetchall()
    con.close()


def reason_of(response: httpx.Response) -> str:
    assert response.headers["content-type"].startswith("application/json"), response.text
    body = response.json()
    assert body["status"] == response.status_code
    assert isinstance(body["reason"], str) and body["reason"]
    return body["reason"]


AUTH = {"Authorization": f"Bearer {TOKEN}"}
POSTED = ("Armenia accused Azerbaijan of shelling border villages near Jermuk on Monday.\n\n"
          "Prime Minister Nikol Pashinyan urged Russia to honour its commitments to Armenia.")


# ---- reading ---------------------------------------------------------------------------------

def test_meta_counts_what_the_database_holds(ro, truth):
    meta = ro.get("/api").json()
    assert meta["writable"] is False
    assert meta["counts"]["events"] == truth("SELECT count(*) FROM events")[0][0] > 10
    assert meta["counts"]["articles"] == truth("SELECT count(*) FROM articles")[0][0]
    assert {"ARM", "RUS", "AZE"} <= {c["value"] for c in meta["countries"]}
    assert next(c for c in meta["countries"] if c["value"] == "ARM")["name"] == "Armenia"


def test_events_pages_are_disjoint_and_cover_everything(ro, truth):
    total = truth("SELECT count(*) FROM events")[0][0]
    seen: list[str] = []
    offset = 0
    while offset is not None:
        page = ro.get("/api/events", params={"limit": 4, "offset": offset}).json()
        assert page["total"] == total and len(page["items"]) <= 4
        seen += [e["event_id"] for e in page["items"]]
        offset = page["next_offset"]
    assert len(seen) == len(set(seen)) == total
    dates = [e["date"] for e in ro.get("/api/events", params={"limit": MAX_LIMIT}).json()["items"]]
    assert dates == sorted(dates, reverse=True)  # newest first by default
    past_end = ro.get("/api/events", params={"offset": total + 5}).json()
    assert past_end["items"] == [] and past_end["next_offset"] is None


@pytest.mark.parametrize(("params", "why"), [
    ({"limit": 0}, "limit"), ({"limit": MAX_LIMIT + 1}, "limit"), ({"offset": -1}, "offset"),
    ({"limit": "ten"}, "limit"), ({"since": "2024-02-30"}, "since"), ({"quad": 5}, "quad"),
    ({"actor": "ARM' OR 1=1 --"}, "actor"), ({"code": "12a"}, "code"),
    ({"sort": "date; DROP TABLE events"}, "sort"), ({"modality": "rumoured"}, "modality"),
    ({"min_confidence": 2}, "min_confidence"), ({"q": "x" * 201}, "q"),
])
def test_bad_parameters_are_refused_with_a_reason(ro, params, why):
    response = ro.get("/api/events", params=params)
    assert response.status_code == 422
    body = response.json()
    assert why in reason_of(response)
    assert body["errors"][0]["field"].split(".")[0] == why


def test_contradictory_dates_are_a_400(ro):
    response = ro.get("/api/events", params={"since": "2025-01-01", "until": "2024-01-01"})
    assert response.status_code == 400
    assert "after" in reason_of(response)


def test_filters_select_what_they_say(ro, truth):
    arm = ro.get("/api/events", params={"actor": "arm", "limit": MAX_LIMIT}).json()
    expected = truth("SELECT count(*) FROM events WHERE source_code LIKE 'ARM%' OR "
                     "target_code LIKE 'ARM%' OR source_country = 'ARM' OR target_country = 'ARM'")
    assert arm["total"] == expected[0][0] > 0
    assert all("ARM" in (e["source_country"], e["target_country"]) for e in arm["items"])

    conflict = ro.get("/api/events", params=[("quad", 3), ("quad", 4), ("limit", MAX_LIMIT)]).json()
    assert conflict["total"] == truth("SELECT count(*) FROM events WHERE quad_class >= 3")[0][0]
    assert {e["quad_class"] for e in conflict["items"]} <= {3, 4}

    dyad = ro.get("/api/events", params={"actor": "ARM", "partner": "RUS"}).json()["items"]
    assert dyad and all({e["source_country"], e["target_country"]} == {"ARM", "RUS"}
                        for e in dyad)

    window = ro.get("/api/events", params={"since": "2024-01-01", "until": "2024-12-31"}).json()
    assert window["items"] and all("2024-01-01" <= e["date"] <= "2024-12-31"
                                   for e in window["items"])

    root = ro.get("/api/events", params={"root": "11"}).json()["items"]
    assert root and all(e["cameo_root"] == "11" for e in root)
    code = ro.get("/api/events", params={"code": "11"}).json()["items"]
    assert [e["event_id"] for e in code] == [e["event_id"] for e in root]
    accuse = ro.get("/api/events", params={"plover": "accuse"}).json()["items"]
    assert accuse and all(e["plover_type"] == "ACCUSE" for e in accuse)
    reported = ro.get("/api/events", params={"modality": "reported"}).json()["items"]
    assert reported and all(e["modality"] == "reported" for e in reported)


def test_text_search_is_literal_and_case_insensitive(ro, truth):
    hits = ro.get("/api/events", params={"q": "PEACEKEEPERS"}).json()["items"]
    assert hits and all("peacekeepers" in e["evidence"].lower() for e in hits)
    # LIKE wildcards in the query are searched for literally
    n_percent = truth("SELECT count(*) FROM events WHERE contains(evidence, '%')")[0][0]
    assert ro.get("/api/events", params={"q": "%"}).json()["total"] == n_percent
    assert ro.get("/api/events", params={"q": "_"}).json()["total"] == truth(
        "SELECT count(*) FROM events WHERE contains(evidence, '_')")[0][0]


def test_story_filter_and_story_endpoints(ro, truth):
    page = ro.get("/api/stories", params={"sort": "-n_events", "limit": 5}).json()
    assert page["total"] == truth("SELECT count(*) FROM stories")[0][0]
    story = page["items"][0]
    assert story["canonical"]["event_id"] == story["canonical_event_id"]
    detail = ro.get(f"/api/stories/{story['story_id']}").json()
    assert len(detail["events"]) == story["n_events"]
    by_filter = ro.get("/api/events", params={"story": story["story_id"]}).json()
    assert {e["event_id"] for e in by_filter["items"]} == {e["event_id"] for e in detail["events"]}
    once = ro.get("/api/events", params={"one_per_story": "true"}).json()["total"]
    assert once == page["total"]  # each story counted once
    assert ro.get("/api/stories/nope").status_code == 404


def test_article_has_text_paragraphs_with_reasons_and_evidence_offsets(ro, truth):
    article_id = truth("SELECT article_id FROM paragraphs WHERE NOT kept GROUP BY ALL "
                       "ORDER BY count(*) DESC LIMIT 1")[0][0]
    art = ro.get(f"/api/articles/{article_id}").json()
    dropped = [p for p in art["paragraphs"] if not p["kept"]]
    assert dropped and all(p["reason"] for p in dropped)
    assert art["n_dropped"] == len(dropped)
    for p in art["paragraphs"]:
        assert 0 <= p["start"] < p["end"] <= len(art["text"])
    assert art["events"]
    for ev in art["events"]:
        assert art["text"][ev["sentence_start"]:ev["sentence_end"]] == ev["evidence"]
    missing = ro.get("/api/articles/0000000000")
    assert missing.status_code == 404 and "0000000000" in reason_of(missing)
    listing = ro.get("/api/articles", params={"q": "csto"}).json()
    assert listing["items"] and all("csto" in a["title"].lower() for a in listing["items"])


def test_relations_grievances_allies_network_timeline(ro):
    rel = ro.get("/api/relations", params={"period": "year", "actor": "ARM"}).json()
    assert rel["items"] and all("ARM" in (r["source"], r["target"]) for r in rel["items"])
    assert all(r["period"].endswith("-01-01") for r in rel["items"])
    dyad = ro.get("/api/relations", params={"actor": "ARM", "partner": "RUS"}).json()["items"]
    assert dyad and all({r["source"], r["target"]} == {"ARM", "RUS"} for r in dyad)
    assert ro.get("/api/relations", params={"period": "fortnight"}).status_code == 422
    alone = ro.get("/api/relations", params={"partner": "RUS"}).json()["items"]
    assert alone and all("RUS" in (r["source"], r["target"]) for r in alone)

    allies = ro.get("/api/allies/arm", params={"date": "2023-01-01"}).json()
    assert allies["country"] == "ARM"
    assert {"partner": "RUS", "name": "Russia", "kind": "ally", "via": "CSTO"} in allies["ties"]
    unknown = ro.get("/api/allies/XYZ")
    assert unknown.status_code == 404 and "XYZ" in reason_of(unknown)

    griefs = ro.get("/api/grievances").json()
    assert griefs["items"]
    for g in griefs["items"]:
        assert g["relation"] in ("ally", "partner")
        assert all(e["quad_class"] in (3, 4) and e["article_id"] for e in g["events"])

    net = ro.get("/api/network", params={"quad": 3}).json()
    assert net["edges"] and all(e["verbal_conflict"] == e["events"] for e in net["edges"])
    assert {n["id"] for n in net["nodes"]} == {x for e in net["edges"]
                                               for x in (e["source"], e["target"])}
    line = ro.get("/api/timeline", params={"actor": "ARM", "partner": "RUS"}).json()
    assert line["total_events"] == sum(b["events"] for b in line["buckets"]) == len(line["events"])


def test_actor_lookup_resolves_at_a_date(ro):
    found = ro.get("/api/actors/lookup", params={"q": "President Aliyev", "date": "2024-01-01"})
    assert found.status_code == 200
    assert found.json()["actors"][0]["code"] == "AZEGOV"
    blank = ro.get("/api/actors/lookup", params={"q": " -- "})
    assert blank.status_code == 200 and blank.json()["actors"] == []
    assert ro.get("/api/actors/lookup").status_code == 422


def test_exports_follow_the_filter(ro):
    params = {"actor": "RUS", "sort": "date"}
    api = ro.get("/api/events", params={**params, "limit": MAX_LIMIT}).json()
    csv_response = ro.get("/api/events.csv", params=params)
    assert csv_response.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv_response.headers["content-disposition"]
    lines = csv_response.text.splitlines()
    assert lines[0].split(",") == EVENT_COLUMNS
    import csv as csv_module

    rows = list(csv_module.DictReader(lines))
    assert [r["event_id"] for r in rows] == [e["event_id"] for e in api["items"]]
    jsonl = ro.get("/api/events.jsonl", params=params).text.splitlines()
    records = [json.loads(line) for line in jsonl]
    assert [r["event_id"] for r in records] == [e["event_id"] for e in api["items"]]
    assert list(records[0]) == EVENT_COLUMNS
    assert records[0]["evidence"] == api["items"][0]["evidence"]
    assert ro.get("/api/events.csv", params={"limit": 10**9}).status_code == 422


def test_errors_are_json_everywhere(ro):
    for response in (ro.get("/api/nothing-here"), ro.delete("/api/events"),
                     ro.get("/api/events/not a valid id")):
        assert response.status_code in (403, 404, 405, 422)
        reason_of(response)


def test_cors_is_off_and_security_headers_are_set(ro):
    response = ro.get("/api/events", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers
    preflight = ro.options("/api/events", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in preflight.headers
    page = ro.get("/")
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_page_loads_nothing_from_elsewhere(ro):
    html = ro.get("/").text
    assert '<script src="/static/app.js"' in html
    for asset in ("/static/app.js", "/static/style.css", "/static/favicon.svg"):
        body = ro.get(asset)
        assert body.status_code == 200
        assert "https://" not in body.text.replace("https?:", "")
    assert "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


# ---- writing -------------------------------------------------------------------------------

def test_read_only_server_refuses_writes(ro):
    response = ro.post("/api/articles", json={"text": POSTED}, headers=AUTH)
    assert response.status_code == 403
    assert "token" in reason_of(response)


def test_writes_need_the_right_token(rw):
    missing = rw.post("/api/articles", json={"text": POSTED})
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    assert "bearer" in reason_of(missing).lower()
    wrong = rw.post("/api/articles", json={"text": POSTED},
                    headers={"Authorization": "Bearer " + TOKEN[:-1] + "x"})
    assert wrong.status_code == 401 and reason_of(wrong) == "wrong token"
    basic = rw.post("/api/articles", json={"text": POSTED}, headers={"Authorization": TOKEN})
    assert basic.status_code == 401
    # a refused request does not get to be parsed: no 422 before the 401
    garbage = rw.post("/api/articles", content=b"{not json")
    assert garbage.status_code == 401


def test_post_codes_an_article_and_its_events_come_back(rw):
    body = {"text": POSTED, "title": "Armenia accuses Azerbaijan", "date": "2024-05-06",
            "source": "test wire", "doc_name": "posted-1"}
    created = rw.post("/api/articles", json=body, headers=AUTH)
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["created"] is True and out["doc_name"] == "posted-1"
    assert out["text"].startswith("Armenia accuses Azerbaijan\n\n")
    triples = {(e["source_country"], e["cameo_root"], e["target_country"]) for e in out["events"]}
    assert ("ARM", "11", "AZE") in triples
    for ev in out["events"]:
        assert out["text"][ev["sentence_start"]:ev["sentence_end"]] == ev["evidence"]
        assert ev["date"] == "2024-05-06" and ev["story_id"]
    listed = rw.get("/api/events", params={"article": out["article_id"]}).json()
    assert {e["event_id"] for e in listed["items"]} == {e["event_id"] for e in out["events"]}
    assert rw.get("/api/api").status_code == 404
    assert rw.get("/api").json()["writable"] is True
    again = rw.post("/api/articles", json=body, headers=AUTH)
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["article_id"] == out["article_id"]


def test_post_html_page(rw):
    paragraphs = "".join(
        f"<p>{s}</p>" for s in [
            "Russia condemned Israel on Tuesday over the strike on the Iranian consulate in "
            "Damascus, calling it a gross violation of international law.",
            "The Russian foreign ministry said Moscow would raise the issue at the United "
            "Nations Security Council and urged all sides to show restraint.",
            "Iran's foreign minister thanked Russia for its support in a telephone call with "
            "Russian Foreign Minister Sergei Lavrov later that day."])
    html = (f"<html><head><title>Moscow condemns strike</title></head><body><nav>Home | World"
            f"</nav><article><h1>Moscow condemns strike on Iranian consulate</h1>{paragraphs}"
            "</article><footer>Copyright 2024 Example News</footer></body></html>")
    response = rw.post("/api/articles", json={"html": html, "date": "2024-04-02"}, headers=AUTH)
    assert response.status_code == 201, response.text
    out = response.json()
    assert "Copyright" not in out["text"] and "Home | World" not in out["text"]
    assert ("RUS", "11", "ISR") in {(e["source_country"], e["cameo_root"], e["target_country"])
                                    for e in out["events"]}


@pytest.mark.parametrize(("body", "status", "why"), [
    ({}, 400, "exactly one"),
    ({"text": "a", "html": "<p>a</p>"}, 400, "exactly one"),
    ({"text": "   "}, 422, "no words"),
    ({"text": "Armenia", "date": "yesterday"}, 422, "date"),
    ({"text": 42}, 422, "text"),
    ({"html": "<html><body></body></html>"}, 422, "html"),
])
def test_bad_posts_are_4xx_with_a_reason(rw, body, status, why):
    response = rw.post("/api/articles", json=body, headers=AUTH)
    assert response.status_code == status
    assert why in reason_of(response)


def test_invalid_json_and_oversized_bodies(rw):
    broken = rw.post("/api/articles", content=b"{oops", headers={**AUTH,
                                                                  "Content-Type": "application/json"})
    assert broken.status_code == 422 and reason_of(broken)
    huge = rw.post("/api/articles", json={"text": "Armenia protested. " * 10_000}, headers=AUTH)
    assert huge.status_code == 413 and "larger than" in reason_of(huge)

    def chunks():  # no Content-Length: the limit holds for streamed bodies too
        for _ in range(200):
            yield b"x" * 1000

    streamed = rw.post("/api/articles", content=chunks(), headers=AUTH)
    assert streamed.status_code == 413


def test_reads_go_on_while_an_article_is_coded(rw):
    text = "\n\n".join(f"Armenia accused Azerbaijan of violating the ceasefire near village "
                       f"number {i} on Monday." for i in range(40))

    def post():
        return rw.post("/api/articles", json={"text": text, "date": "2024-05-07"},
                       headers=AUTH).status_code

    def read(_):
        return rw.get("/api/events", params={"actor": "ARM", "limit": 5}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        writer = pool.submit(post)
        readers = list(pool.map(read, range(30)))
        assert writer.result() == 201
    assert set(readers) == {200}


def test_writes_are_rate_limited_per_client(tmp_path):
    app = create_app(copy_db(tmp_path), token=TOKEN, rate_limit=(3, 60.0))
    with LiveServer(app) as server, client_for(server) as client:
        codes = [client.post("/api/articles", json={}, headers=AUTH).status_code
                 for _ in range(3)]
        assert codes == [400, 400, 400]
        limited = client.post("/api/articles", json={}, headers=AUTH)
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) > 0
        assert "too many" in reason_of(limited)
        assert client.get("/api/events").status_code == 200  # reads are not limited


def test_cors_can_be_enabled_for_named_origins(tmp_path):
    app = create_app(copy_db(tmp_path), cors_origins=("https://analyst.example",))
    with LiveServer(app) as server, client_for(server) as client:
        ok = client.get("/api/events", headers={"Origin": "https://analyst.example"})
        assert ok.headers["access-control-allow-origin"] == "https://analyst.example"
        other = client.get("/api/events", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_missing_database_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no database"):
        create_app(tmp_path / "absent.duckdb")
