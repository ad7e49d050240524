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
