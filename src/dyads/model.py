"""The shared data model. Field names are the export's column names."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class Article:
    article_id: str
    doc_name: str
    text: str
    title: str = ""
    source: str = ""
    url: str = ""
    published: date | None = None
    lang: str = "en"


@dataclass
class Paragraph:
    article_id: str
    index: int
    start: int
    end: int
    kept: bool
    reason: str = ""  # why it was dropped: duplicate, comments, boilerplate, caption, ...
    is_headline: bool = False


@dataclass(frozen=True)
class Actor:
    code: str  # CAMEO style: RUSGOV, ARMMIL, IGOCSTO
    country: str  # ISO3, or the IGO's own code
    sector: str = ""  # GOV MIL LEG JUD OPP REB MED BUS CVL EDU REL IGO ...
    name: str = ""  # canonical name of what was recognised (person, country, organisation)
    certainty: float = 1.0  # how sure the resolver is (role noun only, back-reference, ...)


@dataclass
class Sentence:
    article_id: str
    start: int  # offsets into Article.text
    end: int
    text: str
    is_headline: bool = False


@dataclass
class Event:
    event_id: str
    article_id: str
    doc_name: str
    date: date | None
    source_code: str
    source_country: str
    source_sector: str
    source_name: str
    target_code: str
    target_country: str
    target_sector: str
    target_name: str
    cameo_code: str
    cameo_root: str
    plover_type: str
    plover_mode: str
    quad_class: int
    goldstein: float
    modality: str  # asserted | intended | reported
    speaker: str
    confidence: float
    evidence: str
    sentence_start: int
    sentence_end: int
    story_id: str = ""


@dataclass
class Reject:
    """An input that could not be coded, kept with its reason so that nothing is lost silently."""

    origin: str  # file path, or path:line for JSONL
    reason: str
    detail: str = ""


@dataclass
class CodedArticle:
    """Everything one article yields; the unit written to the store in one transaction."""

    article: Article
    paragraphs: list[Paragraph] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


EVENT_COLUMNS = [f for f in Event.__dataclass_fields__]


@dataclass
class RunCounts:
    """What a coding run did, the same for the local engine, Ray and `dyads watch`."""

    read: int = 0
    new: int = 0
    skipped: int = 0
    rejected: int = 0
    events: int = 0
    stories: int | None = None
    batches: int = 0
    seconds: float = 0.0
    workers: int = 0
    # (seconds since start, articles) for each result batch: shows startup and steady rate
    arrivals: list[tuple[float, int]] = field(default_factory=list)

    def summary(self, db: str) -> str:
        return (f"read {self.read} articles: {self.new} coded, {self.skipped} already in {db}, "
                f"{self.rejected} rejected; {self.events} events"
                + (f", {self.stories} stories in all" if self.stories is not None else ""))
