"""Split an article into paragraphs and drop scraped furniture, recording why.

Offsets always point into the original article text; nothing is rewritten.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from .knowledge import load_yaml
from .model import Article, Paragraph

LINE = re.compile(r"[^\n]+")
WORD = re.compile(r"[^\W\d_]+")
# Two or more capitalised words glued together ("ГлавнаяNewsArmenia"), at a paragraph's start.
GLUED_PREFIX = re.compile(r"^(?:[A-ZА-ЯЁ][a-zа-яё]+){2,}(?=[A-Z][a-z]+\b)"
                          r"|^(?:[\w&' -]{1,25}\s[|»›>/]\s){2,}[\w&' -]{1,25}?\s(?=[A-Z])")
LEADING_PUNCT = re.compile(r"^[.,;:!?]+\s*")
TERMINAL = tuple(".!?\"'”’»)…:")


@dataclass(frozen=True)
class CleanRules:
    comment_start: tuple[re.Pattern, ...]
    boilerplate: tuple[re.Pattern, ...]
    caption: tuple[re.Pattern, ...]
    reporting: tuple[re.Pattern, ...]
    function_words: frozenset[str]
    dateline: re.Pattern


@lru_cache(maxsize=1)
def rules() -> CleanRules:
    data = load_yaml("clean.yaml")

    def compiled(key: str) -> tuple[re.Pattern, ...]:
        return tuple(re.compile(p, re.IGNORECASE) for p in data[key])

    return CleanRules(compiled("comment_section_start"), compiled("boilerplate"),
                      compiled("caption"), compiled("reporting"),
                      frozenset(data["english_function_words"]), re.compile(data["dateline"]))


def normalised(text: str) -> str:
    return " ".join(WORD.findall(text.lower()))


def split_paragraphs(article: Article) -> list[Paragraph]:
    """One paragraph per non-blank line, trimmed of surrounding white space."""
    paragraphs = []
    for match in LINE.finditer(article.text):
        start, end = match.start(), match.end()
        chunk = match.group()
        start += len(chunk) - len(chunk.lstrip())
        end -= len(chunk) - len(chunk.rstrip())
        if end > start:
            paragraphs.append(Paragraph(article.article_id, len(paragraphs), start, end, True))
    return paragraphs


def matches(patterns: tuple[re.Pattern, ...], text: str) -> bool:
    return any(p.search(text) for p in patterns)


def looks_english(text: str, function_words: frozenset[str]) -> bool:
    words = WORD.findall(text)
    if not words:
        return True
    latin = sum(1 for w in words if w.isascii())
    if latin / len(words) < 0.6:
        return False
    hits = sum(1 for w in words if w.lower() in function_words)
    if len(words) < 6 or hits / len(words) >= 0.12:
        return True
    return detect_english(text)


@lru_cache(maxsize=1)
def language_detector():
    from lingua import Language, LanguageDetectorBuilder

    languages = [Language.ENGLISH, Language.RUSSIAN, Language.FRENCH, Language.GERMAN,
                 Language.SPANISH, Language.PORTUGUESE, Language.ITALIAN, Language.TURKISH,
                 Language.AZERBAIJANI, Language.ARMENIAN, Language.ARABIC, Language.PERSIAN,
                 Language.UKRAINIAN, Language.GEORGIAN, Language.INDONESIAN, Language.DUTCH,
                 Language.POLISH, Language.ROMANIAN]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def detect_english(text: str) -> bool:
    from lingua import Language

    return language_detector().detect_language_of(text) in (Language.ENGLISH, None)


def split_glued_breadcrumb(article: Article, para: Paragraph) -> list[Paragraph]:
    """'ГлавнаяNewsArmeniaArmenian PM meets…' → breadcrumb + the sentence that follows."""
    text = article.text[para.start:para.end]
    match = GLUED_PREFIX.match(text)
    if not match:
        return [para]
    cut = para.start + match.end()
    return [Paragraph(para.article_id, 0, para.start, cut, False, "breadcrumb"),
            Paragraph(para.article_id, 0, cut, para.end, True)]


def split_dateline(article: Article, para: Paragraph) -> list[Paragraph]:
    """'GAZA CITY, Palestinian Territories: Four children …' → dateline + the sentence."""
    match = rules().dateline.match(article.text[para.start:para.end])
    if not match or not para.kept:
        return [para]
    cut = para.start + match.end()
    return [Paragraph(para.article_id, 0, para.start, para.start + len(match.group().rstrip()),
                      False, "dateline"),
            Paragraph(para.article_id, 0, cut, para.end, True)]


def mark_broken_links(article: Article, paragraphs: list[Paragraph]) -> None:
    """A paragraph that starts with '.' or ',' lost its first words to a stripped hyperlink.

    The paragraph before it then lacks its verb ("…,” Rogozin"): drop it, and start the
    next one after the stray punctuation.
    """
    for prev, para in zip(paragraphs, paragraphs[1:], strict=False):
        lead = LEADING_PUNCT.match(article.text[para.start:para.end])
        if not lead or not para.kept:
            continue
        if prev.kept and not article.text[prev.start:prev.end].endswith(TERMINAL[:3]):
            prev.kept, prev.reason = False, "broken_link"
        para.start += lead.end()
        if para.start >= para.end:
            para.kept, para.reason = False, "broken_link"


def clean(article: Article) -> list[Paragraph]:
    """Paragraphs of the article, each kept or dropped with a reason."""
    r = rules()
    paragraphs: list[Paragraph] = []
    for para in split_paragraphs(article):
        for part in split_glued_breadcrumb(article, para):
            paragraphs.extend(split_dateline(article, part))
    texts = [article.text[p.start:p.end] for p in paragraphs]
    keys = [normalised(t) for t in texts]
    counts = Counter(keys)
    seen: set[str] = set()
    headline_key = normalised(article.title)
    in_comments = False
    for i, (para, text, key) in enumerate(zip(paragraphs, texts, keys, strict=True)):
        para.index = i
        if not para.kept:
            continue
        if i == 0 and text.strip() == article.title.strip():
            para.is_headline = True
        if not in_comments and matches(r.comment_start, text):
            in_comments = True
        reason = ""
        if in_comments:
            reason = "comments"
        elif matches(r.boilerplate, text):
            reason = "boilerplate"
        elif key in seen and key == headline_key:
            reason = "duplicate"
        elif matches(r.caption, text):
            reason = "caption"
        elif not key:
            reason = "no_text"
        elif not looks_english(text, r.function_words):
            reason = "non_english"
        elif counts[key] > 1 and len(key.split()) <= 30 and key != headline_key and not \
                matches(r.reporting, text):
            reason = "caption"  # photo captions are printed two or three times
        elif key in seen:
            reason = "duplicate"
        seen.add(key)
        if reason:
            para.kept, para.reason = False, reason
    mark_broken_links(article, paragraphs)
    return paragraphs
