"""Property tests (hypothesis) over sources → clean → parse → code.

Whatever the text, nothing raises; paragraph and evidence offsets lie inside the text; the
evidence of every event is the article's text at its offsets. The inputs mix sentences built
from actors and verbs the coder knows (so that events do come out), real example articles with
noise spliced in, and arbitrary Unicode. Bounded (60 examples each) so that the suite stays
fast; `tools/fuzz.py` runs the long campaign (10,000 inputs).
"""

from __future__ import annotations

import gzip
import json
import tempfile
from datetime import date
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dyads.clean import clean
from dyads.model import Article, Reject
from dyads.parse import nlp, recase_headline
from dyads.sources import Limits, make_article, read_articles

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = settings(max_examples=60, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

GRAMMAR = yaml.safe_load((ROOT / "tests/data/fuzz_grammar.yaml").read_text(encoding="utf-8"))
ACTORS, VERBS, TAILS, FRAMES, NOISE = (GRAMMAR[k] for k in ("actors", "verbs", "tails",
                                                           "frames", "noise"))


@st.composite
def sentences(draw) -> str:
    frame = draw(st.sampled_from(FRAMES))
    s, s2, o, o2 = (draw(st.sampled_from(ACTORS)) for _ in range(4))
    v, t = draw(st.sampled_from(VERBS)), draw(st.sampled_from(TAILS))
    return frame.format(s=s, s2=s2, o=o, o2=o2, v=v, t=t, S=s[:1].upper() + s[1:],
                        V=v.title(), O=o.title())


def example_paragraphs() -> list[str]:
    paragraphs = []
    for path in sorted((ROOT / "examples").glob("*.txt")):
        paragraphs += [p for p in path.read_text(encoding="utf-8").split("\n") if p.strip()]
    return paragraphs or ["Russia accused Armenia of lying."]


EXAMPLES = example_paragraphs()


@st.composite
def noisy(draw, base: st.SearchStrategy[str]) -> str:
    """A text with noise spliced in at random places."""
    text = draw(base)
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(NOISE)) + text[at:]
    return text


paragraphs = st.one_of(
    st.lists(sentences(), min_size=1, max_size=4).map(" ".join),
    noisy(st.sampled_from(EXAMPLES)),
    noisy(st.lists(sentences(), min_size=1, max_size=3).map(" ".join)),
    st.text(max_size=200),
)
separators = st.sampled_from(["\n", "\n\n", "\r\n", "\n \n", " ", "\u2028", "\n\t\n"])


@st.composite
def articles(draw) -> Article:
    parts = draw(st.lists(paragraphs, min_size=1, max_size=6))
    text = ""
    for part in parts:
        text += part + draw(separators)
    title = draw(st.one_of(st.just(""), sentences().map(lambda s: s.rstrip(".").title())))
    if title:
        text = f"{title}\n\n{text}"
    day = draw(st.dates(min_value=date(1995, 1, 1), max_value=date(2026, 1, 1)))
    return make_article("fuzz", text, title=title, published=day)


def check_events(article: Article, events) -> None:
    n = len(article.text)
    for ev in events:
        assert 0 <= ev.sentence_start < ev.sentence_end <= n, (ev.sentence_start, n)
        assert article.text[ev.sentence_start:ev.sentence_end] == ev.evidence
        assert ev.evidence.strip()
        assert ev.article_id == article.article_id and ev.date == article.published
        assert ev.quad_class in (1, 2, 3, 4) and 0 <= ev.confidence <= 1
        assert ev.modality in ("asserted", "intended", "reported")
        assert ev.cameo_code.startswith(ev.cameo_root) and ev.source_code


@SETTINGS
@given(articles())
def test_clean_keeps_offsets_inside_the_text(article):
    paragraphs = clean(article)
    n = len(article.text)
    last_end = 0
    for i, para in enumerate(paragraphs):
        assert para.index == i
        assert 0 <= para.start <= para.end <= n
        assert para.start >= last_end or not para.kept  # in order, no overlap
        assert para.kept or para.reason
        last_end = max(last_end, para.end)


@SETTINGS
@given(noisy(st.lists(sentences(), min_size=1, max_size=3).map(" ".join)),
       st.text(max_size=300))
def test_parse_keeps_the_text_and_headline_length(headline, body):
    recased = recase_headline(headline, body)
    assert len(recased) == len(headline)
    assert all(a == b or a == b.lower() for a, b in zip(recased, headline, strict=True))
    doc = nlp()(headline)
    assert doc.text == headline
    for sent in doc.sents:
        assert 0 <= sent.start_char <= sent.end_char <= len(headline)


@SETTINGS
@given(articles())
def test_code_never_raises_and_evidence_is_the_text_at_its_offsets(pipeline, article):
    (coded,) = list(pipeline.code([article]))
    for para in coded.paragraphs:
        assert 0 <= para.start <= para.end <= len(article.text)
    check_events(article, coded.events)


@settings(max_examples=60, deadline=None, database=None)
@given(st.lists(sentences(), min_size=1, max_size=5))
def test_sentences_the_coder_knows_yield_consistent_events(pipeline, parts):
    article = make_article("known", "\n\n".join(parts), published=date(2024, 3, 5))
    (coded,) = list(pipeline.code([article]))
    check_events(article, coded.events)


SUFFIXES = [".txt", ".html", ".jsonl", ".txt.gz", ".jsonl.gz", ".htm"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=10)
records = st.fixed_dictionaries({}, optional={
    "id": json_values, "title": st.one_of(st.text(max_size=60), json_values),
    "text": st.one_of(paragraphs, json_values), "date": st.one_of(
        st.dates().map(str), st.text(max_size=20), json_values),
    "source": json_values, "url": json_values})


@SETTINGS
@given(st.sampled_from(SUFFIXES), st.one_of(
    st.binary(max_size=3000),
    paragraphs.map(lambda t: t.encode("utf-8", "surrogatepass")),
    paragraphs.map(lambda t: t.encode("cp1251", "replace")),
    st.lists(st.one_of(records.map(json.dumps), st.text(max_size=50)), max_size=8)
    .map(lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass"))))
def test_any_bytes_in_any_file_give_articles_or_rejects(suffix, data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
        items = list(read_articles([path], limits=Limits(max_bytes=100_000)))
    if not suffix.startswith(".jsonl"):
        assert len(items) == 1
    for item in items:
        assert isinstance(item, Article | Reject)
        if isinstance(item, Reject):
            assert item.reason and item.detail and item.reason != "error", item
        else:
            assert item.text.strip() and "\x00" not in item.text
            item.text.encode("utf-8")  # storable: no lone surrogates
