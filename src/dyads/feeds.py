"""Ingest at volume: WARC archives, RSS/Atom feeds and web addresses.

Each reader streams: a WARC is read one record at a time (never whole), a feed one entry at a
time, and every input yields an Article or a Reject with its reason, as in `dyads.sources`.

- WARC / WARC.gz (warcio): `response` and `resource` records whose payload is HTML go through
  trafilatura like `sources.from_html`; other payloads, HTTP errors, truncated and oversized
  records are rejected with a reason. The article's date is the page's own date, else the
  record's WARC-Date, else `--date`.
- RSS / Atom (feedparser), from a file or an http(s) address: an entry's content (or summary)
  becomes the body, its title the headline, its link the url, its published (or updated) date
  the date.
- An http(s) address is fetched with urllib (timeout, size limit); the response is read as a
  feed, an HTML page or a WARC according to its content type (or its first bytes).
"""

from __future__ import annotations

import dataclasses
import gzip
import re
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import IO

from .model import Article, Reject
from .sources import (
    Limits,
    check_size,
    compose,
    decode_bytes,
    first_line,
    from_html,
    make_article,
    parse_date,
    read_raw,
    stem_of,
)

USER_AGENT = "dyads/0.1 (news event coder)"
TIMEOUT = 20.0  # seconds, for connecting and for each read of a fetched address
HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_MARKERS = (b"<rss", b"<feed", b"<rdf:rdf", b"<channel")
HTML_MARKERS = (b"<!doctype html", b"<html")
BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
              "pre", "table", "tr", "section", "article", "header", "footer", "figure", "dd",
              "dt", "hr"}
SCHEME = re.compile(r"^(https?):/+", re.IGNORECASE)


class FetchError(ValueError):
    """A web address that could not be fetched (network, HTTP status or size)."""


def read_feed_or_warc(path: Path | str, kind: str, *, source: str = "",
                      default_date: date | None = None,
                      limits: Limits | None = None) -> Iterator[Article | Reject]:
    """Dispatch by kind: "warc" (a file), "feed" (a file, or an address), "url" (an address)."""
    limits = limits or Limits()
    location = url_of(path)
    if location:
        yield from read_url(location, source, default_date, limits)
    elif kind == "warc":
        yield from read_warc(Path(path), source, default_date, limits)
    elif kind == "feed":
        yield from read_feed_file(Path(path), source, default_date, limits)
    else:
        yield Reject(str(path), "unreadable", f"not a WARC, feed or web address (kind {kind!r})")


def url_of(path: Path | str) -> str:
    """The address behind a path (pathlib folds 'https://' into 'https:/'), or ''."""
    text = str(path)
    return SCHEME.sub(lambda m: m[1].lower() + "://", text) if SCHEME.match(text) else ""


# --- WARC -----------------------------------------------------------------------------------

def read_warc(path: Path, source: str, default_date: date | None,
              limits: Limits) -> Iterator[Article | Reject]:
    try:
        with open(path, "rb") as fh:
            yield from read_warc_stream(fh, str(path), source, default_date, limits)
    except OSError as exc:
        yield Reject(str(path), "unreadable", str(exc))


def read_warc_stream(stream: IO[bytes], origin: str, source: str, default_date: date | None,
                     limits: Limits) -> Iterator[Article | Reject]:
    """Records one at a time; only response/resource records can hold an article."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    number = 0
    try:
        for number, record in enumerate(ArchiveIterator(stream), start=1):
            if record.rec_type not in ("response", "resource"):
                continue  # warcinfo, request, metadata, revisit: not documents
            yield warc_record(record, f"{origin}#{number}", source, default_date, limits)
    except (ArchiveLoadFailed, EOFError, OSError, ValueError, gzip.BadGzipFile) as exc:
        yield Reject(f"{origin}#{number + 1}", "unreadable", f"{type(exc).__name__}: {exc}")


def warc_record(record, origin: str, source: str, default_date: date | None,
                limits: Limits) -> Article | Reject:
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    where = f"{origin} {uri}".strip()
    if record.http_headers is not None and record.rec_type == "response":
        status = record.http_headers.get_statuscode() or ""
        if not status.startswith("2"):
            return Reject(where, "http_status", f"HTTP {status}")
        content_type = record.http_headers.get_header("Content-Type") or ""
    else:
        content_type = record.rec_headers.get_header("Content-Type") or ""
    media = content_type.split(";")[0].strip().lower()
    if media not in HTML_TYPES:
        return Reject(where, "not_html", f"content type {content_type or 'missing'}")
    stream = record.content_stream()
    chunks, size = [], 0
    while size <= limits.max_bytes:
        chunk = stream.read(1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limits.max_bytes:
        return Reject(where, "too_large", f"record payload > {limits.max_bytes} bytes")
    missing = getattr(record.raw_stream, "limit", 0) or 0
    if missing > 0:
        return Reject(where, "truncated",
                      f"record ends {missing} bytes short of its Content-Length")
    warc_day = parse_date(record.rec_headers.get_header("WARC-Date"))
    try:
        html = decode_bytes(b"".join(chunks))
        article = from_html(Path("page"), html, source, warc_day or default_date)
        article = dataclasses.replace(article, doc_name=uri or origin, url=uri or article.url)
        return check_size(article, limits)
    except ValueError as exc:
        return Reject(where, "bad_content", str(exc))


# --- RSS / Atom -----------------------------------------------------------------------------

def read_feed_file(path: Path, source: str, default_date: date | None,
                   limits: Limits) -> Iterator[Article | Reject]:
    try:
        raw = read_raw(path, limits)
    except (OSError, ValueError, EOFError) as exc:
        yield Reject(str(path), "unreadable", str(exc))
        return
    yield from read_feed_bytes(raw, str(path), stem_of(path), source, default_date, limits)


def read_feed_bytes(raw: bytes, origin: str, name: str, source: str,
                    default_date: date | None, limits: Limits,
                    headers: dict[str, str] | None = None) -> Iterator[Article | Reject]:
    import feedparser

    parsed = feedparser.parse(raw, response_headers=headers or {})
    if not parsed.entries:
        if parsed.get("bozo"):
            yield Reject(origin, "bad_feed", str(parsed.get("bozo_exception", "not a feed")))
        return
    feed_title = str(parsed.feed.get("title") or "").strip()
    for number, entry in enumerate(parsed.entries, start=1):
        where = f"{origin}#{number}"
        try:
            yield check_size(feed_entry(entry, name, number, source or feed_title,
                                        default_date), limits)
        except ValueError as exc:
            yield Reject(where, "bad_content", str(exc))


def feed_entry(entry, name: str, number: int, source: str,
               default_date: date | None) -> Article:
    title = html_to_text(str(entry.get("title") or "")).replace("\n", " ").strip()
    body = ""
    for part in entry.get("content") or []:
        body = as_text(part.get("value") or "", part.get("type") or "")
        if body.strip():
            break
    if not body.strip():
        detail = entry.get("summary_detail") or {}
        body = as_text(entry.get("summary") or "", detail.get("type") or "text/html")
    if not body.strip() and not title:
        raise ValueError("feed entry has no title, content or summary")
    text = compose(title, body) if body.strip() else title
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    published = date(*stamp[:3]) if stamp else None
    link = str(entry.get("link") or "")
    return make_article(str(entry.get("id") or link or f"{name}#{number}"), text,
                        title=title or first_line(text), source=source, url=link,
                        published=published or default_date)


def as_text(value: str, content_type: str) -> str:
    return value.strip() if content_type == "text/plain" else html_to_text(value)


def html_to_text(fragment: str) -> str:
    """An HTML fragment as text: one paragraph per block element, inline markup dropped."""
    if "<" not in fragment and "&" not in fragment:
        return fragment.strip()
    import lxml.html
    from lxml.etree import ParserError

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ParserError, ValueError):
        return fragment.strip()
    for el in root.iter("script", "style"):
        el.drop_tree()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in BLOCK_TAGS:
            el.text = "\n\n" + (el.text or "")
            el.tail = "\n\n" + (el.tail or "")
        elif el.tag == "br":
            el.tail = "\n" + (el.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().split("\n"))
    paragraphs, current = [], []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


# --- web addresses --------------------------------------------------------------------------

def read_url(url: str, source: str, default_date: date | None,
             limits: Limits) -> Iterator[Article | Reject]:
    if url.lower().split("?")[0].endswith((".warc", ".warc.gz")):
        try:
            with open_url(url) as resp:
                yield from read_warc_stream(resp, url, source, default_date, limits)
        except (FetchError, OSError) as exc:
            yield Reject(url, "unreadable", str(exc))
        return
    try:
        raw, content_type = fetch(url, limits)
    except (FetchError, OSError) as exc:
        yield Reject(url, "unreadable", str(exc))
        return
    media = content_type.split(";")[0].strip().lower()
    head = raw[:1024].lstrip().lower()
    name = url.rstrip("/").rsplit("/", 1)[-1] or url
    if ("xml" in media and media not in HTML_TYPES) or any(m in head for m in FEED_MARKERS):
        yield from read_feed_bytes(raw, url, name, source, default_date, limits,
                                   {"content-type": content_type, "content-location": url})
        return
    if media in HTML_TYPES or any(head.startswith(m) for m in HTML_MARKERS):
        try:
            article = from_html(Path(name), decode_bytes(raw), source, default_date)
            yield check_size(dataclasses.replace(article, doc_name=url,
                                                 url=article.url or url), limits)
        except ValueError as exc:
            yield Reject(url, "bad_content", str(exc))
        return
    yield Reject(url, "not_html", f"content type {content_type or 'missing'}")


def open_url(url: str, timeout: float = TIMEOUT):
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 - http(s) only
    except urllib.error.HTTPError as exc:
        raise FetchError(f"HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, TimeoutError) as exc:
        raise FetchError(f"cannot fetch: {getattr(exc, 'reason', exc)}") from exc


def fetch(url: str, limits: Limits, timeout: float = TIMEOUT) -> tuple[bytes, str]:
    """The body of an http(s) address (at most limits.max_bytes) and its content type."""
    if not url.lower().startswith(("http://", "https://")):
        raise FetchError(f"not an http(s) address: {url}")
    started = time.monotonic()
    with open_url(url, timeout) as resp:
        declared = resp.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limits.max_bytes:
            raise FetchError(f"response too large: {declared} bytes > {limits.max_bytes}")
        chunks, size = [], 0
        while True:
            chunk = resp.read(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limits.max_bytes:
                raise FetchError(f"response exceeds {limits.max_bytes} bytes")
            if time.monotonic() - started > 4 * timeout:
                raise FetchError(f"response took longer than {4 * timeout:.0f} s")
        raw = b"".join(chunks)
        if (resp.headers.get("Content-Encoding") or "").lower() == "gzip":
            raw = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw, limits.max_bytes + 1)
            if len(raw) > limits.max_bytes:
                raise FetchError(f"decompressed response exceeds {limits.max_bytes} bytes")
        return raw, resp.headers.get("Content-Type") or ""
