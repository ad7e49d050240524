"""Read articles from files: .txt, .jsonl, .html (each optionally .gz).

Every input yields either an Article or a Reject with its reason; nothing is dropped silently.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import json
import re
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
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
    max_lines: int = 50_000  # lines (paragraphs) of one article
    max_ratio: int = 200  # gzip: decompressed / compressed size, checked past 1 MB (bombs)
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
                if not value.replace("_", "").isdigit():
                    raise ValueError(f"{key} wants a whole number >= 0, not {value!r}")
                setattr(limits, key, int(value.replace("_", "")))
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
    stray = b"".join(runs)
    best = from_bytes(stray, cp_isolation=LEGACY_ENCODINGS).best() if len(stray) >= 64 else None

    def decode_run(match: re.Match) -> str:
        run = match.group().encode("utf-8", "surrogateescape")
        if best is not None:
            return run.decode(best.encoding, "replace")
        cyrillic = run.decode("cp1251", "replace")  # too short to guess: Cyrillic or Western
        if len(run) > 1 and all("\u0400" <= ch <= "\u04ff" for ch in cyrillic):
            return cyrillic
        return run.decode("cp1252", "replace")

    text = ESCAPED.sub(decode_run, loose)
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


LOOSE_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y",
                      "%d.%m.%Y", "%Y/%m/%d", "%Y.%m.%d")


def parse_given_date(value: object, strict: bool = True) -> date | None:
    """A record's own date: None when it has none; a RejectError (bad_date) when it has one
    that is not a date (with `strict`; else None, and the default date applies)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    day = parse_date(value) if isinstance(value, str) else None
    if day is None and isinstance(value, str):
        day = parse_loose_date(value.strip())
    if day is None and strict:
        raise RejectError("bad_date", f"date {value!r:.80} is not a date (want YYYY-MM-DD)")
    return day


def parse_loose_date(value: str) -> date | None:
    """RFC 2822 ('Tue, 05 Mar 2024 10:00:00 GMT') and a few spelled-out forms."""
    from datetime import datetime
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    for fmt in LOOSE_DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
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
        raise RejectError("too_large",
                          f"file too large: {path.stat().st_size} bytes > {limits.max_bytes}")
    if path.suffix == ".gz":
        with gzip.open(path) as fh:
            raw = fh.read(limits.max_bytes + 1)
        if len(raw) > limits.max_bytes:
            raise RejectError("too_large", f"decompressed size exceeds {limits.max_bytes} bytes "
                              "(a gzip bomb, or raise max_bytes)")
        return raw
    return path.read_bytes()


def kind_of(path: Path) -> str:
    if str(path).startswith(("http:/", "https:/")):  # Path() folds "//" into "/"
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


SURROGATE = re.compile(r"[\ud800-\udfff]")


def from_json_record(record: object, origin: str, source: str,
                     default_date: date | None, limits: Limits | None = None) -> Article:
    limits = limits or Limits()
    if not isinstance(record, dict):
        raise ValueError(f"JSONL record is {type_name(record)}, not an object")
    body, title = record.get("text"), record.get("title") or ""
    if not isinstance(body, str) or not body.strip():
        raise ValueError("JSONL record has no text" if body is None or isinstance(body, str)
                         else f"JSONL text is {type_name(body)}, not a string")
    if not isinstance(title, str):
        raise ValueError("JSONL title is not a string")
    doc_id = record.get("id")
    if isinstance(doc_id, bool) or not isinstance(doc_id, str | int | None):
        raise ValueError(f"JSONL id is {type_name(doc_id)}, not a string or number")
    for key in ("source", "url"):
        if not isinstance(record.get(key), str | None):
            raise ValueError(f"JSONL {key} is {type_name(record.get(key))}, not a string")
    # a lone surrogate ("\ud83d" of a cut emoji) is not Unicode: it would fail on storing
    title, body = SURROGATE.sub("\ufffd", title), SURROGATE.sub("\ufffd", body)
    text = compose(title, body)
    published = parse_given_date(record.get("date"), limits.strict_dates)
    return make_article(str(doc_id) if doc_id is not None else origin, text,
                        title=title or first_line(text),
                        source=str(record.get("source") or source),
                        url=str(record.get("url") or ""),
                        published=published or default_date)


def type_name(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


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
        except EOFError as exc:
            yield Reject(str(path), "truncated", f"compressed file cut short: {exc}")
            continue
        except (OSError, ValueError, zlib.error) as exc:
            yield Reject(str(path), reason_of(exc, "unreadable"), str(exc))
            continue
        try:
            text = decode_bytes(raw)
            if "\x00" in text:
                raise ValueError("binary content (NUL bytes)")
            if not text.strip():
                raise ValueError("empty file: no text")
            article = (from_html if kind == "html" else from_txt)(path, text, source, default_date)
            yield check_size(article, limits)
        except ValueError as exc:
            yield Reject(str(path), reason_of(exc, "bad_content"), str(exc))
        except Exception as exc:  # noqa: BLE001 - hostile input must not stop the run
            yield Reject(str(path), "error", f"{type(exc).__name__}: {str(exc)[:500]}")


def open_stream(path: Path) -> IO[bytes]:
    return gzip.open(path) if path.suffix == ".gz" else open(path, "rb")  # noqa: SIM115


def read_jsonl(path: Path, source: str, default_date: date | None,
               limits: Limits) -> Iterator[Article | Reject]:
    """Stream a JSONL file line by line: memory does not grow with the file, nor with a line
    (at most max_bytes of one line is held), and a gzip bomb is stopped by its ratio."""
    number = 0
    try:
        with open(path, "rb") as packed, (gzip.GzipFile(fileobj=packed)
                                          if path.suffix == ".gz" else packed) as fh:
            unpacked = 0
            for number, (line, size) in enumerate(bounded_lines(fh, limits.max_bytes), start=1):
                unpacked += size
                if fh is not packed and unpacked > 1_000_000 and \
                        unpacked > limits.max_ratio * max(packed.tell(), 1):
                    yield Reject(f"{path}:{number}", "too_large",
                                 f"decompressed {unpacked} bytes from {packed.tell()}: more than "
                                 f"{limits.max_ratio} times, a gzip bomb (raise max_ratio)")
                    return
                if line is not None and not line.strip():
                    continue
                origin = f"{path}:{number}"
                if line is None:
                    yield Reject(origin, "too_large", f"{size} bytes > {limits.max_bytes}")
                    continue
                yield json_line(line, origin, source, default_date, limits)
    except EOFError as exc:
        yield Reject(f"{path}:{number + 1}", "truncated", f"compressed file cut short: {exc}")
    except (OSError, zlib.error) as exc:
        yield Reject(f"{path}:{number + 1}", "unreadable", str(exc))


def json_line(line: bytes, origin: str, source: str, default_date: date | None,
              limits: Limits) -> Article | Reject:
    try:
        record = json.loads(decode_bytes(line.rstrip(b"\r\n")))
        return check_size(from_json_record(record, origin, source, default_date, limits),
                          limits)
    except json.JSONDecodeError as exc:
        return Reject(origin, "bad_json", str(exc))
    except RecursionError:
        return Reject(origin, "bad_json", "JSON nested too deeply")
    except ValueError as exc:
        return Reject(origin, reason_of(exc, "bad_content"), str(exc))
    except Exception as exc:  # noqa: BLE001 - hostile input must not stop the run
        return Reject(origin, "error", f"{type(exc).__name__}: {str(exc)[:500]}")


def bounded_lines(fh: IO[bytes], max_bytes: int) -> Iterator[tuple[bytes | None, int]]:
    """(line, size) for each line; a line longer than max_bytes is skipped in chunks and comes
    as (None, its size), so that one huge line never sits in memory."""
    while True:
        line = fh.readline(max_bytes + 1)
        if not line:
            return
        if len(line) <= max_bytes:
            yield line, len(line)
            continue
        size = len(line)
        while not line.endswith(b"\n"):
            line = fh.readline(1 << 20)
            if not line:
                break
            size += len(line)
        yield None, size


def check_size(article: Article, limits: Limits) -> Article:
    """Limits every article meets, whatever its input: text size, paragraph size, date."""
    if len(article.text) > limits.max_chars:
        raise RejectError("too_large", f"article text too long: {len(article.text)} > "
                          f"{limits.max_chars} chars")
    lines = article.text.count("\n") + 1
    if lines > limits.max_lines:
        raise RejectError("too_large", f"{lines} lines > {limits.max_lines} (max_lines)")
    longest = max((len(line) for line in article.text.split("\n")), default=0)
    if longest > limits.max_line_chars:
        raise RejectError("too_large", f"a paragraph of {longest} chars > "
                          f"{limits.max_line_chars} (max_line_chars)")
    if "\x00" in article.text:
        raise ValueError("text contains NUL characters")
    if article.published is not None and \
            article.published > date.today() + timedelta(days=limits.max_future_days):
        raise RejectError("bad_date", f"date {article.published} is in the future (more than "
                          f"{limits.max_future_days} days after today)")
    return article
