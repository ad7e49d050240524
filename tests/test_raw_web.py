"""Coding real scraped web pages (../shared/corpora/raw_web): no crash, every dropped
paragraph has a reason, and no event's evidence comes from a dropped paragraph."""

import subprocess
import sys

import duckdb

from conftest import shared_path


def test_raw_web_pages_code_cleanly(tmp_path):
    folder = shared_path("corpora", "raw_web")
    db = tmp_path / "raw.duckdb"
    done = subprocess.run([sys.executable, "-m", "dyads.cli", "code", str(folder / "scrapinghub_aeb"
                                                                        / "html"),
                           str(folder / "trafilatura_eval" / "html"), "--db", str(db)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    con = duckdb.connect(str(db), read_only=True)
    n_articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    n_pages = len(list((folder / "scrapinghub_aeb" / "html").glob("*.html.gz"))) + len(
        list((folder / "trafilatura_eval" / "html").glob("*.html.gz")))
    n_rejects = con.execute("SELECT count(*) FROM rejects").fetchone()[0]
    assert n_articles + n_rejects >= n_pages - 5  # identical pages collapse to one article
    assert n_articles > 150
    unexplained = con.execute("SELECT count(*) FROM paragraphs WHERE NOT kept "
                              "AND coalesce(reason, '') = ''").fetchone()[0]
    assert unexplained == 0
    assert con.execute("SELECT count(*) FROM paragraphs WHERE reason = 'comments'"
                       ).fetchone()[0] > 0
    # no evidence sentence lies inside a dropped paragraph (comments, boilerplate, captions)
    leaked = con.execute("""
        SELECT count(*) FROM events e JOIN paragraphs p USING (article_id)
        WHERE NOT p.kept AND e.sentence_start >= p.start_char AND e.sentence_end <= p.end_char
    """).fetchone()[0]
    assert leaked == 0
    texts = con.execute("SELECT e.evidence, substr(a.text, e.sentence_start + 1, "
                        "e.sentence_end - e.sentence_start) FROM events e "
                        "JOIN articles a USING (article_id)").fetchall()
    assert all(ev == original for ev, original in texts)
