"""The JSON API and the web page: views of the same DuckDB store the CLI writes.

One process opens the database once. Every request reads through its own cursor; writes
(POST /api/articles) are serialised with a lock and need the bearer token given at start.
Without a token the file is opened read-only and writes are refused. SQL is never assembled
from request strings: values travel as parameters, and sort orders, periods and levels are
picked from fixed tables.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hmac
import io
import json
import logging
import math
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import __version__
from .model import EVENT_COLUMNS, Article
from .ontology import QUAD_NAMES, lookup
from .store import EventFilter, Store, StoreLocked, like_escape

log = logging.getLogger("dyads.server")
WEB_DIR = Path(__file__).parent / "web"

MAX_LIMIT = 500  # rows per page
MAX_OFFSET = 1_000_000
MAX_EXPORT = 100_000  # rows per export
MAX_BODY = 2_000_000  # bytes per write request
MAX_TEXT = 1_000_000  # characters of posted article text
RATE_LIMIT = (20, 60.0)  # writes per client per window (seconds)

ACTOR = r"^[A-Za-z0-9]{2,24}$"  # actor code prefix or country/IGO code: no wildcards, no quotes
CAMEO = r"^[0-9]{2,4}$"
ROOT = r"^[0-9]{2}$"
PLOVER = r"^[A-Za-z_-]{2,32}$"
IDENT = r"^[A-Za-z0-9_-]{1,64}$"
COUNTRY = r"^[A-Za-z]{2,12}$"

EVENT_SORTS = {
    "date": "e.date ASC NULLS LAST",
    "-date": "e.date DESC NULLS LAST",
    "confidence": "e.confidence ASC",
    "-confidence": "e.confidence DESC",
    "goldstein": "e.goldstein ASC",
    "-goldstein": "e.goldstein DESC",
    "code": "e.cameo_code ASC",
    "source": "e.source_code ASC",
    "target": "e.target_code ASC",
}
EventSort = Literal["date", "-date", "confidence", "-confidence", "goldstein", "-goldstein",
                    "code", "source", "target"]
STORY_SORTS = {
    "-first_date": "s.first_date DESC NULLS LAST",
    "first_date": "s.first_date ASC NULLS LAST",
    "-n_articles": "s.n_articles DESC",
    "-n_events": "s.n_events DESC",
}
StorySort = Literal["-first_date", "first_date", "-n_articles", "-n_events"]
PERIOD_SQL = {"week": "week", "month": "month", "year": "year"}
Period = Literal["week", "month", "year"]
Level = Literal["country", "actor"]
LEVEL_COLUMNS = {"country": ("e.source_country", "e.target_country"),
                 "actor": ("e.source_code", "e.target_code")}
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}
# The page loads nothing from elsewhere; the Swagger UI at /docs needs its CDN, so it is exempt.
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'none'")
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

T = TypeVar("T")


# ---- response models (the OpenAPI schema) -----------------------------------------------

class ErrorOut(BaseModel):
    status: int
    reason: str = Field(description="what was wrong, in words")
    errors: list[dict[str, Any]] | None = Field(None, description="per-field details (422)")


class EventOut(BaseModel):
    event_id: str
    article_id: str
    doc_name: str | None = None
    date: dt.date | None = None
    source_code: str | None = None
    source_country: str | None = None
    source_sector: str | None = None
    source_name: str | None = None
    target_code: str | None = None
    target_country: str | None = None
    target_sector: str | None = None
    target_name: str | None = None
    cameo_code: str | None = None
    cameo_root: str | None = None
    plover_type: str | None = None
    plover_mode: str | None = None
    quad_class: int | None = None
    goldstein: float | None = None
    modality: str | None = None
    speaker: str | None = None
    confidence: float | None = None
    evidence: str | None = None
    sentence_start: int | None = Field(None, description="offset (Unicode code points) into "
                                       "the article text")
    sentence_end: int | None = None
    story_id: str | None = None
    cameo_name: str = Field("", description="name of the CAMEO code (not stored; for display)")


class Page(BaseModel, Generic[T]):
    total: int = Field(description="rows matching the filter")
    limit: int
    offset: int
    next_offset: int | None = Field(None, description="offset of the next page, if any")
    items: list[T]


class StoryOut(BaseModel):
    story_id: str
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    n_articles: int | None = None
    n_sources: int | None = None
    n_events: int | None = None
    canonical_event_id: str | None = None
    canonical: EventOut | None = Field(None, description="the story's canonical event")


class StoryDetail(StoryOut):
    events: list[EventOut]


class RelationRow(BaseModel):
    period: dt.date | None
    source: str | None
    target: str | None
    events: int
    verbal_coop: int
    material_coop: int
    verbal_conflict: int
    material_conflict: int
    goldstein_sum: float | None
    goldstein_mean: float | None
    net_coop: int
    trend: float | None = Field(None, description="change of the mean Goldstein score since "
                                "the dyad's previous period")


class TieOut(BaseModel):
    partner: str
    name: str
    kind: str = Field(description="ally (mutual defence) or partner")
    via: str = Field(description="organisation code or treaty name")


class AlliesOut(BaseModel):
    country: str
    name: str
    date: dt.date
    ties: list[TieOut]


class GrievanceEvent(BaseModel):
    event_id: str
    article_id: str | None = None
    date: dt.date | None = None
    source: str | None = None
    target: str | None = None
    cameo_code: str | None = None
    plover_type: str | None = None
    quad_class: int | None = None
    goldstein: float | None = None
    evidence: str | None = None
    doc_name: str | None = None
    story_id: str | None = None


class GrievanceOut(BaseModel):
    source: str
    target: str
    relation: str = Field(description="ally, partner or '' (no tie on the event dates)")
    n_events: int
    goldstein_sum: float
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    events: list[GrievanceEvent]


class ParagraphOut(BaseModel):
    idx: int
    start: int
    end: int
    kept: bool
    reason: str | None = Field(None, description="why it was dropped (when not kept)")
    is_headline: bool | None = None


class ArticleSummary(BaseModel):
    article_id: str
    doc_name: str | None = None
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: dt.date | None = None
    lang: str | None = None
    n_events: int | None = None
    n_dropped: int = 0


class ArticleOut(ArticleSummary):
    text: str
    paragraphs: list[ParagraphOut]
    events: list[EventOut]


class CodeResult(ArticleOut):
    created: bool = Field(description="false when the same text was already stored")


class ActorOut(BaseModel):
    code: str
    country: str
    sector: str
    name: str
    certainty: float


class LookupHit(BaseModel):
    text: str
    kind: str
    refers_to: str


class LookupOut(BaseModel):
    phrase: str
    date: dt.date
    head: str
    actors: list[ActorOut]
    hits: list[LookupHit]


class NetworkNode(BaseModel):
    id: str
    name: str
    events: int
    sent: int
    received: int


class NetworkEdge(BaseModel):
    source: str
    target: str
    events: int
    verbal_coop: int
    material_coop: int
    verbal_conflict: int
    material_conflict: int
    goldstein_mean: float | None


class NetworkOut(BaseModel):
    level: str
    total_events: int
    nodes: list[NetworkNode]
    edges: list[NetworkEdge]
    truncated: bool = Field(description="true when only the busiest edges are returned")


class TimelineBucket(BaseModel):
    period: dt.date
    events: int
    verbal_coop: int
    material_coop: int
    verbal_conflict: int
    material_conflict: int
    goldstein_mean: float | None


class TimelineOut(BaseModel):
    period: str
    total_events: int
    buckets: list[TimelineBucket]
    events: list[EventOut]
    truncated: bool


class Facet(BaseModel):
    value: str
    name: str
    events: int


class MetaOut(BaseModel):
    name: str
    version: str
    writable: bool
    counts: dict[str, int]
    first_date: dt.date | None
    last_date: dt.date | None
    countries: list[Facet]
    plover_types: list[Facet]
    roots: list[Facet]
    quad_classes: dict[str, str]
    limits: dict[str, float]


class ArticleIn(BaseModel):
    """An article to code: plain text (the headline goes in `title`) or a whole HTML page."""

    text: str | None = Field(None, max_length=MAX_TEXT, description="article body as text")
    html: str | None = Field(None, max_length=MAX_BODY, description="a whole HTML page")
    title: str = Field("", max_length=1000)
    date: dt.date | None = Field(None, description="publication date (default: the page's date, "
                              "else today)")
    source: str = Field("", max_length=200, description="outlet name")
    url: str = Field("", max_length=2000)
    doc_name: str = Field("", max_length=200, description="your id for the document")


# ---- errors --------------------------------------------------------------------------------

def error_response(status: int, reason: str, headers: dict[str, str] | None = None,
                   errors: list[dict[str, Any]] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"status": status, "reason": reason}
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, headers=headers)


def bad_request(reason: str) -> HTTPException:
    return HTTPException(400, reason)


def describe_validation(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("query", "path", "body")]
        errors.append({"field": ".".join(loc) or "request", "message": str(err.get("msg", "")),
                       "type": str(err.get("type", ""))})
    reason = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid request"
    return reason[:1000], errors


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "bad combination of parameters"},
    404: {"model": ErrorOut, "description": "not found"},
    422: {"model": ErrorOut, "description": "a parameter failed validation"},
}


# ---- the database ------------------------------------------------------------------------

class Backend:
    """The one open database, the write lock, and the lazily loaded coding pipeline."""

    def __init__(self, db_path: str | Path, token: str | None, lexicons: tuple[Path, ...] = (),
                 actors: tuple[Path, ...] = ()) -> None:
        self.path = Path(db_path)
        self.token = token or None
        self.writable = self.token is not None
        if not self.writable and not self.path.exists():
            raise FileNotFoundError(f"no database at {self.path} (run `dyads code` first, or "
                                    "start with a token to create it)")
        self.store = Store(self.path, read_only=not self.writable)
        self.lexicons, self.actors = tuple(lexicons), tuple(actors)
        self.write_lock = threading.Lock()
        self.cursor_lock = threading.Lock()
        self.load_lock = threading.Lock()
        self._pipeline = None
        self._alliances = None

    def cursor(self):
        with self.cursor_lock:
            return self.store.con.cursor()

    @contextmanager
    def writer(self) -> Iterator[Store]:
        """A Store writing through its own cursor, so that readers never share its connection
        (callers hold `write_lock`)."""
        store = object.__new__(Store)
        store.path, store.con = str(self.path), self.cursor()
        try:
            yield store
        finally:
            store.con.close()

    def rows(self, sql: str, params: list[Any] | tuple = ()) -> list[dict[str, Any]]:
        cur = self.cursor()
        try:
            result = cur.execute(sql, list(params))
            cols = [d[0] for d in result.description]
            return [dict(zip(cols, row, strict=True)) for row in result.fetchall()]
        finally:
            cur.close()

    def scalar(self, sql: str, params: list[Any] | tuple = ()) -> Any:
        cur = self.cursor()
        try:
            row = cur.execute(sql, list(params)).fetchone()
            return row[0] if row else None
        finally:
            cur.close()

    def kb(self):
        from .actors import knowledge_base

        return knowledge_base(self.actors)

    def alliances(self):
        with self.load_lock:
            if self._alliances is None:
                from .alliances import Alliances

                self._alliances = Alliances(self.kb())
            return self._alliances

    def pipeline(self):
        with self.load_lock:
            if self._pipeline is None:
                from .pipeline import Pipeline

                self._pipeline = Pipeline(self.actors, self.lexicons, batch_size=1)
            return self._pipeline

    def close(self) -> None:
        self.store.close()


def cameo_name(code: str | None) -> str:
    if not code:
        return ""
    try:
        return lookup(code).name
    except KeyError:
        return ""


def event_out(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "cameo_name": cameo_name(row.get("cameo_code"))}


def event_filter(
    actor: Annotated[str | None, Query(pattern=ACTOR, description="actor code prefix (ARM, "
                                       "RUSGOV) or country/IGO code, as source or target")] = None,
    partner: Annotated[str | None, Query(pattern=ACTOR, description="with `actor`: only "
                                         "events between the two, either direction")] = None,
    source: Annotated[str | None, Query(pattern=ACTOR, description="source actor")] = None,
    target: Annotated[str | None, Query(pattern=ACTOR, description="target actor")] = None,
    code: Annotated[str | None, Query(pattern=CAMEO, description="CAMEO code prefix")] = None,
    root: Annotated[str | None, Query(pattern=ROOT, description="CAMEO root (2 digits)")] = None,
    plover: Annotated[str | None, Query(pattern=PLOVER, description="PLOVER event type")] = None,
    quad: Annotated[list[Annotated[int, Field(ge=1, le=4)]] | None,
                    Query(description="quad class 1-4, repeatable", max_length=4)] = None,
    modality: Annotated[Literal["asserted", "intended", "reported"] | None, Query()] = None,
    since: Annotated[dt.date | None, Query(description="first date (YYYY-MM-DD)")] = None,
    until: Annotated[dt.date | None, Query(description="last date (YYYY-MM-DD)")] = None,
    story: Annotated[str | None, Query(pattern=IDENT, description="story id")] = None,
    article: Annotated[str | None, Query(pattern=IDENT, description="article id")] = None,
    q: Annotated[str | None, Query(max_length=200, description="text in the evidence sentence "
                                   "(case-insensitive)")] = None,
    min_confidence: Annotated[float, Query(ge=0, le=1)] = 0.0,
    one_per_story: Annotated[bool, Query(description="count each real-world event once: "
                                         "only a story's canonical event")] = False,
) -> EventFilter:
    if since and until and since > until:
        raise bad_request(f"since ({since}) is after until ({until})")
    return EventFilter(
        actor=(actor or "").upper(), partner=(partner or "").upper(),
        source=(source or "").upper(), target=(target or "").upper(), code=code or "",
        root=root or "", plover=(plover or "").upper(), quad=tuple(sorted(set(quad or ()))),
        modality=modality or "", since=since, until=until, story=story or "",
        article=article or "", q=(q or "").strip(), min_confidence=min_confidence,
        one_per_story=one_per_story)


Filter = Annotated[EventFilter, Depends(event_filter)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"rows per page (≤ {MAX_LIMIT})")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip")]
ExportLimit = Annotated[int, Query(ge=1, le=MAX_EXPORT,
                                   description=f"rows at most (≤ {MAX_EXPORT})")]
EVENT_SELECT = ", ".join(f"e.{c}" for c in EVENT_COLUMNS)


def event_sql(flt: EventFilter, sort: str, extra: str = "TRUE") -> tuple[str, list[Any]]:
    where, params = flt.where()
    where = f"{extra} AND {where}"
    order = EVENT_SORTS[sort]
    return (f"SELECT {EVENT_SELECT} FROM events e WHERE {where} "
            f"ORDER BY {order}, e.doc_name, e.sentence_start, e.event_id", params)


def page(items: list[Any], total: int, limit: int, offset: int) -> dict[str, Any]:
    nxt = offset + limit if offset + limit < total else None
    return {"total": total, "limit": limit, "offset": offset, "next_offset": nxt,
            "items": items}


# ---- write guard: rate limit, token, body size, security headers --------------------------

class RateLimiter:
    """At most `limit` write requests per client address in a sliding window."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self.hits: dict[str, deque[float]] = defaultdict(deque)
        self.lock = threading.Lock()

    def retry_after(self, key: str) -> float:
        now = time.monotonic()
        with self.lock:
            if len(self.hits) > 10_000:
                for k in [k for k, v in self.hits.items() if not v or v[-1] < now - self.window]:
                    del self.hits[k]
            hits = self.hits[key]
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return hits[0] + self.window - now
            hits.append(now)
            return 0.0


class Guard:
    """ASGI middleware: every write is rate limited, authenticated and size limited before
    the application sees it; every response gets security headers."""

    def __init__(self, app, backend: Backend, max_body: int, limiter: RateLimiter) -> None:
        self.app, self.backend, self.max_body, self.limiter = app, backend, max_body, limiter

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def send_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in SECURITY_HEADERS.items():
                    if key not in headers:
                        headers[key] = value
                if not path.startswith(("/docs", "/redoc")):
                    headers["content-security-policy"] = PAGE_CSP
            await send(message)

        if scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send_headers)
            return
        refusal = self.refuse(scope)
        if refusal is not None:
            await refusal(scope, receive, send_headers)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > self.max_body:
                await self.too_large()(scope, receive, send_headers)
                return
            if not message.get("more_body", False):
                break
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send_headers)

    def too_large(self) -> JSONResponse:
        return error_response(413, f"request body larger than {self.max_body} bytes")

    def refuse(self, scope) -> JSONResponse | None:
        client = scope.get("client")
        wait = self.limiter.retry_after(client[0] if client else "unknown")
        if wait > 0:
            return error_response(
                429, f"too many write requests: at most {self.limiter.limit} per "
                f"{self.limiter.window:g} s per client; retry in {math.ceil(wait)} s",
                headers={"Retry-After": str(math.ceil(wait))})
        if not self.backend.writable:
            return error_response(403, "writes are disabled: the server was started without "
                                  "a token (use `dyads serve --token ...` or $DYADS_TOKEN)")
        headers = Headers(scope=scope)
        scheme, _, given = headers.get("authorization", "").partition(" ")
        challenge = {"WWW-Authenticate": 'Bearer realm="dyads"'}
        if scheme.lower() != "bearer" or not given.strip():
            return error_response(401, "missing bearer token (Authorization: Bearer <token>)",
                                  headers=challenge)
        expected = (self.backend.token or "").encode()
        if not hmac.compare_digest(given.strip().encode(), expected):
            return error_response(401, "wrong token", headers=challenge)
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            return self.too_large()
        return None


bearer = HTTPBearer(auto_error=False, description="the token given to `dyads serve --token`")


def documented_bearer(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
    """Declares the bearer scheme in the OpenAPI schema (the Guard middleware enforces it)."""


# ---- the application ------------------------------------------------------------------------

def create_app(db_path: str | Path, token: str | None = None, *, max_body: int = MAX_BODY,
               rate_limit: tuple[int, float] = RATE_LIMIT, lexicons: tuple[Path, ...] = (),
               actors: tuple[Path, ...] = (), cors_origins: tuple[str, ...] = ()) -> FastAPI:
    """The API and web page over one DuckDB file.

    Without `token`, the file is opened read-only and every write is refused with 403.
    CORS is off unless `cors_origins` lists the origins allowed to read the API.
    """
    backend = Backend(db_path, token, tuple(lexicons), tuple(actors))

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        # load the knowledge base while the first page is being fetched
        threading.Thread(target=backend.kb, name="dyads-kb-warmup", daemon=True).start()
        yield
        backend.close()

    app = FastAPI(
        title="dyads", version=__version__, lifespan=lifespan, responses=ERROR_RESPONSES,
        description="Political events (who did what to whom, with the sentence that says so) "
                    "from the dyads DuckDB store. Read endpoints are open; writes need the "
                    "bearer token the server was started with. Errors are JSON: "
                    "`{status, reason}`.")
    app.state.backend = backend
    install_error_handlers(app)
    add_read_routes(app, backend)
    add_view_routes(app, backend)
    add_write_routes(app, backend)
    add_web_routes(app)
    if cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins),
                           allow_methods=["GET"], allow_headers=["Authorization"])
    app.add_middleware(Guard, backend=backend, max_body=max_body,
                       limiter=RateLimiter(*rate_limit))
    return app


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException):
        reason = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
        if exc.status_code == 404 and reason == "Not Found":
            reason = "no such page or API endpoint (see /openapi.json)"
        return error_response(exc.status_code, reason, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError):
        reason, errors = describe_validation(exc)
        return error_response(422, reason, errors=errors)

    @app.exception_handler(Exception)
    async def crash(_request: Request, exc: Exception):
        log.exception("unhandled error", exc_info=exc)
        return error_response(500, "internal error (see the server log)")


def add_read_routes(app: FastAPI, backend: Backend) -> None:
    @app.get("/api", response_model=MetaOut, tags=["meta"])
    def meta() -> dict[str, Any]:
        """What the database holds: counts, dates and the values filters can take."""
        counts = {t: backend.scalar(f"SELECT count(*) FROM {t}")
                  for t in ("articles", "events", "stories", "rejects")}
        first, last = backend.rows("SELECT min(date) AS a, max(date) AS b FROM events")[0].values()
        kb = backend.kb()
        countries: Counter[str] = Counter()
        for row in backend.rows("SELECT source_country AS c, count(*) AS n FROM events "
                                "GROUP BY ALL UNION ALL SELECT target_country, count(*) "
                                "FROM events GROUP BY ALL"):
            if row["c"]:
                countries[row["c"]] += row["n"]
        plover = backend.rows("SELECT plover_type AS v, count(*) AS n FROM events "
                              "WHERE coalesce(plover_type, '') <> '' GROUP BY ALL ORDER BY v")
        roots = backend.rows("SELECT cameo_root AS v, count(*) AS n FROM events "
                             "WHERE coalesce(cameo_root, '') <> '' GROUP BY ALL ORDER BY v")
        return {
            "name": "dyads", "version": __version__, "writable": backend.writable,
            "counts": counts, "first_date": first, "last_date": last,
            "countries": [{"value": c, "name": kb.country_name(c), "events": n}
                          for c, n in sorted(countries.items())],
            "plover_types": [{"value": r["v"], "name": r["v"].title(), "events": r["n"]}
                             for r in plover],
            "roots": [{"value": r["v"], "name": cameo_name(r["v"]).capitalize(),
                       "events": r["n"]} for r in roots],
            "quad_classes": {str(k): v for k, v in QUAD_NAMES.items()},
            "limits": {"max_limit": MAX_LIMIT, "max_export": MAX_EXPORT},
        }

    @app.get("/api/events", response_model=Page[EventOut], tags=["events"])
    def events(flt: Filter, limit: Limit = 50, offset: Offset = 0,
               sort: Annotated[EventSort, Query(description="order")] = "-date"):
        """Events matching the filter, one page at a time."""
        where, params = flt.where()
        total = backend.scalar(f"SELECT count(*) FROM events e WHERE {where}", params)
        sql, params = event_sql(flt, sort)
        rows = backend.rows(sql + " LIMIT ? OFFSET ?", [*params, limit, offset])
        return page([event_out(r) for r in rows], total, limit, offset)

    def export(flt: EventFilter, sort: str, limit: int, fmt: str) -> StreamingResponse:
        sql, params = event_sql(flt, sort)
        sql += " LIMIT ?"
        params.append(limit)

        def chunks() -> Iterator[str]:
            cur = backend.cursor()
            try:
                result = cur.execute(sql, params)
                buffer = io.StringIO()
                writer = csv.writer(buffer, lineterminator="\n")
                if fmt == "csv":
                    writer.writerow(EVENT_COLUMNS)
                while rows := result.fetchmany(2000):
                    for row in rows:
                        if fmt == "csv":
                            writer.writerow(["" if v is None else v for v in row])
                        else:
                            buffer.write(json.dumps(dict(zip(EVENT_COLUMNS, row, strict=True)),
                                                    default=str, ensure_ascii=False) + "\n")
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
                yield buffer.getvalue()
            finally:
                cur.close()

        media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson"
        name = f"dyads-events.{'csv' if fmt == 'csv' else 'jsonl'}"
        return StreamingResponse(chunks(), media_type=media, headers={
            "Content-Disposition": f'attachment; filename="{name}"'})

    export_doc = {200: {"description": "one row per event; the columns of the CLI export"}}

    @app.get("/api/events.csv", tags=["events"], response_class=StreamingResponse,
             responses={200: {**export_doc[200], "content": {"text/csv": {}}}})
    def events_csv(flt: Filter, limit: ExportLimit = MAX_EXPORT,
                   sort: Annotated[EventSort, Query()] = "date"):
        """All events matching the filter as CSV (same columns as `dyads export`)."""
        return export(flt, sort, limit, "csv")

    @app.get("/api/events.jsonl", tags=["events"], response_class=StreamingResponse,
             responses={200: {**export_doc[200], "content": {"application/x-ndjson": {}}}})
    def events_jsonl(flt: Filter, limit: ExportLimit = MAX_EXPORT,
                     sort: Annotated[EventSort, Query()] = "date"):
        """All events matching the filter as JSON lines."""
        return export(flt, sort, limit, "jsonl")

    @app.get("/api/events/{event_id}", response_model=EventOut, tags=["events"])
    def one_event(event_id: Annotated[str, PathParam(pattern=IDENT)]):
        """One event by id."""
        rows = backend.rows(f"SELECT {EVENT_SELECT} FROM events e WHERE e.event_id = ?",
                            [event_id])
        if not rows:
            raise HTTPException(404, f"no event {event_id}")
        return event_out(rows[0])

    @app.get("/api/stories", response_model=Page[StoryOut], tags=["stories"])
    def stories(
        actor: Annotated[str | None, Query(pattern=ACTOR)] = None,
        partner: Annotated[str | None, Query(pattern=ACTOR)] = None,
        since: dt.date | None = None, until: dt.date | None = None,
        min_articles: Annotated[int, Query(ge=1, le=10_000)] = 1,
        q: Annotated[str | None, Query(max_length=200)] = None,
        sort: Annotated[StorySort, Query()] = "-first_date",
        limit: Limit = 50, offset: Offset = 0,
    ):
        """Stories: the same real-world event reported by several articles, with the
        canonical event's dyad, code and evidence. Filters apply to the canonical event."""
        if since and until and since > until:
            raise bad_request(f"since ({since}) is after until ({until})")
        flt = EventFilter(actor=(actor or "").upper(), partner=(partner or "").upper(),
                          q=(q or "").strip())
        where, params = flt.where()
        clauses = [where, "s.n_articles >= ?"]
        params.append(min_articles)
        if since:
            clauses.append("s.last_date >= ?")
            params.append(since)
        if until:
            clauses.append("s.first_date <= ?")
            params.append(until)
        base = (f"FROM stories s JOIN events e ON e.event_id = s.canonical_event_id "
                f"WHERE {' AND '.join(clauses)}")
        total = backend.scalar(f"SELECT count(*) {base}", params)
        rows = backend.rows(
            f"SELECT s.story_id AS s_story_id, s.first_date AS s_first_date, "
            f"s.last_date AS s_last_date, s.n_articles AS s_n_articles, "
            f"s.n_sources AS s_n_sources, s.n_events AS s_n_events, "
            f"s.canonical_event_id AS s_canonical_event_id, {EVENT_SELECT} {base} "
            f"ORDER BY {STORY_SORTS[sort]}, s.story_id LIMIT ? OFFSET ?",
            [*params, limit, offset])
        return page([story_out(r) for r in rows], total, limit, offset)

    @app.get("/api/stories/{story_id}", response_model=StoryDetail, tags=["stories"])
    def one_story(story_id: Annotated[str, PathParam(pattern=IDENT)]):
        """One story with all its events (one per reporting article)."""
        rows = backend.rows("SELECT * FROM stories WHERE story_id = ?", [story_id])
        if not rows:
            raise HTTPException(404, f"no story {story_id}")
        events = [event_out(r) for r in backend.rows(
            f"SELECT {EVENT_SELECT} FROM events e WHERE e.story_id = ? "
            "ORDER BY e.date, e.doc_name, e.event_id", [story_id])]
        canonical = next((e for e in events if e["event_id"] == rows[0]["canonical_event_id"]),
                         None)
        return {**rows[0], "canonical": canonical, "events": events}

    @app.get("/api/articles", response_model=Page[ArticleSummary], tags=["articles"])
    def articles(
        q: Annotated[str | None, Query(max_length=200, description="text in the title")] = None,
        since: dt.date | None = None, until: dt.date | None = None,
        limit: Limit = 50, offset: Offset = 0,
    ):
        """Stored articles, newest first."""
        if since and until and since > until:
            raise bad_request(f"since ({since}) is after until ({until})")
        clauses, params = ["TRUE"], []
        if q and q.strip():
            clauses.append("a.title ILIKE ? ESCAPE '\\'")
            params.append(f"%{like_escape(q.strip())}%")
        if since:
            clauses.append("a.published >= ?")
            params.append(since)
        if until:
            clauses.append("a.published <= ?")
            params.append(until)
        where = " AND ".join(clauses)
        total = backend.scalar(f"SELECT count(*) FROM articles a WHERE {where}", params)
        rows = backend.rows(
            f"SELECT {ARTICLE_FIELDS} FROM articles a WHERE {where} "
            "ORDER BY a.published DESC NULLS LAST, a.doc_name, a.article_id LIMIT ? OFFSET ?",
            [*params, limit, offset])
        return page(rows, total, limit, offset)

    @app.get("/api/articles/{article_id}", response_model=ArticleOut, tags=["articles"])
    def one_article(article_id: Annotated[str, PathParam(pattern=IDENT)]):
        """An article's text, its paragraphs (kept, or dropped with the reason) and its events
        with their evidence offsets into the text."""
        found = article_detail(backend, article_id)
        if found is None:
            raise HTTPException(404, f"no article {article_id}")
        return found

    @app.get("/api/actors/lookup", response_model=LookupOut, tags=["actors"])
    def actors_lookup(
        q: Annotated[str, Query(min_length=1, max_length=200,
                                description='a name or phrase, e.g. "President Aliyev"')],
        when: Annotated[dt.date | None, Query(alias="date", description="resolve at this date "
                                           "(default today)")] = None,
    ):
        """How a name resolves to an actor at a date, and which knowledge-base entries matched."""
        from .mentions import resolve_phrase
        from .parse import nlp

        phrase = " ".join(q.split())
        when = when or dt.date.today()
        if not any(ch.isalpha() for ch in phrase):  # no word in it: nothing to resolve
            return {"phrase": phrase, "date": when, "head": "", "actors": [], "hits": []}
        res = resolve_phrase(backend.kb(), nlp(), phrase, when)
        return {"phrase": phrase, "date": when, "head": res.head,
                "actors": [dataclasses.asdict(a) for a in res.actors],
                "hits": [{"text": t, "kind": k, "refers_to": w} for t, k, w in res.hits]}


ARTICLE_FIELDS = ("a.article_id, a.doc_name, a.title, a.source, a.url, a.published, a.lang, "
                  "a.n_events, (SELECT count(*) FROM paragraphs p WHERE p.article_id = "
                  "a.article_id AND NOT p.kept) AS n_dropped")


def story_out(row: dict[str, Any]) -> dict[str, Any]:
    story = {k[2:]: v for k, v in row.items() if k.startswith("s_")}
    event = {k: v for k, v in row.items() if not k.startswith("s_")}
    return {**story, "canonical": event_out(event)}


def article_detail(backend: Backend, article_id: str) -> dict[str, Any] | None:
    rows = backend.rows(f"SELECT {ARTICLE_FIELDS}, a.text FROM articles a "
                        "WHERE a.article_id = ?", [article_id])
    if not rows:
        return None
    paragraphs = backend.rows(
        "SELECT idx, start_char AS start, end_char AS \"end\", kept, reason, is_headline "
        "FROM paragraphs WHERE article_id = ? ORDER BY idx", [article_id])
    events = backend.rows(f"SELECT {EVENT_SELECT} FROM events e WHERE e.article_id = ? "
                          "ORDER BY e.sentence_start, e.event_id", [article_id])
    return {**rows[0], "paragraphs": paragraphs, "events": [event_out(e) for e in events]}


def add_view_routes(app: FastAPI, backend: Backend) -> None:
    @app.get("/api/relations", response_model=Page[RelationRow], tags=["relations"])
    def relations(
        period: Annotated[Period, Query()] = "month",
        level: Annotated[Level, Query()] = "country",
        actor: Annotated[str | None, Query(pattern=ACTOR, description="source or target")] = None,
        partner: Annotated[str | None, Query(pattern=ACTOR, description="with `actor`: only "
                                             "that dyad, both directions")] = None,
        since: dt.date | None = None, until: dt.date | None = None,
        limit: Limit = 100, offset: Offset = 0,
    ):
        """Dyads over time: events per period by quad class, Goldstein sum and mean, net
        cooperation and trend (each story counted once; the same view as `dyads relations`)."""
        from .views import relations_sql

        if since and until and since > until:
            raise bad_request(f"since ({since}) is after until ({until})")
        a, b = (actor or "").upper(), (partner or "").upper()
        if b and not a:  # one side of the dyad named: it is the actor
            a, b = b, ""
        sql = (f"SELECT * FROM ({relations_sql(PERIOD_SQL[period], level)}) r "
               "WHERE (?::DATE IS NULL OR r.period >= date_trunc(?, ?::DATE)) "
               "AND (?::DATE IS NULL OR r.period <= ?::DATE) "
               "AND (? = '' OR (r.source = ? AND r.target = ?) OR (r.source = ? AND r.target = ?))")
        params = [a] * 5 + [since, PERIOD_SQL[period], since, until, until, b, a, b, b, a]
        rows = backend.rows(sql, params)
        return page(rows[offset:offset + limit], len(rows), limit, offset)

    @app.get("/api/allies/{country}", response_model=AlliesOut, tags=["relations"])
    def allies(country: Annotated[str, PathParam(pattern=COUNTRY)],
               when: Annotated[dt.date | None, Query(alias="date",
                                                  description="default today")] = None):
        """A country's allies (mutual defence) and partners on a date, and what binds them."""
        code = country.upper()
        kb = backend.kb()
        if code not in kb.countries:
            raise HTTPException(404, f"unknown country code {code} (want ISO 3166-1 alpha-3)")
        when = when or dt.date.today()
        ties = backend.alliances().ties(code, when)
        return {"country": code, "name": kb.country_name(code), "date": when,
                "ties": [{"partner": t.partner, "name": kb.country_name(t.partner),
                          "kind": t.kind, "via": t.via} for t in ties]}

    @app.get("/api/grievances", response_model=Page[GrievanceOut], tags=["relations"])
    def grievances(
        between_allies: Annotated[bool, Query(description="only dyads tied on the event "
                                              "date")] = True,
        actor: Annotated[str | None, Query(pattern=ACTOR)] = None,
        limit: Limit = 50, offset: Offset = 0,
    ):
        """Conflict events (quad classes 3 and 4) grouped by dyad, with the tie between the
        two countries (ally or partner) on the event dates."""
        from .views import grievances as find_grievances

        cur = backend.cursor()
        try:
            groups = find_grievances(cur, between_allies, (actor or "").upper())
        finally:
            cur.close()
        chosen = groups[offset:offset + limit]
        ids = [e["event_id"] for g in chosen for e in g.events]
        owners = {r["event_id"]: r["article_id"] for r in backend.rows(
            "SELECT event_id, article_id FROM events WHERE event_id IN (SELECT unnest(?))",
            [ids])} if ids else {}
        items = []
        for g in chosen:
            dates = [e["date"] for e in g.events if e["date"]]
            items.append({
                "source": g.source, "target": g.target, "relation": g.relation,
                "n_events": len(g.events), "goldstein_sum": g.goldstein_sum,
                "first_date": min(dates) if dates else None,
                "last_date": max(dates) if dates else None,
                "events": [{**e, "article_id": owners.get(e["event_id"])} for e in g.events]})
        return page(items, len(groups), limit, offset)

    @app.get("/api/network", response_model=NetworkOut, tags=["relations"])
    def network(flt: Filter, level: Annotated[Level, Query()] = "country",
                max_edges: Annotated[int, Query(ge=1, le=1000)] = 200):
        """Who acts on whom for the current event filter: nodes and directed edges with event
        counts by quad class and mean Goldstein score."""
        src, tgt = LEVEL_COLUMNS[level]
        where, params = flt.where()
        edges = backend.rows(
            f"SELECT {src} AS source, {tgt} AS target, count(*) AS events, "
            "count(*) FILTER (WHERE e.quad_class = 1) AS verbal_coop, "
            "count(*) FILTER (WHERE e.quad_class = 2) AS material_coop, "
            "count(*) FILTER (WHERE e.quad_class = 3) AS verbal_conflict, "
            "count(*) FILTER (WHERE e.quad_class = 4) AS material_conflict, "
            "round(avg(e.goldstein), 2) AS goldstein_mean "
            f"FROM events e WHERE {where} AND coalesce({src}, '') <> '' "
            f"AND coalesce({tgt}, '') <> '' AND {src} <> {tgt} "
            "GROUP BY ALL ORDER BY events DESC, source, target", params)
        total = sum(e["events"] for e in edges)
        truncated = len(edges) > max_edges
        edges = edges[:max_edges]
        names = node_names(backend, level, {e[k] for e in edges for k in ("source", "target")})
        sent: Counter[str] = Counter()
        received: Counter[str] = Counter()
        for e in edges:
            sent[e["source"]] += e["events"]
            received[e["target"]] += e["events"]
        nodes = [{"id": n, "name": names.get(n, n), "events": sent[n] + received[n],
                  "sent": sent[n], "received": received[n]}
                 for n in sorted(set(sent) | set(received))]
        return {"level": level, "total_events": total, "nodes": nodes, "edges": edges,
                "truncated": truncated}

    @app.get("/api/timeline", response_model=TimelineOut, tags=["relations"])
    def timeline(flt: Filter, period: Annotated[Period, Query()] = "month",
                 max_events: Annotated[int, Query(ge=0, le=5000)] = 1000):
        """Events of the current filter over time: counts per period by quad class, plus the
        events themselves (for a dyad: set `actor` and `partner`)."""
        where, params = flt.where()
        buckets = backend.rows(
            f"SELECT CAST(date_trunc('{PERIOD_SQL[period]}', e.date) AS DATE) AS period, "
            "count(*) AS events, "
            "count(*) FILTER (WHERE e.quad_class = 1) AS verbal_coop, "
            "count(*) FILTER (WHERE e.quad_class = 2) AS material_coop, "
            "count(*) FILTER (WHERE e.quad_class = 3) AS verbal_conflict, "
            "count(*) FILTER (WHERE e.quad_class = 4) AS material_conflict, "
            "round(avg(e.goldstein), 2) AS goldstein_mean "
            f"FROM events e WHERE {where} AND e.date IS NOT NULL GROUP BY ALL ORDER BY period",
            params)
        total = sum(b["events"] for b in buckets)
        sql, params = event_sql(flt, "date", extra="e.date IS NOT NULL")
        rows = backend.rows(sql + " LIMIT ?", [*params, max_events])
        return {"period": period, "total_events": total, "buckets": buckets,
                "events": [event_out(r) for r in rows], "truncated": total > len(rows)}


def node_names(backend: Backend, level: str, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    if level == "country":
        kb = backend.kb()
        return {i: kb.country_name(i) for i in ids}
    rows = backend.rows(
        "SELECT code, name FROM (SELECT source_code AS code, source_name AS name FROM events "
        "UNION ALL SELECT target_code, target_name FROM events) "
        "WHERE code IN (SELECT unnest(?)) AND coalesce(name, '') <> '' "
        "GROUP BY ALL ORDER BY count(*) DESC", [sorted(ids)])
    names: dict[str, str] = {}
    for r in rows:
        names.setdefault(r["code"], r["name"])
    return names


def add_write_routes(app: FastAPI, backend: Backend) -> None:
    @app.post("/api/articles", response_model=CodeResult, status_code=201, tags=["articles"],
              dependencies=[Depends(documented_bearer)],
              responses={200: {"model": CodeResult, "description": "already stored"},
                         401: {"model": ErrorOut, "description": "missing or wrong token"},
                         403: {"model": ErrorOut, "description": "writes are disabled"},
                         413: {"model": ErrorOut, "description": "body too large"},
                         429: {"model": ErrorOut, "description": "too many writes"}})
    def post_article(body: ArticleIn, response: Response):
        """Code a new article (text, or a whole HTML page) and store it; returns its events.
        Posting the same text again changes nothing and returns 200 with the stored result."""
        article = article_from(body)
        with backend.write_lock, backend.writer() as store:
            created = not store.known_ids([article.article_id])
            if created:
                from .stories import rebuild_stories

                coded = list(backend.pipeline().code([article]))
                store.write(coded)
                rebuild_stories(store.con)
        found = article_detail(backend, article.article_id)
        if found is None:  # pragma: no cover - written above under the lock
            raise HTTPException(500, "the article was not stored")
        if not created:
            response.status_code = 200
        return {**found, "created": created}


def article_from(body: ArticleIn) -> Article:
    from .sources import article_id_for, compose, first_line, from_html, make_article

    if (body.text is None) == (body.html is None):
        raise bad_request("give exactly one of text and html")
    doc_name = " ".join(body.doc_name.split())
    if body.html is not None:
        try:
            article = from_html(Path(f"{doc_name or 'posted'}.html"), body.html, body.source,
                                body.date or dt.date.today())
        except ValueError as exc:
            raise HTTPException(422, f"html: {exc}") from exc
        if body.date:
            article.published = body.date
        if body.url:
            article.url = body.url
        if body.title:
            article.title = body.title.strip()
        if not doc_name:
            article.doc_name = f"api-{article.article_id[:10]}"
        return within_limits(article)
    text = compose(body.title, body.text or "")
    if not text.strip() or not any(ch.isalpha() for ch in text):
        raise HTTPException(422, "text: no words to code")
    if "\x00" in text:
        raise HTTPException(422, "text: contains NUL characters")
    return within_limits(make_article(
        doc_name or f"api-{article_id_for(text)[:10]}", text,
        title=body.title.strip() or first_line(text), source=body.source.strip(),
        url=body.url.strip(), published=body.date or dt.date.today()))


def within_limits(article: Article) -> Article:
    """The limits `dyads code` applies (paragraph size, dates in the future): a 422 with why."""
    from .sources import Limits, check_size

    try:
        return check_size(article, Limits())
    except ValueError as exc:
        field = "date" if "date" in str(exc) else "text"
        raise HTTPException(422, f"{field}: {exc}") from exc


def add_web_routes(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html", media_type="text/html",
                            headers={"Cache-Control": "no-cache"})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(WEB_DIR / "favicon.svg", media_type="image/svg+xml")


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def run(db: str | Path, host: str = "127.0.0.1", port: int = 8000,
        token: str | None = None) -> None:
    """Serve until interrupted (what `dyads serve` calls)."""
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s")
    try:
        app = create_app(db, token=token or None)
    except (FileNotFoundError, StoreLocked) as exc:
        raise SystemExit(str(exc)) from exc
    mode = "writes enabled (bearer token)" if token else "read-only (no token: writes refused)"
    log.info("dyads serving %s on http://%s:%s/ — %s", db, host, port, mode)
    if token and host not in LOOPBACK:
        log.warning("the token travels in clear text over plain HTTP: put a TLS proxy in front")
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False,
                server_header=False)
