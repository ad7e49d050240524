"""Mentions: noun phrases of a parsed sentence resolved to actors at the article's date."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from spacy.tokens import Span, Token

from .actors import Entry, Hit, KnowledgeBase
from .model import Actor

# Dependents that stay inside an actor's noun phrase.
NP_DEPS = {"compound", "amod", "poss", "nmod", "appos", "flat", "det", "case", "nummod",
           "punct", "cc", "conj", "npadvmod", "quantmod"}
COUNTRY_KINDS = ("country", "demonym", "capital", "metonym", "military", "intelligence",
                 "legislature")
KIND_SECTOR = {"capital": "GOV", "metonym": "GOV", "military": "MIL", "intelligence": "SPY",
               "legislature": "LEG"}
PRONOUNS = {"PRON"}


@dataclass
class ArticleContext:
    """What earlier sentences of the same article established."""

    when: date
    default_country: str = ""  # a country the caller knows the text is about
    seen_people: set[str] = field(default_factory=set)
    countries: Counter = field(default_factory=Counter)

    def dominant_country(self) -> str:
        if not self.countries:
            return self.default_country
        (top, n), *rest = self.countries.most_common(2) + [("", 0)]
        return top if n >= 2 and n > rest[0][1] else ""


def hit_key(hit: Hit, tokens: list[Token]) -> str:
    doc = tokens[0].doc
    return doc[hit.start:hit.end].text


class SentenceMentions:
    """KB hits of one sentence and the actor each noun phrase stands for."""

    def __init__(self, kb: KnowledgeBase, sent: Span, context: ArticleContext) -> None:
        self.kb, self.sent, self.context = kb, sent, context
        offset = sent.start
        self.hit_at: dict[int, Hit] = {}
        for hit in kb.find([t.text for t in sent]):
            hit.start += offset
            hit.end += offset
            for i in range(hit.start, hit.end):
                self.hit_at[i] = hit
            self.note_hit(hit)

    def note_hit(self, hit: Hit) -> None:
        people = hit.of_kind("person")
        if people:
            self.context.seen_people.update(e.ref for e in people)
        countries = {e.ref for e in hit.of_kind(*COUNTRY_KINDS)}
        if len(countries) == 1:
            self.context.countries[countries.pop()] += 1

    def phrase_tokens(self, head: Token) -> list[Token]:
        """The head and the dependents that belong to its noun phrase (plus "of"-phrases)."""
        tokens, stack = [head], list(head.children)
        while stack:
            tok = stack.pop()
            if tok.dep_ == "conj" and tok.head == head:
                continue  # coordinated actors are separate actors
            if tok.dep_ in NP_DEPS or (tok.dep_ == "prep" and tok.lower_ == "of") or (
                    tok.dep_ == "pobj" and tok.head.lower_ == "of"):
                tokens.append(tok)
                stack.extend(tok.children)
        return sorted(tokens, key=lambda t: t.i)

    def hits_in(self, tokens: list[Token]) -> list[Hit]:
        seen: list[Hit] = []
        for tok in tokens:
            hit = self.hit_at.get(tok.i)
            if hit and hit not in seen:
                seen.append(hit)
        return seen

    def actors_for(self, head: Token) -> list[Actor]:
        """Actors a noun phrase stands for (several for "Armenian and Azerbaijani leaders")."""
        if head.pos_ in PRONOUNS:
            return []
        tokens = self.phrase_tokens(head)
        hits = self.hits_in(tokens)
        if not hits:
            return []
        when = self.context.when
        person = self.person_in(hits, tokens)
        if person is not None:
            return [person]
        orgs = [e for h in hits for e in h.of_kind("org")]
        sector = self.sector_of(hits, head, tokens)
        if orgs:
            return [self.kb.org_actor(orgs[-1].ref, when, sector or orgs[-1].role)]
        countries = self.countries_in(hits)
        if not countries:
            country = self.context.dominant_country() if sector else ""
            if not country:
                return []
            return [self.kb.make_actor(country, sector, self.kb.country_name(country), 0.5)]
        actors = []
        for code, kind in countries:
            own = sector or KIND_SECTOR.get(kind, "")
            actors.append(self.kb.make_actor(code, own, self.kb.country_name(code)))
        return actors

    def person_in(self, hits: list[Hit], tokens: list[Token]) -> Actor | None:
        when = self.context.when
        for hit in hits:
            full = hit.of_kind("person")
            if full:
                ref = self.pick_person([e.ref for e in full])
                return self.kb.person_actor(ref, when)
        for hit in hits:
            surnames = hit.of_kind("surname")
            if not surnames:
                continue
            refs = [e.ref for e in surnames]
            seen = [r for r in refs if r in self.context.seen_people]
            titled = self.titled_refs(refs, hits)
            in_office = [r for r in refs if self.kb.people[int(r)].roles_on(when)]
            if seen or titled:
                ref = self.pick_person(seen or titled)
                certainty = 0.9 if seen else 0.8
            elif len(in_office) == 1 and self.kb.surname_is_unique(hit_key(hit, tokens)):
                # A well-known office-holder is often named by surname alone ("Putin said").
                ref, certainty = in_office[0], 0.7
            else:
                continue
            self.context.seen_people.add(ref)
            return self.kb.person_actor(ref, when, certainty)
        return None

    def pick_person(self, refs: list[str]) -> str:
        """Among namesakes, the one in office at the article's date."""
        when = self.context.when
        active = [r for r in refs if self.kb.people[int(r)].roles_on(when)]
        return (active or refs)[0]

    def titled_refs(self, refs: list[str], hits: list[Hit]) -> list[str]:
        """Surnames preceded by a title that fits the person's office at the date."""
        roles = {e.role for h in hits for e in h.of_kind("agent") if e.role}
        if not roles:
            return []
        when = self.context.when
        return [r for r in refs
                if any(role.role in roles for role in self.kb.people[int(r)].roles_on(when))]

    def sector_of(self, hits: list[Hit], head: Token, tokens: list[Token]) -> str:
        agents = [(h, e) for h in hits for e in h.of_kind("agent")]
        if not agents:
            return ""
        heads = [e for h, e in agents if h.start <= head.i < h.end]
        entry: Entry = (heads or [e for _, e in agents])[-1]
        if any(t.lower_ in self.kb.elite_modifiers for t in tokens if t.i < head.i):
            return "ELI"
        return entry.ref

    def countries_in(self, hits: list[Hit]) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        when = self.context.when
        for hit in hits:
            entries = [e for e in hit.of_kind(*COUNTRY_KINDS)
                       if self.kb.country_exists_on(e.ref, when)]
            if not entries:
                continue
            code, kind = entries[0].ref, entries[0].kind
            if code not in [c for c, _ in found]:
                found.append((code, kind))
        if len(found) > 1 and not self.coordinated(hits):
            return found[:1]
        return found

    def coordinated(self, hits: list[Hit]) -> bool:
        """True when the country words are joined by "and"/"or" ("Armenian and Azerbaijani")."""
        doc = self.sent.doc
        return any(doc[h.start].dep_ == "conj" for h in hits)


@dataclass
class Resolution:
    phrase: str
    actors: list[Actor]
    hits: list[tuple[str, str, str]]  # (matched text, kind, what it refers to)
    head: str


def resolve_phrase(kb: KnowledgeBase, nlp, phrase: str, when: date,
                   context: ArticleContext | None = None) -> Resolution:
    """Resolve a free-standing phrase ("Kazakhstan's Prime Minister Karim Masimov")."""
    doc = nlp(phrase)
    sent = next(iter(doc.sents))
    context = context or ArticleContext(when=when)
    mentions = SentenceMentions(kb, sent, context)
    head = sent.root
    if head.pos_ in ("VERB", "AUX"):  # a parse that read the phrase as a clause
        nouns = [t for t in sent if t.pos_ in ("NOUN", "PROPN")]
        head = nouns[-1] if nouns else head
    explained = []
    for hit in dict.fromkeys(mentions.hit_at.values()):
        text = doc[hit.start:hit.end].text
        for e in hit.entries:
            what = e.name if e.kind in ("person", "surname", "org") else f"{e.ref}"
            explained.append((text, e.kind, what))
    return Resolution(phrase, mentions.actors_for(head), explained, head.text)
