"""Modality: whether a clause states an act as done, intended, reported, or not at all.

The walk starts at an event verb and climbs its chain of governing clauses, combining what
each says: negation, hypothetical and conditional auxiliaries, hedges ("it is unclear
whether"), questions, refusals, speech verbs (reported, with the speaker) and intent ("will",
"plans to"). The rules, like all of the coder's word lists, come from data/modality.yaml.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Token

from .knowledge import load_yaml

SUBJECTS = {"nsubj", "nsubjpass", "csubj"}
CLAUSE_LINKS = {"xcomp", "ccomp", "conj", "advcl", "pcomp", "acl", "relcl", "parataxis"}
SKIP = "skip"


@dataclass(frozen=True)
class ModalityRules:
    """Every word list and recode table of data/modality.yaml: the walk's and the coder's."""

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
    reciprocal_roots: frozenset[str]
    quantity_nouns: frozenset[str]
    nominal_time_preps: frozenset[str]
    logophoric_pronouns: frozenset[str]
    logophoric_objects: frozenset[str]
    addressee_roots: frozenset[str]
    deontic_aux: dict[str, str]
    repression: dict
    labour_strike: dict
    naming_verbs: frozenset[str]
    domestic_sectors: frozenset[str]
    subject_control: frozenset[str]
    audience_roots: frozenset[str]
    claim_codes: frozenset[str]
    audience_sectors: frozenset[str]
    apolitical_sectors: frozenset[str]
    partner_roots: frozenset[str]
    framing_verbs: frozenset[str]
    framing_accusations: dict[str, str]
    appeal_governors: dict[str, str]
    violent_roots: frozenset[str]
    cause_preps: frozenset[str]
    origin_preps: frozenset[str]
    location_preps: frozenset[str]
    state_security_sectors: frozenset[str]
    place_target_roots: frozenset[str]
    home_target_roots: frozenset[str]
    home_protest_sectors: frozenset[str]
    purpose_target_roots: frozenset[str]
    local_sectors: frozenset[str]
    place_preps: frozenset[str]
    author_preps: frozenset[str]
    partner_preps: frozenset[str]
    agentive_passives: frozenset[str]
    threat_conditions: frozenset[str]
    civic_roots: frozenset[str]
    possessive_pronouns: frozenset[str]
    historical_adverbs: frozenset[str]
    historical_units: frozenset[str]
    state_act_roots: frozenset[str]
    adjunct_roots: frozenset[str]
    purpose_as_act_roots: frozenset[str]
    state_sectors: frozenset[str]
    armed_sectors: frozenset[str]



@lru_cache(maxsize=1)
def modality_rules() -> ModalityRules:
    data = load_yaml("modality.yaml")
    sets = {k: frozenset(v) for k, v in data.items() if isinstance(v, list)}
    maps = ("intent_codes", "deontic_aux", "framing_accusations", "appeal_governors")
    tables = ("repression", "labour_strike")
    return ModalityRules(**{k: {str(a): str(b) for a, b in data[k].items()} for k in maps},
                         **{k: rule_table(data[k]) for k in tables},
                         **{k: sets.get(k, frozenset()) for k in ModalityRules.__dataclass_fields__
                            if k not in maps and k not in tables})


def rule_table(data: dict) -> dict:
    """A recode rule from modality.yaml: word and sector lists as sets, the code as text."""
    return {k: set(v) if isinstance(v, list) else str(v) for k, v in data.items()}


@dataclass
class Status:
    modality: str  # asserted | intended | reported | skip
    speaker: Token | None = None


def to_infinitive(verb: Token) -> bool:
    """"to adopt", "to protest": a clause whose verb has the infinitive marker."""
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)



def subject_of(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ in ("nsubj", "csubj"):
            return child
    return None


class ModalityWalk:
    """The modality of event verbs under the coder's rules. `purpose_is_the_act` tells the walk
    when a purpose clause is the act itself ("began a hunger strike to protest"), which takes
    the lexicon and so is the coder's to answer."""

    def __init__(self, rules: ModalityRules, purpose_is_the_act: Callable[[Token], bool]) -> None:
        self.rules = rules
        self.purpose_is_the_act = purpose_is_the_act

    def negated(self, tok: Token) -> bool:
        for child in tok.children:
            if child.dep_ in SUBJECTS and any(g.lower_ == "neither" for g in child.children):
                return True  # "Neither Washington nor Brussels has sanctioned Baku"
            if child.dep_ == "neg" or (child.dep_ in ("advmod", "preconj", "det")
                                       and child.lower_ in self.rules.negators):
                return True
            if child.dep_ in ("dobj", "nsubjpass", "attr") and any(
                    g.dep_ == "det" and g.lower_ == "no" for g in child.children):
                return True
        return False

    def historical(self, tok: Token) -> bool:
        """"who entered the country two years ago": a clause dated years away."""
        return any(c.dep_ in ("advmod", "npadvmod") and c.lower_ in self.rules.historical_adverbs
                   and any(g.lemma_.lower() in self.rules.historical_units for g in c.subtree)
                   for c in tok.children)

    def own_status(self, tok: Token, under_speech: bool) -> str:
        """Modality from the clause's own auxiliaries, negation and subordinator."""
        r = self.rules
        if self.negated(tok) or self.historical(tok):
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
            if (gov.pos_ in ("NOUN", "ADJ") and gov.lemma_.lower() in r.hedge_words) or any(
                    c.dep_ in ("acomp", "attr") and c.lemma_.lower() in r.hedge_words
                    for c in gov.children):
                return Status(SKIP)  # "rumours that", "it is unclear whether" (not "reported")
            if link == "acl" and to_infinitive(cur):
                return Status(SKIP)  # "calls to adopt reforms", "efforts to end the war": irrealis
            if link in ("advcl", "relcl", "acl") and gov.pos_ in ("NOUN", "PROPN"):
                break
            if link == "advcl" and to_infinitive(cur):
                # a purpose ("flew to Moscow to meet Putin") is intended, and nothing under a
                # refusal happened ("rejected calls by Annan to adopt reforms")
                if self.own_status(gov, under_speech) == SKIP or \
                        gov.lemma_.lower() in r.blocking_governors:
                    return Status(SKIP)
                if not self.purpose_is_the_act(cur):
                    result = Status("intended", result.speaker)
                cur = gov
                continue
            if link == "advcl" and (any(c.dep_ in SUBJECTS for c in cur.children)
                                    or cur.tag_ not in ("VBG", "VBN")):
                break  # a finite adverbial clause has its own modality
            if link == "conj" and not any(c.dep_ in SUBJECTS for c in cur.children):
                gov_status = self.own_status(gov, under_speech)
                if gov_status == SKIP:
                    return Status(SKIP)
                if gov_status == "intended" and result.modality == "asserted":
                    result = Status("intended", result.speaker)  # "will seize ... and detain"
            elif link in ("xcomp", "ccomp", "pcomp", "parataxis"):
                lemma = gov.lemma_.lower()
                gov_status = self.own_status(gov, under_speech)
                if gov_status == SKIP or lemma in r.blocking_governors and lemma not in \
                        r.speech_verbs:
                    return Status(SKIP)
                if lemma in r.speech_verbs and link != "xcomp":
                    if result.modality == "asserted":
                        result = Status("reported", subject_of(gov))
                elif link in ("xcomp", "ccomp") and lemma in r.intent_governors:
                    if self.someone_else_acts(cur, gov):
                        return Status(SKIP)  # "Obama wants Putin to attack": a wish, not an act
                    result = Status("intended", result.speaker)
                elif gov_status == "intended" and result.modality == "asserted":
                    result = Status("intended", result.speaker)
            cur = gov
        return result

    def someone_else_acts(self, clause: Token, gov: Token) -> bool:
        """The complement's actor is not the governor's subject ("wants Putin to attack")."""
        if any(c.dep_ == "dobj" for c in gov.children) and clause.dep_ == "xcomp" and \
                gov.lemma_.lower() not in self.rules.subject_control:
            return True
        own = subject_of(clause)
        return own is not None and clause.dep_ == "ccomp" and own.pos_ != "PRON"

    def governed_by_speech(self, verb: Token) -> bool:
        cur = verb
        while cur.dep_ in CLAUSE_LINKS and cur.head is not cur:
            if cur.dep_ in ("ccomp", "parataxis") and cur.head.lemma_ in self.rules.speech_verbs:
                return True
            cur = cur.head
        return False
