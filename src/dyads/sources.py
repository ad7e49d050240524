"""Read articles from files: .txt, .jsonl, .html (each optionally .gz).

Every input yields either an Article or a Reject with its reason; nothing is dropped silently.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO

from charset_normalizer import from_bytes

from .model import Article, Reject

# Single-byte encodings that news scrapers still meet; restricting the guess to them keeps a
# short Latin-1 page from being read as a CJK code page.
LEGACY_ENCODINGS = ["cp1252", "cp1251", "koi8_r", "iso8859_2", "cp1250", "iso8859_9",
                    "cp1254", "cp1253", "cp1256", "cp1257", "iso8859_15", "latin_1"]
KINDS = {".txt": "txt", ".jsonl": "jsonl", ".html": "html", ".htm": "html", ".warc": "warc",
         ".rss": "feed", ".atom": "feed", ".xml": "feed"}


@dataclass
class Limits:
    """What one input may be before it is rejected (docs/reliability.md lists each limit)."""

    max_bytes: int = 20_000_000  # one article's raw size (file, decompressed file, JSONL line)
    max_chars: int = 2_000_000  # one article's text after extraction
    max_line_chars: int = 200_000  # one paragraph (line) of text: spaCy parses it whole
    max_ratio: int = 200  # gzip: decompressed / compressed size, checked past max_bytes (bombs)
    max_future_days: int = 2  # a date later than today + this is rejected (bad_date)
    strict_dates: bool = True  # a date given but not understood: reject (else use --date)

    @classmethod
    def parse(cls, spec: str) -> Limits:
        """'max_bytes=60000000,max_future_days=7' → Limits; ValueError on an unknown key."""
        limits = cls()
        for item in filter(None, (part.strip() for part in spec.split(","))):
            key, sep, value = item.partition("=")
            key = key.strip().replace("-", "_")
            if not sep or key not in cls.__dataclass_fields__:
                names = ", ".join(cls.__dataclass_fields__)
                raise ValueError(f"not a limit: {item!r} (want KEY=VALUE, KEY one of {names})")
            value = value.strip().lower()
            if key == "strict_dates":
                if value not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(f"{key} wants true or false, not {value!r}")
                setattr(limits, key, value in ("true", "1", "yes"))
            else:
                number = int(value.replace("_", ""))
                if number < 0:
                    raise ValueError(f"{key} must not be negative")
                setattr(limits, key, number)
        return limits


class RejectError(ValueError):
    """An input that must be rejected, with the reason to record (too_large, bad_date, ...)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


def reason_of(exc: Exception, default: str) -> str:
    return exc.reason if isinstance(exc, RejectError) else default


def article_id_for(text: str) -> str:
    """sha256 of the normalised text: the same story re-ingested gets the same id."""
    norm = " ".join(unicodedata.normalize("NFKC", text).split()).lower()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:24]


CONTROL_BYTES = bytes([*range(0, 9), *range(14, 27), *range(28, 32), 127])
ESCAPED = re.compile(r"[\udc80-\udcff]+")  # bytes that are not UTF-8 (surrogateescape)
NON_ASCII = re.compile(r"[^\x00-\x7f\udc80-\udcff]")


def decode_bytes(raw: bytes) -> str:
    """UTF-8 (a BOM is dropped; UTF-16 with a BOM), else one single-byte code page; a file of
    mostly UTF-8 with stray legacy bytes keeps its UTF-8 and decodes the rest; binary data and
    bytes no encoding fits raise ValueError."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ValueError(f"broken UTF-16: {exc}") from None
    raw = raw.removeprefix(codecs.BOM_UTF8)
    sample = raw[:65536]
    if b"\x00" in raw or len(sample) - len(sample.translate(None, CONTROL_BYTES)) > \
            len(sample) // 20:
        raise ValueError("binary content (NUL or control bytes), not text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    loose = raw.decode("utf-8", "surrogateescape")
    stray = sum(m.end() - m.start() for m in ESCAPED.finditer(loose))
    if len(NON_ASCII.findall(loose)) < stray:  # mostly a legacy code page
        best = from_bytes(raw, cp_isolation=LEGACY_ENCODINGS).best()
        if best is not None:
            return str(best)
    return decode_mixed(loose)


def decode_mixed(loose: str) -> str:
    """UTF-8 text with runs of legacy bytes (concatenated scrapes, a cp1252 quote in UTF-8):
    the UTF-8 stays, the runs are decoded with the code page that fits them best."""
    runs = [m.group().encode("utf-8", "surrogateescape") for m in ESCAPED.finditer(loose)]
    best = from_bytes(b"".join(runs), cp_isolation=LEGACY_ENCODINGS).best()
    encoding = best.encoding if best is not None else "cp1252"
    text = ESCAPED.sub(lambda m: m.group().encode("utf-8", "surrogateescape")
                       .decode(encoding, "replace"), loose)
    if text.count("\ufffd") > len(text) // 20:
        raise ValueError("undecodable bytes: no text encoding fits")
    return text


def parse_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    match = re.match(r"\s*(\d{4})-?(\d{2})-?(\d{2})(?!\d)", value)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def compose(title: str, body: str) -> str:
    """Article text with the headline as its first paragraph, so evidence offsets cover both."""
    title, body = title.strip(), body.strip("\n")
    if not title or body.lstrip().startswith(title):
        return body
    return f"{title}\n\n{body}"


def make_article(doc_name: str, text: str, *, title: str = "", source: str = "", url: str = "",
                 published: date | None = None) -> Article:
    return Article(article_id=article_id_for(text), doc_name=doc_name, text=text, title=title,
                   source=source, url=url, published=published)


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def read_raw(path: Path, limits: Limits) -> bytes:
    if path.stat().st_size > limits.max_bytes:
        raise ValueError(f"file too large: {path.stat().st_size} bytes > {limits.max_bytes}")
    if path.suffix == ".gz":
        with gzip.open(path) as fh:
            raw = fh.read(limits.max_bytes + 1)
        if len(raw) > limits.max_bytes:
            raise ValueError(f"decompressed size exceeds {limits.max_bytes} bytes")
        return raw
    return path.read_bytes()


def kind_of(path: Path) -> str:
    if str(path).startswith(("http://", "https:/")):
        return "url"
    name = path.name.lower().removesuffix(".gz")
    return next((kind for suffix, kind in KINDS.items() if name.endswith(suffix)), "")


def stem_of(path: Path) -> str:
    name = path.name.removesuffix(".gz")
    return name.rsplit(".", 1)[0] if "." in name else name


def from_txt(path: Path, text: str, source: str, default_date: date | None) -> Article:
    """A text file: the first non-empty line is the headline; a YYYY-MM-DD name gives the date."""
    return make_article(stem_of(path), text, title=first_line(text), source=source,
                        published=parse_date(stem_of(path)) or default_date)


def from_html(path: Path, html: str, source: str, default_date: date | None) -> Article:
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                      favor_precision=True)
    if doc is None or not (doc.text or "").strip():
        raise ValueError("no article text found in the HTML")
    title = (doc.title or "").strip()
    text = compose(title, doc.text)
    return make_article(stem_of(path), text, title=title or first_line(text),
                        source=source or (doc.sitename or ""), url=doc.url or "",
                        published=parse_date(doc.date) or default_date)


def from_json_record(record: object, origin: str, source: str,
                     default_date: date | None) -> Article:
    if not isinstance(record, dict):
        raise ValueError("JSONL record is not an object")
    body, title = record.get("text"), record.get("title") or ""
    if not isinstance(body, str) or not body.strip():
        raise ValueError("JSONL record has no text")
    if not isinstance(title, str):
        raise ValueError("JSONL title is not a string")
    doc_id = record.get("id")
    text = compose(title, body)
    return make_article(str(doc_id) if doc_id is not None else origin, text,
                        title=title or first_line(text),
                        source=str(record.get("source") or source),
                        url=str(record.get("url") or ""),
                        published=parse_date(record.get("date")) or default_date)


def iter_files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if kind_of(path) == "url":
            yield path
        elif path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and kind_of(p))
        else:
            yield path


def read_articles(paths: list[Path], *, source: str = "", default_date: date | None = None,
                  limits: Limits | None = None) -> Iterator[Article | Reject]:
    """Stream articles (or rejects) from files and folders, in a stable order."""
    limits = limits or Limits()
    for path in iter_files(paths):
        kind = kind_of(path)
        if kind in ("warc", "feed", "url"):
            from .feeds import read_feed_or_warc

            yield from read_feed_or_warc(path, kind, source=source, default_date=default_date,
                                         limits=limits)
            continue
        if kind == "jsonl":
            yield from read_jsonl(path, source, default_date, limits)
            continue
        try:
            if not kind:
                raise ValueError("unsupported file type (want .txt, .jsonl, .html, optionally .gz)")
            raw = read_raw(path, limits)
        except (OSError, ValueError, EOFError) as exc:
            yield Reject(str(path), "unreadable", str(exc))
            continue
        try:
            text = decode_bytes(raw)
            if "\x00" in text:
                raise ValueError("binary content (NUL bytes)")
            article = (from_html if kind == "html" else from_txt)(path, text, source, default_date)
            yield check_size(article, limits)
        except ValueError as exc:
            yield Reject(str(path), "bad_content", str(exc))


def open_stream(path: Path) -> IO[bytes]:
    return gzip.open(path) if path.suffix == ".gz" else open(path, "rb")  # noqa: SIM115


def read_jsonl(path: Path, source: str, default_date: date | None,
               limits: Limits) -> Iterator[Article | Reject]:
    """Stream a JSONL file line by line: memory does not grow with the file."""
    number = 0
    try:
        with open_stream(path) as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                origin = f"{path}:{number}"
                if len(line) > limits.max_bytes:
                    yield Reject(origin, "too_large", f"{len(line)} bytes > {limits.max_bytes}")
                    continue
                try:
                    record = json.loads(decode_bytes(line))
                    yield check_size(from_json_record(record, origin, source, default_date),
                                     limits)
                except json.JSONDecodeError as exc:
                    yield Reject(origin, "bad_json", str(exc))
                except ValueError as exc:
                    yield Reject(origin, "bad_content", str(exc))
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        yield Reject(f"{path}:{number + 1}", "unreadable", str(exc))


def check_size(article: Article, limits: Limits) -> Article:
    if len(article.text) > limits.max_chars:
        raise ValueError(f"article text too long: {len(article.text)} > {limits.max_chars} chars")
    return article
