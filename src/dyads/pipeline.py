"""One direction of flow: article → clean → parse → mentions → events."""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

from .actors import knowledge_base
from .clean import clean
from .confidence import calibrated
from .events import Coder, Draft, is_discarded_story
from .knowledge import load_optional
from .lexicon import lexicon
from .mentions import ArticleContext, SentenceMentions
from .model import Article, CodedArticle, Event, Paragraph
from .ontology import lookup
from .parse import headline_with_verb, nlp, recase_headline


def event_id(article_id: str, start: int, draft: Draft) -> str:
    key = f"{article_id}|{start}|{draft.source.code}|{draft.target.code}|{draft.code}|" \
          f"{draft.modality}|{draft.trigger}"
    return hashlib.sha1(key.encode()).hexdigest()[:20]


def merge_within_article(events: list[Event], headline_ends: int) -> list[Event]:
    """One event per country dyad, code and modality per article: the best evidence wins.

    A headline usually restates the lead ("Armenia Accuses Russian Peacekeepers" and
    "Pashinyan accused Russian peacekeepers"): the more specific actors, then the higher
    confidence, then the body sentence are preferred.
    """
    def rank(ev: Event) -> tuple:
        return (bool(ev.source_sector) + bool(ev.target_sector), ev.confidence,
                ev.sentence_start >= headline_ends)

    best: dict[tuple, Event] = {}
    surest: dict[tuple, float] = {}
    for ev in events:
        key = (ev.source_country, ev.target_country, ev.cameo_code, ev.modality)
        surest[key] = max(surest.get(key, 0.0), ev.confidence)
        if key not in best or rank(ev) > rank(best[key]):
            best[key] = ev
    for key, ev in best.items():
        ev.confidence = surest[key]  # one event attested twice is as sure as its best reading
    return sorted(best.values(), key=lambda e: (e.sentence_start, e.event_id))


class Pipeline:
    def __init__(self, actors: Iterable[Path] = (), lexicons: Iterable[Path] = (),
                 batch_size: int = 64, n_process: int = 1) -> None:
        self.kb = knowledge_base(tuple(actors))
        lex = lexicon(tuple(lexicons))
        self.coder = Coder(lex)
        self.event_nouns = frozenset(lex.nominals)
        self.nlp = nlp()
        self.past_forms = {str(k): str(v) for k, v in
                           (load_optional("lexicon/past_tense.yaml") or {}).items()}
        self.batch_size = batch_size
        self.n_process = n_process

    def texts_to_parse(self, article: Article, paragraphs: list[Paragraph]):
        body_start = next((p.end for p in paragraphs if p.is_headline), 0)
        for para in paragraphs:
            if not para.kept:
                continue
            text = article.text[para.start:para.end]
            if para.is_headline:
                text = recase_headline(text, article.text[body_start:], self.headline_names)
            yield text, (article.article_id, para)

    def code(self, articles: Iterable[Article]) -> Iterator[CodedArticle]:
        """Code articles in batches; results come back in input order."""
        if self.n_process > 1:
            yield from self.code_stream(articles)
            return
        batch: list[Article] = []
        for article in articles:
            batch.append(article)
            if len(batch) >= self.batch_size:
                yield from self.code_batch(batch)
                batch = []
        if batch:
            yield from self.code_batch(batch)

    def code_stream(self, articles: Iterable[Article]) -> Iterator[CodedArticle]:
        """Every paragraph through ONE nlp.pipe call, so that n_process > 1 starts its worker
        processes once per stream rather than once per batch; results in input order."""
        waiting: deque[tuple[int, CodedArticle, list]] = deque()

        def texts():
            for seq, article in enumerate(articles):
                result = CodedArticle(article, clean(article))
                waiting.append((seq, result, []))
                for text, (_, para) in self.texts_to_parse(article, result.paragraphs):
                    yield text, (seq, para)

        def finish(result: CodedArticle, parsed: list) -> CodedArticle:
            result.events = self.code_article(result.article, parsed)
            return result

        for doc, (seq, para) in self.nlp.pipe(texts(), as_tuples=True, batch_size=256,
                                              n_process=self.n_process):
            while waiting[0][0] < seq:  # docs come back in order: earlier articles are done
                yield finish(*waiting.popleft()[1:])
            waiting[0][2].append((doc, para))
        while waiting:
            yield finish(*waiting.popleft()[1:])

    def code_batch(self, articles: list[Article]) -> list[CodedArticle]:
        results = {a.article_id: CodedArticle(a, clean(a)) for a in articles}
        texts = [t for r in results.values() for t in self.texts_to_parse(r.article, r.paragraphs)]
        docs: dict[str, list] = {a.article_id: [] for a in articles}
        for doc, (article_id, para) in self.nlp.pipe(texts, as_tuples=True, batch_size=256,
                                                     n_process=self.n_process):
            docs[article_id].append((doc, para))
        for result in results.values():
            result.events = self.code_article(result.article, docs[result.article.article_id])
        return list(results.values())

    def code_article(self, article: Article, parsed: list) -> list[Event]:
        if is_discarded_story([doc.text for doc, _ in parsed[:2]]):
            return []  # sport, entertainment: the whole story is not political news
        context = ArticleContext(when=article.published or date.today())
        events: list[Event] = []
        headline_ends = 0
        for doc, para in parsed:
            if para.is_headline:
                headline_ends = para.end
            rewritten = self.headline_reparsed(doc) if para.is_headline else None
            if rewritten is not None:
                doc = rewritten
            for sent in doc.sents:
                mentions = SentenceMentions(self.kb, sent, context, self.event_nouns)
                start = para.start + sent.start_char
                end = para.start + sent.end_char
                if rewritten is not None:  # the evidence is the headline as written
                    start, end = para.start, para.end
                for draft in self.coder.code_sentence(sent, mentions, para.is_headline):
                    events.append(self.to_event(article, draft, start, end))
        return merge_within_article(events, headline_ends)

    def headline_reparsed(self, doc):
        """The headline parsed again with its verb in the past tense, when the tagger found
        no verb in it ("Niger Junta Expels French Envoy"), else None."""
        text = headline_with_verb(doc, lambda w: bool(self.coder.lex.verb_patterns(w)),
                                  self.past_forms)
        return self.nlp(text) if text else None

    def headline_names(self, words: list[str]) -> set[int]:
        """Words of a headline that keep their capital as parts of known names, except a
        one-word company that is also an event verb ("Shell": "Russian Forces Shell Kharkiv")."""
        keep: set[int] = set()
        for hit in self.kb.find(words):
            kinds = {e.kind for e in hit.entries} - {"agent", "not_actor"}
            if not kinds or (hit.end - hit.start == 1 and kinds == {"org"}
                             and self.is_event_verb(words[hit.start].lower())):
                continue
            keep.update(range(hit.start, hit.end))
        return keep

    def is_event_verb(self, word: str) -> bool:
        forms = [word] + ([word[:-1]] if word.endswith("s") else [])
        return any(self.coder.lex.verb_patterns(f) for f in forms)

    def to_event(self, article: Article, d: Draft, start: int, end: int) -> Event:
        code = lookup(d.code)
        return Event(
            event_id=event_id(article.article_id, start, d), article_id=article.article_id,
            doc_name=article.doc_name, date=article.published,
            source_code=d.source.code, source_country=d.source.country,
            source_sector=d.source.sector, source_name=d.source.name,
            target_code=d.target.code, target_country=d.target.country,
            target_sector=d.target.sector, target_name=d.target.name,
            cameo_code=code.code, cameo_root=code.root,
            plover_type=d.plover[0] or code.plover_type,
            plover_mode=d.plover[1] if d.plover[0] else code.plover_mode,
            quad_class=code.quad_class, goldstein=code.goldstein,
            modality=d.modality, speaker=d.speaker, confidence=calibrated(d.confidence),
            evidence=article.text[start:end], sentence_start=start, sentence_end=end)
