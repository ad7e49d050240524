"""Mentions: noun phrases of a parsed sentence resolved to actors at the article's date."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from spacy.tokens import Span, Token

from .actors import Entry, Hit, KnowledgeBase, fold, is_acronym
from .model import Actor

# Dependents that stay inside an actor's noun phrase.
NP_DEPS = {"compound", "amod", "poss", "nmod", "appos", "flat", "det", "case", "nummod",
           "punct", "cc", "conj", "npadvmod", "quantmod"}
COUNTRY_KINDS = ("country", "demonym", "capital", "metonym", "military", "intelligence",
                 "legislature", "city")
INSTITUTION_SECTORS = {"LEG", "MIL", "JUD", "SPY", "COP", "NGO", "MED", "BUS", "EDU", "REL", "PTY"}
KIND_SECTOR = {"capital": "GOV", "metonym": "GOV", "military": "MIL", "intelligence": "SPY",
               "legislature": "LEG", "city": "CVL"}
PRONOUNS = {"PRON"}
UNKNOWN_SECTOR = "UNK"
OF = frozenset({"of"})
# Prepositions that place a group somewhere: "Muslim leaders in France", "protesters from Gaza".
PLACE = frozenset({"of", "in", "from", "near", "outside", "around", "inside", "across",
                   "within"})


@dataclass
class ArticleContext:
    """What earlier sentences of the same article established."""

    when: date
    default_country: str = ""  # a country the caller knows the text is about
    seen_people: set[str] = field(default_factory=set)
    countries: Counter = field(default_factory=Counter)
    # acronyms the article defines for something else than the knowledge base knows them as:
    # "the Australian Wheat Board (AWB)" is not South Africa's AWB
    local_acronyms: set[str] = field(default_factory=set)

    def dominant_country(self) -> str:
        """The country the story is set in so far: the only one named, or the one named
        at least twice and more often than any other."""
        if not self.countries:
            return self.default_country
        (top, n), *rest = self.countries.most_common(2) + [("", 0)]
        if len(self.countries) == 1:
            return top
        return top if n >= 2 and n > rest[0][1] else ""


def as_place(hit: Hit) -> Hit:
    """A capital named as a location ("a park in Kabul") is the city, not the government."""
    entries = [Entry("city", e.ref, e.name) if e.kind in ("capital", "metonym") else e
               for e in hit.entries]
    return Hit(hit.start, hit.end, entries)


def spans_any(hit: Hit, indices: set[int]) -> bool:
    return any(hit.start <= i < hit.end for i in indices)


def fold_token(tok: Token) -> str:
    return fold(tok.text)


def hit_key(hit: Hit, tokens: list[Token]) -> str:
    doc = tokens[0].doc
    return doc[hit.start:hit.end].text


class SentenceMentions:
    """KB hits of one sentence and the actor each noun phrase stands for."""

    def __init__(self, kb: KnowledgeBase, sent: Span, context: ArticleContext,
                 event_nouns: frozenset[str] | set[str] = frozenset()) -> None:
        self.kb, self.sent, self.context = kb, sent, context
        self.event_nouns = event_nouns  # "remarks in Doha" is not an actor in Qatar
        offset = sent.start
        self.hit_at: dict[int, Hit] = {}
        hits = kb.find([t.text for t in sent])
        self.note_acronym_definitions(sent, hits)
        for hit in hits:
            if hit.end - hit.start == 1 and sent[hit.start].text in context.local_acronyms:
                continue
            hit.start += offset
            hit.end += offset
            for i in range(hit.start, hit.end):
                self.hit_at[i] = hit
            self.note_hit(hit)

    def note_acronym_definitions(self, sent: Span, hits: list[Hit]) -> None:
        """"the Australian Wheat Board (AWB)": an acronym the text spells out as a name the
        knowledge base does not give it means that name in this article."""
        words = [t.text for t in sent]
        at = {h.start: h for h in hits}
        for k in range(1, len(words) - 2):
            acronym = words[k + 1]
            if words[k] != "(" or words[k + 2] != ")" or not is_acronym(acronym) or \
                    k + 1 not in at or len(acronym.replace(".", "")) < 2:
                continue
            name = self.spelled_out(words[:k], acronym.replace(".", ""))
            if not name:
                continue
            refs = {e.ref for e in at[k + 1].entries}
            if not any(e.ref in refs for h in self.kb.find(name) for e in h.entries):
                self.context.local_acronyms.add(acronym)

    @staticmethod
    def spelled_out(before: list[str], letters: str) -> list[str]:
        """The words just before an acronym whose capitals spell it, or []."""
        name: list[str] = []
        for word in reversed(before):
            if word[:1].isupper():
                name.insert(0, word)
            elif word.lower() not in ("of", "and", "for", "the", "on", "de", "&") or not name:
                break
            else:
                name.insert(0, word)
            capitals = "".join(w[0] for w in name if w[:1].isupper())
            if capitals.upper() == letters.upper():
                return name
            if len(capitals) > len(letters):
                break
        return []

    def note_hit(self, hit: Hit) -> None:
        people = hit.of_kind("person")
        if people:
            self.context.seen_people.update(e.ref for e in people)
        named = people or hit.of_kind("surname")
        countries = {e.ref for e in hit.of_kind(*COUNTRY_KINDS)} or {
            self.kb.people[int(e.ref)].country for e in named}
        if len(countries) == 1:
            self.context.countries[countries.pop()] += 1

    def possessor_hits(self, head: Token, hits: list[Hit]) -> list[Hit]:
        """Hits inside the head's possessor, when the head is not itself a name or role."""
        if head.i in self.hit_at:
            return []
        owners = [c for c in head.children if c.dep_ == "poss"]
        if not owners:
            return []
        inside = {t.i for o in owners for t in o.subtree}
        return [h for h in hits if h.start in inside and not h.of_kind("agent")]

    def is_place(self, tok: Token) -> bool:
        hit = self.hit_at.get(tok.i)
        return hit is not None and bool(hit.of_kind("country", "capital", "city"))

    def phrase_tokens(self, head: Token, preps: frozenset[str] = OF) -> list[Token]:
        """The head and the dependents that belong to its noun phrase (plus "of"-phrases)."""
        tokens, stack = [head], list(head.children)
        while stack:
            tok = stack.pop()
            if tok.dep_ == "conj" and tok.head == head:
                continue  # coordinated actors are separate actors
            if self.names_no_actor(tok) and tok.dep_ in ("pobj", "npadvmod"):
                continue  # "a high of 51 billion U.S. dollars": money is nobody's
            if tok.dep_ in NP_DEPS or (tok.dep_ == "prep" and tok.lower_ in preps) or (
                    tok.dep_ == "pobj" and tok.head.lower_ in preps):
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

    def actors_for(self, head: Token, as_source: bool = False) -> list[Actor]:
        """Actors a noun phrase stands for (several for "Armenian and Azerbaijani leaders").

        As the source of an act, a city alone is not an actor ("Halifax said" is a bank).
        """
        if head.pos_ in PRONOUNS:
            return []
        if as_source:
            hit = self.hit_at.get(head.i)
            if hit is not None and hit.of_kind("city") and not hit.of_kind(
                    "agent", "org", "person", "surname", "country", "capital", "demonym"):
                return []
        tokens = self.without_description(head, self.phrase_tokens(head))
        related = self.related_tokens(head)
        hits = [h for h in self.hits_in(tokens) if not spans_any(h, related)]
        if self.names_no_actor(head):
            return []
        if head.lemma_.lower() not in self.event_nouns and not any(
                h.of_kind("person", "surname", "org", *COUNTRY_KINDS) for h in hits):
            # "Muslim leaders in France", "targets in Syria": a place gives the country
            placed = [h for h in self.hits_in(self.phrase_tokens(head, PLACE))
                      if h not in hits and h.of_kind("org", *COUNTRY_KINDS)
                      and not spans_any(h, related)]
            hits = hits + [as_place(h) for h in placed[:1]]
        if not hits:
            return []
        when = self.context.when
        person = self.person_in(hits, tokens)
        if person is not None:
            return [person]
        owner = self.possessor_hits(head, hits)
        if owner:
            hits = owner + [h for h in hits if h.of_kind("agent")]
        orgs = [e for h in hits for e in h.of_kind("org")]
        countries = self.countries_in(hits)
        sector = self.sector_of(hits, head, tokens, countries[0][0] if countries else "")
        if sector == UNKNOWN_SECTOR:
            return []  # "two men": someone the text does not identify is no party to an event
        scope = self.agent_entry(hits, head, "")
        if not countries and scope is not None and len(scope.scope) == 1:
            countries = [(scope.scope[0], "country")]  # "a White House official"
        if orgs:
            return [self.kb.org_actor(orgs[-1].ref, when, sector or orgs[-1].role)]
        if not countries:
            if not sector:
                return []
            abroad = scope is not None and fold(scope.name) in self.kb.foreign_roles
            country = "" if abroad else self.context.dominant_country()
            if not country:  # a role with no country in sight: "police", "a former minister"
                return [Actor(sector, "", sector, head.text, 0.3)]
            return [self.kb.make_actor(country, sector, self.kb.country_name(country), 0.5)]
        if self.names_a_people(tokens, head, countries):
            home = self.country_of_residence(countries[0][0])
            return [self.kb.make_actor(home, sector or "CVL", self.kb.country_name(home))]
        actors = []
        for code, kind in countries:
            own = sector or KIND_SECTOR.get(kind, "")
            actors.append(self.kb.make_actor(code, own, self.kb.country_name(code)))
        return actors

    def names_a_people(self, tokens: list[Token], head: Token,
                       countries: list[tuple[str, str]]) -> bool:
        """"ethnic Albanians": a people named by a demonym, not the state of that name."""
        before = {fold_token(t) for t in tokens if t.i < head.i}
        return len(countries) == 1 and countries[0][1] == "demonym" and bool(
            before & self.kb.ethnic_modifiers)

    def country_of_residence(self, namesake: str) -> str:
        """Where a people named after a state lives: the first other country the sentence
        names as a place ("ethnic Albanians in south Serbia"), else the story's country."""
        when = self.context.when
        for hit in sorted(set(self.hit_at.values()), key=lambda h: h.start):
            for entry in hit.of_kind("country", "capital", "city"):
                if entry.ref != namesake and self.kb.country_exists_on(entry.ref, when):
                    return entry.ref
        return self.context.dominant_country() or namesake

    def related_tokens(self, head: Token) -> set[int]:
        """"the Al Qaeda-linked Somali group": a name inside a participle that ties the group to
        another (even one the parser splits, "Islamic | State-linked") is not the group."""
        return {t.i for c in head.children if c.dep_ == "amod" and c.pos_ == "VERB"
                and c.lemma_.lower() in self.kb.relation_modifiers for t in c.subtree}

    def without_description(self, head: Token, tokens: list[Token]) -> list[Token]:
        """"the mayor of Nablus, a member of Hamas": a role placed by its own phrase is that
        role; the apposition only describes the person."""
        hit = self.hit_at.get(head.i)
        if hit is None or not hit.of_kind("agent"):
            return tokens
        described = {t.i for c in tokens if c.dep_ == "appos" and c is not head
                     for t in c.subtree}
        if any(h.of_kind("person", "surname") for h in self.hits_in(
                [t for t in tokens if t.i in described])):
            return tokens  # "Iran's top security official, Ali Shamkhani": the person named
        own = [t for t in tokens if t.i not in described]
        if len(own) < len(tokens) and any(h.of_kind("org", "person", *COUNTRY_KINDS)
                                          for h in self.hits_in(own) if h is not hit):
            return own
        return tokens

    def person_in(self, hits: list[Hit], tokens: list[Token]) -> Actor | None:
        when = self.context.when
        for hit in hits:
            full = hit.of_kind("person")
            if full:
                ref = self.pick_person([e.ref for e in full])
                return self.kb.person_actor(ref, when)
        for hit in hits:
            surnames = hit.of_kind("surname")
            if not surnames or self.part_of_unknown_name(hit, tokens):
                continue
            refs = [e.ref for e in surnames]
            seen = [r for r in refs if r in self.context.seen_people]
            titled = self.titled_refs(refs, hits)
            ranks = {r: self.office_of(r) for r in refs}
            top = min(ranks.values(), default=999)
            in_office = [r for r in dict.fromkeys(refs) if top < 999 and ranks[r] == top]
            if seen or titled:
                ref = self.pick_person(seen or titled)
                certainty = 0.9 if seen else 0.8
            elif hit.of_kind("org", *COUNTRY_KINDS):
                continue  # "Jordan" alone is the country, not a namesake politician
            elif len(in_office) == 1:
                # A well-known office-holder is often named by surname alone ("Putin said",
                # "Aliyev" for the president, not his late father).
                ref, certainty = in_office[0], 0.7
            elif len(set(refs)) == 1 and self.kb.surname_is_unique(hit_key(hit, tokens)):
                ref, certainty = refs[0], 0.6  # the only person of that name we know
            else:
                continue
            self.context.seen_people.add(ref)
            return self.kb.person_actor(ref, when, certainty)
        return None

    def part_of_unknown_name(self, hit: Hit, tokens: list[Token]) -> bool:
        """"Douglas Paul James" is someone else: a surname inside a longer, unknown name."""
        def known_other(t: Token) -> bool:
            other = self.hit_at.get(t.i)
            return other is not None and bool(other.of_kind("agent", "org", *COUNTRY_KINDS))

        return any(t.pos_ == "PROPN" and not (hit.start <= t.i < hit.end) and not known_other(t)
                   and abs(t.i - hit.start) <= 2 for t in tokens)

    def office_of(self, ref: str) -> int:
        """Rank of the highest office a person holds at the date (lower is higher)."""
        roles = self.kb.people[int(ref)].roles_on(self.context.when)
        return min((self.kb.office_rank.get(r.role, 99) for r in roles), default=999)

    def pick_person(self, refs: list[str]) -> str:
        """Among namesakes, the one holding the highest office at the article's date."""
        return min(dict.fromkeys(refs), key=self.office_of)

    def titled_refs(self, refs: list[str], hits: list[Hit]) -> list[str]:
        """Surnames preceded by a title that fits the person's office at the date."""
        roles = {e.role for h in hits for e in h.of_kind("agent") if e.role}
        if not roles:
            return []
        when = self.context.when
        return [r for r in refs
                if any(role.role in roles for role in self.kb.people[int(r)].roles_on(when))]

    def names_no_actor(self, head: Token) -> bool:
        """"military expert", "general election": the head is in a not-an-actor term."""
        hit = self.hit_at.get(head.i)
        return hit is not None and bool(hit.of_kind("not_actor")) and not hit.of_kind(
            "person", "org", *COUNTRY_KINDS)

    def agent_entry(self, hits: list[Hit], head: Token, country: str) -> Entry | None:
        """The role noun that heads the phrase, read for the phrase's country if it is scoped."""
        agent_hits = [h for h in hits if h.of_kind("agent")]
        if not agent_hits:
            return None
        heading = [h for h in agent_hits if h.start <= head.i < h.end]
        entries = (heading or agent_hits)[-1].of_kind("agent")
        scoped = [e for e in entries if country and country in e.scope]
        general = [e for e in entries if not e.scope]
        return (scoped or general or entries)[0]

    def sector_of(self, hits: list[Hit], head: Token, tokens: list[Token],
                  country: str = "") -> str:
        entry = self.agent_entry(hits, head, country)
        before = {fold_token(t) for t in tokens if t.i < head.i}
        if before & self.kb.civilian_modifiers:
            return "CVL"  # "ordinary Kazakhs"
        if before & self.kb.religious_modifiers and (entry is None or entry.ref == "CVL"):
            return "REL"  # "Muslim leaders", "a Jewish community leader"
        if entry is None:
            return ""
        if before & self.kb.elite_modifiers:
            return "ELI"
        institution = self.institution_sector(hits, head)
        return institution or entry.ref

    def institution_sector(self, hits: list[Hit], head: Token) -> str:
        """"president of the Riigikogu", "head of the army": the institution's sector."""
        for hit in hits:
            if hit.start <= head.i:
                continue
            for entry in hit.entries:
                if entry.kind in KIND_SECTOR and entry.kind not in ("capital", "metonym", "city"):
                    return KIND_SECTOR[entry.kind]
                if entry.kind == "agent" and entry.ref in INSTITUTION_SECTORS and \
                        self.sent.doc[hit.end - 1].pos_ in ("NOUN", "PROPN"):
                    return entry.ref
        return ""

    def countries_in(self, hits: list[Hit]) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        when = self.context.when
        for hit in hits:
            entries = [e for e in hit.of_kind(*COUNTRY_KINDS)
                       if self.kb.country_exists_on(e.ref, when)]
            if not entries:
                continue
            code, kind = entries[0].ref, entries[0].kind
            if self.place_modifier(hit, entries[0]):
                kind = "country"  # "the London exchange" is in Britain, not its government
            if code not in [c for c, _ in found]:
                found.append((code, kind))
        if len(found) > 1 and not self.coordinated(hits):
            return found[:1]
        return found

    def place_modifier(self, hit: Hit, entry: Entry) -> bool:
        """"the London exchange", "Halifax's figures": a city or capital that merely names
        where a thing is, or what it is called, is not an actor."""
        if entry.kind not in ("city", "capital"):
            return False
        last = self.sent.doc[hit.end - 1]
        return last.dep_ in ("compound", "nmod") and last.head.i not in self.hit_at

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
