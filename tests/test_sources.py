"""Reading .txt, .jsonl and .html inputs; bad input becomes a Reject with a reason."""

import gzip
import json
from datetime import date

from conftest import shared_path
from dyads.model import Article, Reject
from dyads.sources import article_id_for, read_articles


def test_txt_headline_is_first_non_empty_line(tmp_path):
    path = tmp_path / "moscow-talks.txt"
    path.write_text("\n\nPutin Hosts Pashinyan In Moscow\n\nThe two leaders met on Tuesday.\n")
    (article,) = read_articles([path], default_date=date(2024, 3, 5))
    assert isinstance(article, Article)
    assert article.title == "Putin Hosts Pashinyan In Moscow"
    assert article.doc_name == "moscow-talks"
    assert article.published == date(2024, 3, 5)


def test_jsonl_records_and_broken_lines(tmp_path):
    path = tmp_path / "feed.jsonl"
    good = {"id": "r1", "title": "Baku Accuses Yerevan", "text": "Azerbaijan accused Armenia.",
            "date": "2023-09-01", "source": "wire", "url": "http://example.org/1"}
    path.write_text(json.dumps(good) + "\n{not json\n" + json.dumps({"id": "r3", "text": 5})
                    + "\n")
    items = list(read_articles([path]))
    assert isinstance(items[0], Article) and items[0].doc_name == "r1"
    assert items[0].published == date(2023, 9, 1) and items[0].url == "http://example.org/1"
    assert items[0].text.startswith("Baku Accuses Yerevan\n\n")
    assert [type(i) for i in items[1:]] == [Reject, Reject]
    assert items[1].reason == "bad_json" and items[1].origin.endswith("feed.jsonl:2")
    assert items[2].reason == "bad_content"


def test_binary_and_unknown_files_are_rejected(tmp_path):
    (tmp_path / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    items = list(read_articles([tmp_path / "photo.txt", tmp_path / "notes.docx"]))
    assert all(isinstance(i, Reject) for i in items)
    assert {i.reason for i in items} == {"bad_content", "unreadable"}


def test_latin1_text_is_decoded(tmp_path):
    path = tmp_path / "paris.txt"
    path.write_bytes("Élysée Says Macron Will Visit Yerevan\n\nThe Élysée said Macron would "
                     "travel to Yerevan in the spring, the président's office said.\n"
                     .encode("latin-1"))
    (article,) = read_articles([path])
    assert "Élysée" in article.text


def test_same_text_gives_same_id_whatever_the_spacing():
    assert article_id_for("Russia  met\nArmenia.") == article_id_for("Russia met Armenia.")
    assert article_id_for("Russia met Armenia.") != article_id_for("Russia met Azerbaijan.")


def test_real_html_page_through_trafilatura(tmp_path):
    folder = shared_path("corpora", "raw_web", "trafilatura_eval", "html")
    page = sorted(folder.glob("*.html.gz"))[0]
    (article,) = read_articles([page])
    assert isinstance(article, Article)
    assert len(article.text) > 500
    assert "<div" not in article.text
    with gzip.open(page) as fh:
        raw = fh.read().decode("utf-8", "replace")
    assert article.title and article.title.split()[0] in raw
