"""The event coder: verb and noun patterns over a dependency parse, with modality.

Source = grammatical agent (subject, or the by-phrase of a passive); target = direct object
or the object of a preposition the pattern licenses. Negated, hypothetical, conditional,
questioned and denied clauses are never coded; intended acts become CAMEO 03x/13x.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Span, Token

from .knowledge import load_yaml
from .lexicon import Lexicon, NominalPattern, Phrase, VerbPattern
from .mentions import SentenceMentions
from .model import Actor

SUBJECTS = {"nsubj", "nsubjpass", "csubj"}
CLAUSE_LINKS = {"xcomp", "ccomp", "conj", "advcl", "pcomp", "acl", "relcl", "parataxis"}
SKIP = "skip"


@dataclass(frozen=True)
class ModalityRules:
    hypothetical_aux: frozenset[str]
    future_aux: frozenset[str]
    conditional_aux: frozenset[str]
    conditional_marks: frozenset[str]
    intent_governors: frozenset[str]
    blocking_governors: frozenset[str]
    hedge_words: frozenset[str]
    negators: frozenset[str]
    speech_verbs: frozenset[str]
    intent_codes: dict[str, str]
    nominal_hosts: frozenset[str]


@lru_cache(maxsize=1)
def modality_rules() -> ModalityRules:
    data = load_yaml("modality.yaml")
    sets = {k: frozenset(v) for k, v in data.items() if isinstance(v, list)}
    return ModalityRules(intent_codes={str(k): str(v) for k, v in data["intent_codes"].items()},
                         **{k: sets.get(k, frozenset())
                            for k in ModalityRules.__dataclass_fields__ if k != "intent_codes"})


@dataclass
class Status:
    modality: str  # asserted | intended | reported | skip
    speaker: Token | None = None


@dataclass
class Draft:
    """An event before it is given its article, date and id."""

    source: Actor
    target: Actor
    code: str
    modality: str
    speaker: str
    confidence: float
    trigger: int  # token index of the verb or noun


class Coder:
    def __init__(self, lexicon: Lexicon) -> None:
        self.lex = lexicon
        self.rules = modality_rules()

    # ---- modality -------------------------------------------------------------------------
    def negated(self, tok: Token) -> bool:
        for child in tok.children:
            if child.dep_ == "neg" or (child.dep_ in ("advmod", "preconj", "det")
                                       and child.lower_ in self.rules.negators):
                return True
            if child.dep_ in ("dobj", "nsubjpass", "attr") and any(
                    g.dep_ == "det" and g.lower_ == "no" for g in child.children):
                return True
        return False

    def own_status(self, tok: Token, under_speech: bool) -> str:
        """Modality from the clause's own auxiliaries, negation and subordinator."""
        r = self.rules
        if self.negated(tok):
            return SKIP
        for child in tok.children:
            lemma = child.lower_
            if child.dep_ == "mark" and lemma in r.conditional_marks:
                return SKIP
            if child.dep_ not in ("aux", "auxpass"):
                continue
            if lemma in r.hypothetical_aux:
                return SKIP
            if lemma in r.conditional_aux:
                return "intended" if under_speech else SKIP
            if lemma in r.future_aux or child.lemma_ in r.future_aux:
                return "intended"
        if tok.dep_ == "xcomp" and tok.head.lemma_ == "be":
            return "intended"  # "is to meet"
        return "asserted"

    def status(self, verb: Token) -> Status:
        """Walk from the verb up its chain of governors, combining what each clause says."""
        r = self.rules
        if verb.sent.text.rstrip().endswith("?"):
            return Status(SKIP)
        under_speech = self.governed_by_speech(verb)
        result = Status(self.own_status(verb, under_speech))
        if result.modality == SKIP:
            return result
        cur = verb
        while cur.dep_ in CLAUSE_LINKS and cur.head is not cur:
            link, gov = cur.dep_, cur.head
            if gov.pos_ == "ADP":  # "accused X of attacking Y": climb through the preposition
                cur = gov
                continue
            if gov.lemma_.lower() in r.hedge_words or any(
                    c.dep_ in ("acomp", "attr") and c.lemma_.lower() in r.hedge_words
                    for c in gov.children):
                return Status(SKIP)
            if link in ("advcl", "relcl", "acl") and gov.pos_ in ("NOUN", "PROPN"):
                break
            if link == "advcl":
                break
            if link == "conj" and not any(c.dep_ in SUBJECTS for c in cur.children):
                if self.own_status(gov, under_speech) == SKIP:
                    return Status(SKIP)
            elif link in ("xcomp", "ccomp", "pcomp", "parataxis"):
                lemma = gov.lemma_.lower()
                gov_status = self.own_status(gov, under_speech)
                if gov_status == SKIP or lemma in r.blocking_governors and lemma not in \
                        r.speech_verbs:
                    return Status(SKIP)
                if lemma in r.speech_verbs and link != "xcomp":
                    if lemma in ("deny",):
                        return Status(SKIP)
                    if result.modality == "asserted":
                        result = Status("reported", self.subject_of(gov))
                elif (link == "xcomp" and lemma in r.intent_governors) or (
                        gov_status == "intended" and result.modality == "asserted"):
                    result = Status("intended", result.speaker)
            cur = gov
        return result

    def governed_by_speech(self, verb: Token) -> bool:
        cur = verb
        while cur.dep_ in CLAUSE_LINKS and cur.head is not cur:
            if cur.dep_ in ("ccomp", "parataxis") and cur.head.lemma_ in self.rules.speech_verbs:
                return True
            cur = cur.head
        return False

    # ---- arguments --------------------------------------------------------------------------
    def subject_of(self, verb: Token) -> Token | None:
        for child in verb.children:
            if child.dep_ in ("nsubj", "csubj"):
                return child
        return None

    def agent_tokens(self, verb: Token) -> list[Token]:
        """Who did it: the subject, the by-phrase of a passive, or the governing clause's."""
        passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)
        if passive:
            return [g for c in verb.children if c.dep_ == "agent"
                    for g in c.children if g.dep_ == "pobj"]
        subj = self.subject_of(verb)
        if subj is not None:
            if subj.tag_ in ("WDT", "WP") and verb.dep_ == "relcl":
                return [verb.head]
            return [subj]
        gov = verb.head
        if verb.dep_ == "xcomp":
            objects = [c for c in gov.children if c.dep_ == "dobj"]
            return objects or self.agent_tokens(gov)  # object control: "urged Russia to leave"
        if verb.dep_ in ("conj", "advcl") and gov is not verb and gov.pos_ in ("VERB", "AUX"):
            return self.agent_tokens(gov)
        if verb.dep_ in ("relcl", "acl") and verb.tag_ != "VBN":
            return [gov]
        return []

    def object_of(self, verb: Token) -> Token | None:
        passive = any(c.dep_ == "nsubjpass" for c in verb.children)
        for child in verb.children:
            if child.dep_ == ("nsubjpass" if passive else "dobj"):
                return child
        if verb.dep_ == "acl" and verb.tag_ == "VBN":
            return verb.head  # "the convoy attacked by rebels"
        return None

    def prep_objects(self, *heads: Token | None) -> dict[str, list[Token]]:
        """Objects of each preposition under the heads; a noun dative counts as "to"."""
        found: dict[str, list[Token]] = {}
        for head in heads:
            if head is None:
                continue
            for child in head.children:
                if child.dep_ == "dative" and child.pos_ in ("NOUN", "PROPN"):
                    found.setdefault("to", []).append(child)  # "gave Ukraine weapons"
                elif child.dep_ in ("prep", "agent", "dative"):
                    objs = [g for g in child.children if g.dep_ in ("pobj", "pcomp")]
                    if objs:
                        found.setdefault(child.lower_, []).extend(objs)
        return found

    # ---- patterns -----------------------------------------------------------------------------
    @staticmethod
    def matches_phrase(tok: Token, phrase: Phrase) -> bool:
        if phrase.head not in (tok.lemma_.lower(), tok.lower_):
            return False
        if not phrase.modifiers:
            return True
        mods = {w for c in tok.children if c.dep_ in ("compound", "amod")
                for w in (c.lemma_.lower(), c.lower_)}
        return all(m in mods for m in phrase.modifiers)

    def matches_any(self, tok: Token | None, items: tuple[Phrase, ...]) -> bool:
        return tok is not None and any(self.matches_phrase(tok, p) for p in items)

    def comp_ok(self, comp, preps: dict[str, list[Token]]) -> bool:
        return not comp or any(self.matches_any(t, items) for prep, items in comp
                               for t in preps.get(prep, []))

    @staticmethod
    def xcomp_ok(verb: Token, wanted: frozenset[str]) -> bool:
        return not wanted or any(c.dep_ in ("xcomp", "ccomp", "oprd", "acomp")
                                 and c.lemma_.lower() in wanted for c in verb.children)

    def verb_matches(self, verb: Token) -> list[tuple[VerbPattern, list[Token]]]:
        """Applicable patterns, most specific first, each with its target candidates."""
        patterns = self.lex.verb_patterns(verb.lemma_.lower())
        if not patterns:
            return []
        obj = self.object_of(verb)
        particle = next((c.lower_ for c in verb.children if c.dep_ == "prt"), "")
        preps = self.prep_objects(verb, obj)
        found = []
        for p in patterns:
            if p.particle and p.particle != particle:
                continue
            if p.objs and not self.matches_any(obj, p.objs):
                continue
            if not self.comp_ok(p.comp, preps) or not self.xcomp_ok(verb, p.xcomp):
                continue
            if p.preps:
                chosen = [t for prep in p.preps for t in preps.get(prep, [])]
                if chosen:
                    found.append((p, chosen))
                continue
            if p.objs or p.xcomp:
                found.append((p, [obj] if p.xcomp and obj is not None and not p.objs else []))
                continue
            found.append((p, [obj] if obj is not None else []))
        return found

    def nominal_matches(self, noun: Token) -> list[tuple[NominalPattern, list[Token]]]:
        patterns = self.lex.nominal_patterns(noun.lemma_.lower()) or \
            self.lex.nominal_patterns(noun.lower_)
        preps = self.prep_objects(noun)
        found = []
        for p in patterns:
            if p.modifiers and not any(self.matches_phrase_modifier(noun, m) for m in p.modifiers):
                continue
            if not self.comp_ok(p.comp, preps):
                continue
            if p.of:
                inner = [t for t in preps.get("of", []) if self.matches_any(t, p.of)]
                if not inner:
                    continue
                targets = [t for i in inner for prep, objs in self.prep_objects(i).items()
                           if prep in ("with", "to", "between", "on", "against", "from")
                           for t in objs]
                found.append((p, targets or inner))
                continue
            chosen = [t for prep in p.preps for t in preps.get(prep, [])]
            if p.preps and not chosen:
                continue
            found.append((p, chosen))
        return found

    @staticmethod
    def matches_phrase_modifier(noun: Token, phrase: Phrase) -> bool:
        words = {w for c in noun.children if c.dep_ in ("compound", "amod", "nmod")
                 for w in (c.lemma_.lower(), c.lower_)}
        return phrase.head in words and all(m in words for m in phrase.modifiers)

    # ---- coding ---------------------------------------------------------------------------------
    def expand(self, tokens: list[Token]) -> list[Token]:
        out: list[Token] = []
        for tok in tokens:
            for t in [tok, *tok.conjuncts]:
                if t not in out:
                    out.append(t)
        return out

    def actors(self, mentions: SentenceMentions, tokens: list[Token]) -> list[Actor]:
        found: list[Actor] = []
        for tok in self.expand(tokens):
            for actor in mentions.actors_for(tok):
                if actor not in found:
                    found.append(actor)
        return found

    def final_code(self, code: str, modality: str) -> str | None:
        if modality != "intended":
            return code
        if code.startswith("03") or code.startswith("13"):
            return code
        return self.rules.intent_codes.get(code[:2])

    def speaker_name(self, mentions: SentenceMentions, tok: Token | None) -> str:
        if tok is None:
            return ""
        actors = mentions.actors_for(tok)
        if actors:
            return actors[0].name or actors[0].code
        return " ".join(t.text for t in mentions.phrase_tokens(tok))

    def drafts(self, mentions: SentenceMentions, source_toks: list[Token],
               target_toks: list[Token], code: str, status: Status, base: float,
               trigger: Token) -> list[Draft]:
        final = self.final_code(code, status.modality)
        if final is None:
            return []
        sources = self.actors(mentions, source_toks)
        targets = self.actors(mentions, target_toks)
        speaker = self.speaker_name(mentions, status.speaker) if status.modality == "reported" \
            else ""
        factor = {"asserted": 1.0, "reported": 0.9, "intended": 0.85}[status.modality]
        out = []
        for s in sources:
            for t in targets:
                if s.code == t.code or not s.country or not t.country:
                    continue  # an event needs two distinct actors we can place
                conf = round(min(1.0, base * factor * min(s.certainty, t.certainty)), 3)
                out.append(Draft(s, t, final, status.modality, speaker, conf, trigger.i))
        return out

    def code_sentence(self, sent: Span, mentions: SentenceMentions, headline: bool = False
                      ) -> list[Draft]:
        found: list[Draft] = []
        used_nouns: set[int] = set()
        for tok in sent:
            if tok.pos_ not in ("VERB", "AUX") or tok.lemma_ == "be":
                continue
            matches = self.verb_matches(tok)
            if not matches:
                continue
            status = self.status(tok)
            if status.modality == SKIP:
                continue
            agents = self.agent_tokens(tok)
            for pattern, targets in matches:  # fall back when the best yields no dyad
                sources, goals = (targets, agents) if pattern.reverse else (agents, targets)
                base = 0.6 + 0.06 * pattern.specificity
                drafts = self.drafts(mentions, sources, goals, pattern.code, status, base, tok)
                if drafts:
                    found += drafts
                    obj = self.object_of(tok)
                    if obj is not None:
                        used_nouns.add(obj.i)
                    break
        for tok in sent:
            if tok.pos_ not in ("NOUN", "PROPN") or tok.i in used_nouns:
                continue
            if not (headline or self.hosts_nominal(tok)):
                continue
            matches = self.nominal_matches(tok)
            if not matches:
                continue
            governor = tok.head if tok.head.pos_ in ("VERB", "AUX") else None
            status = self.status(governor) if governor is not None else Status("asserted")
            if status.modality == SKIP or self.negated(tok):
                continue
            for pattern, targets in matches:
                target_ids = {t.i for t in targets}
                sources = [c for c in tok.children if c.dep_ in ("poss", "compound", "amod")
                           and c.i not in target_ids]
                if not sources and governor is not None:
                    sources = self.agent_tokens(governor)
                base = 0.5 + 0.06 * pattern.specificity
                drafts = self.drafts(mentions, sources, targets, pattern.code, status, base, tok)
                if drafts:
                    found += drafts
                    break
        return found

    def hosts_nominal(self, noun: Token) -> bool:
        """A nominal event counts when a verb of occurrence carries it ("held talks with")."""
        head = noun.head
        return noun.dep_ in ("dobj", "nsubj", "nsubjpass", "ROOT", "attr") and (
            noun.dep_ == "ROOT" or head.lemma_.lower() in self.rules.nominal_hosts)
