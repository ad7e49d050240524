"""The web page in a real browser: Debian's Chromium driven by Playwright against the real server.

Screenshots of each view are written to docs/screenshots/ (the ones the docs show).
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from dyads.server import create_app
from test_server import LiveServer, copy_db

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
SHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    app = create_app(copy_db(tmp_path_factory.mktemp("web")))
    with LiveServer(app) as server:
        yield server.url


@pytest.fixture(scope="module")
def api(site):
    with httpx.Client(base_url=site, timeout=60) as client:
        yield lambda path, **params: client.get(path, params=params).json()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is missing (apt-get install -y chromium)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def problems() -> list[str]:
    """Script errors, failed loads and requests to anywhere but the server, seen by `page`."""
    return []


@pytest.fixture
def page(browser, site, problems):
    context = browser.new_context(viewport=LAPTOP, base_url=site)
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("requestfailed", lambda req: problems.append(f"failed: {req.url}"))
    page.on("request", lambda req: None if req.url.startswith(site) else problems.append(
        f"request outside the server: {req.url}"))
    yield page
    context.close()
    assert not problems


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def rows(page):
    return page.locator("main table.events tbody tr")


def test_filter_events_click_one_and_see_its_sentence(page, api):
    page.goto("/")
    sync_api.expect(rows(page).first).to_be_visible()
    everything = api("/api/events")["total"]
    sync_api.expect(page.get_by_role("status").first).to_have_text(f"{everything} events match")

    page.get_by_label("Actor", exact=True).fill("ARM")
    page.get_by_label("Verbal conflict").check()
    page.get_by_label("Material conflict").check()
    page.get_by_role("button", name="Apply").click()
    expected = api("/api/events", actor="ARM", quad=[3, 4])
    assert 0 < expected["total"] < everything
    sync_api.expect(page.get_by_role("status").first).to_have_text(
        re.compile(rf"^{expected['total']} events? match$"))
    assert "actor=ARM" in page.url and "quad=3" in page.url
    sync_api.expect(rows(page)).to_have_count(expected["total"])
    for i in range(expected["total"]):
        assert "ARM" in rows(page).nth(i).inner_text()
    csv_link = page.get_by_role("link", name="CSV")
    assert "actor=ARM" in csv_link.get_attribute("href")
    export = page.request.get(csv_link.get_attribute("href"))
    assert export.ok and len(export.text().strip().splitlines()) == expected["total"] + 1
    shot(page, "events")

    first = expected["items"][0]
    page.locator("td.evidence a").first.click()
    current = page.locator(".article-text mark.ev.current")
    sync_api.expect(current).to_have_count(1)
    sync_api.expect(current).to_have_text(first["evidence"])
    sync_api.expect(current).to_be_in_viewport()
    assert page.get_by_role("button", pressed=True).inner_text().startswith(first["cameo_code"])
    page.go_back()
    sync_api.expect(page.get_by_label("Actor", exact=True)).to_have_value("ARM")


def test_article_view_greys_dropped_paragraphs_with_reasons(page, api):
    articles = api("/api/articles", limit=100)["items"]
    best = max((a for a in articles if a["n_events"]), key=lambda a: a["n_dropped"])
    assert best["n_dropped"] > 0
    art = api(f"/api/articles/{best['article_id']}")
    target = art["events"][0]
    page.goto(f"/#/article/{best['article_id']}?event={target['event_id']}")
    dropped = page.locator(".article-text p.dropped")
    sync_api.expect(dropped).to_have_count(best["n_dropped"])
    reasons = {p["reason"] for p in art["paragraphs"] if not p["kept"]}
    for reason in reasons:
        sync_api.expect(dropped.filter(has_text=f"dropped: {reason}").first).to_be_visible()
    grey = dropped.first.evaluate("el => getComputedStyle(el).color")
    body = page.locator(".article-text p:not(.dropped)").first.evaluate(
        "el => getComputedStyle(el).color")
    assert grey != body
    sync_api.expect(page.locator(".article-text mark.ev.current")).to_have_text(
        target["evidence"])
    # every event of the article has its sentence highlighted
    marks = page.locator(".article-text mark.ev")
    highlighted = " ".join(marks.all_inner_texts())
    assert all(e["evidence"] in highlighted or e["evidence"].split("\n")[0] in highlighted
               for e in art["events"])
    shot(page, "article")
    if len(art["events"]) > 1:
        other = art["events"][-1]
        page.locator(f'.event-list button[data-event="{other["event_id"]}"]').click()
        sync_api.expect(page.locator(".article-text mark.ev.current").first).to_contain_text(
            other["evidence"][:40])
        sync_api.expect(page.locator(".article-text mark.ev.current").first).to_be_in_viewport()
        assert f"event={other['event_id']}" in page.url


def test_keyboard_only(page, api):
    page.goto("/#/events")
    sync_api.expect(rows(page).first).to_be_visible()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    sync_api.expect(skip).to_be_focused()
    assert skip.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    # every form control has a label, every clickable thing is a link or a button
    unlabeled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter(el => el.type !== 'hidden' && !el.labels.length && !el.getAttribute('aria-label'))
        .map(el => el.name)""")
    assert unlabeled == []
    link = page.locator("td.evidence a").first
    link.focus()
    page.keyboard.press("Enter")
    sync_api.expect(page.locator(".article-text mark.ev.current")).to_have_count(1)
    buttons = page.locator(".event-list button")
    buttons.first.focus()
    page.keyboard.press("Enter")
    assert buttons.first.get_attribute("aria-pressed") == "true"


def test_network_and_dyad_timeline(page, api):
    page.goto("/#/network")
    net = api("/api/network")
    nodes = page.locator("svg a.node")
    sync_api.expect(nodes).to_have_count(len(net["nodes"]))
    sync_api.expect(page.locator("svg a.edge")).to_have_count(len(net["edges"]))
    for box in (nodes.nth(i).bounding_box() for i in range(nodes.count())):
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= LAPTOP["width"]
    shot(page, "network")

    page.locator('svg a.edge[aria-label^="ARM → RUS"]').focus()
    page.keyboard.press("Enter")
    sync_api.expect(page.get_by_role("heading", level=1)).to_have_text("Dyad timeline: ARM ↔ RUS")
    dyad = api("/api/timeline", actor="ARM", partner="RUS")
    sync_api.expect(page.locator("svg a.dot")).to_have_count(len(dyad["events"]))
    sync_api.expect(rows(page)).to_have_count(len(dyad["events"]))
    shot(page, "timeline")
    page.locator("svg a.dot").first.click()
    sync_api.expect(page.locator(".article-text mark.ev.current")).to_have_count(1)


def test_errors_are_shown_with_the_reason(page, problems):
    page.goto("/#/events?since=2025-01-01&until=2024-01-01")
    sync_api.expect(page.locator("main [role=alert]")).to_contain_text("400: since")
    page.goto("/#/article/doesnotexist")
    sync_api.expect(page.locator("main [role=alert]")).to_contain_text("404: no article")
    assert len(problems) == 2 and all("status of 40" in p for p in problems)
    problems.clear()  # the browser logs the two refused requests: they were the point
    page.goto("/#/events")
    page.get_by_label("CAMEO code").fill("abc")
    page.get_by_role("button", name="Apply").click()
    sync_api.expect(page.locator("#form-error")).to_contain_text("CAMEO code")


def test_other_views_render(page, api):
    page.goto("/#/grievances")
    sync_api.expect(page.locator("section.card")).to_have_count(
        min(api("/api/grievances")["total"], 100))
    page.goto("/#/articles")
    sync_api.expect(page.locator("main table tbody tr")).to_have_count(
        api("/api/articles")["total"])
    sync_api.expect(page.get_by_text("This server is read-only")).to_be_visible()
    page.goto("/#/api")
    sync_api.expect(page.locator(".api-op")).to_have_count(16)
