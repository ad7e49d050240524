"""The event coder: verb and noun patterns over a dependency parse, with modality.

Source = grammatical agent (subject, or the by-phrase of a passive); target = direct object
or the object of a preposition the pattern licenses. Negated, hypothetical, conditional,
questioned and denied clauses are never coded; intended acts become CAMEO 03x/13x.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Span, Token

from .knowledge import load_yaml
from .lexicon import Lexicon, NominalPattern, Phrase, VerbPattern
from .mentions import SentenceMentions
from .modality import (
    SKIP,
    SUBJECTS,
    ModalityWalk,
    Status,
    modality_rules,
    subject_of,
    to_infinitive,
)
from .model import Actor
from .ontology import lookup

NO_ACTOR = Actor("", "", "", "", 1.0)



@dataclass(frozen=True)
class Discards:
    phrases: re.Pattern
    score: re.Pattern
    story: re.Pattern


def phrase_pattern(phrases: list[str]) -> re.Pattern:
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def discards() -> Discards:
    data = load_yaml("discards.yaml")
    return Discards(phrase_pattern(data["sentence"] + data.get("extra_sentence", [])),
                    re.compile(data["score_pattern"], re.IGNORECASE),
                    phrase_pattern(data["story"]))


def is_discarded_story(leads: list[str]) -> bool:
    """A story whose headline or first paragraph names a sport event, a film, ..."""
    return any(discards().story.search(text) for text in leads)


def is_discarded(text: str) -> bool:
    """Sport, entertainment and the like: not political events, however they read."""
    d = discards()
    return bool(d.phrases.search(text) or d.score.search(text))


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
    plover: tuple[str, str] = ("", "")  # override of the CAMEO code's PLOVER type and mode


class Coder:
    def __init__(self, lexicon: Lexicon) -> None:
        self.lex = lexicon
        self.rules = modality_rules()
        self.modality = ModalityWalk(self.rules, self.purpose_is_the_act)
        self.mentions: SentenceMentions | None = None  # the sentence being coded

    def purpose_is_the_act(self, clause: Token) -> bool:
        """"began a hunger strike to protest against the decision": the strike is the
        protest, which is taking place (not "summoned the ambassador to protest")."""
        roots = self.rules.purpose_as_act_roots
        if not any(p.code[:2] in roots for p in self.lex.verb_patterns(self.lemma_of(clause))):
            return False
        gov = clause.head
        if any(p.code[:2] in roots for p, _ in self.verb_matches(gov)) or any(
                p.code[:2] in roots for c in gov.children if c.dep_ == "dobj"
                for p in self.nominal_patterns_of(c)):
            return True
        # "Palestinians shunned work to protest": people protest by what they do; a state that
        # acts "to protest" (summons an envoy) makes a diplomatic protest, coded by its act
        if self.mentions is None:
            return False
        agents = self.agent_tokens(gov)
        people = [t for t in agents if t.i in self.mentions.hit_at
                  and self.mentions.hit_at[t.i].of_kind("demonym")]  # "Palestinians"
        actors = self.actors(self.mentions, agents, True)
        return bool(people) or bool(actors) and all(a.sector not in self.rules.state_sectors
                                                    for a in actors)

    @staticmethod
    def is_purpose(tok: Token) -> bool:
        return tok.dep_ == "advcl" and to_infinitive(tok)

    # ---- arguments --------------------------------------------------------------------------
    def agent_tokens(self, verb: Token) -> list[Token]:
        """Who did it: the subject, the by-phrase of a passive, or the governing clause's."""
        passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)
        if passive and verb.lemma_.lower() in self.rules.agentive_passives:
            # "Serb forces were engaged in ethnic cleansing": a state, not something done to them
            return [c for c in verb.children if c.dep_ == "nsubjpass"]
        if passive:
            return [g for c in verb.children if c.dep_ == "agent"
                    for g in c.children if g.dep_ == "pobj"]
        subj = subject_of(verb)
        if subj is not None:
            subj = self.through_quantity(subj)  # "thousands of people blocked streets"
            if subj.tag_ in ("WDT", "WP") and verb.dep_ == "relcl":
                return [verb.head]
            if subj.pos_ == "PRON" and subj.lower_ in self.rules.logophoric_pronouns:
                speaker = self.speech_subject(verb)
                if speaker is not None:
                    return [self.through_quantity(speaker)]  # "Switzerland said it had ..."
            return [subj]
        gov = verb.head
        if verb.dep_ == "xcomp" and gov.pos_ == "ADJ" and gov.head is not gov:
            return self.agent_tokens(gov.head)  # "Syria is willing to withdraw"
        if verb.dep_ == "xcomp":
            objects = [c for c in gov.children if c.dep_ == "dobj"]
            return objects or self.agent_tokens(gov)  # object control: "urged Russia to leave"
        if verb.dep_ == "conj" and verb.tag_ == "VB" and gov.tag_ in ("VBD", "VBN", "VBZ") \
                and not any(c.dep_ == "aux" for c in verb.children):
            return []  # "jailed a student for helping militants join a group": a bare
            # infinitive is no second verb of the first clause's subject
        if verb.dep_ == "conj" and gov is not verb:
            shared = [c for c in gov.children if c.dep_ == "nsubjpass"]
            if shared:  # "was indicted by the court and will resign": the one indicted resigns
                return shared
        if verb.dep_ in ("conj", "advcl") and gov is not verb and gov.pos_ in ("VERB", "AUX"):
            return self.agent_tokens(gov)
        if verb.dep_ in ("relcl", "acl") and verb.tag_ != "VBN":
            return [gov]
        return []

    def speech_subject(self, verb: Token) -> Token | None:
        """The subject of the speech verb whose complement this clause is."""
        cur = verb
        while cur.dep_ in ("ccomp", "conj", "parataxis", "xcomp") and cur.head is not cur:
            gov = cur.head
            if cur.dep_ in ("ccomp", "parataxis") and gov.lemma_.lower() in self.rules.speech_verbs:
                subj = subject_of(gov)
                return subj if subj is not None and subj.pos_ != "PRON" else None
            cur = gov
        return None

    def object_of(self, verb: Token) -> Token | None:
        passive = any(c.dep_ == "nsubjpass" for c in verb.children) and \
            verb.lemma_.lower() not in self.rules.agentive_passives
        for child in verb.children:
            if child.dep_ == ("nsubjpass" if passive else "dobj"):
                return self.through_quantity(child)
        if verb.dep_ == "acl" and verb.tag_ == "VBN":
            return verb.head  # "the convoy attacked by rebels"
        return None

    def through_quantity(self, noun: Token) -> Token:
        """"thousands of soldiers": the soldiers are the object, not the thousands."""
        named = self.mentions is not None and noun.i in self.mentions.hit_at and not \
            self.mentions.hit_at[noun.i].of_kind("agent")
        if not named and (noun.lemma_.lower() in self.rules.quantity_nouns
                          or noun.pos_ == "NUM"):
            for prep in noun.children:
                if prep.dep_ == "prep" and prep.lower_ == "of":
                    for pobj in prep.children:
                        if pobj.dep_ == "pobj":
                            return pobj
        return noun

    def lemma_of(self, verb: Token) -> str:
        """The verb's lemma; a capitalised sentence-initial participle ("Meeting with ...")
        is sometimes left unlemmatised by the tagger."""
        lemma = verb.lemma_.lower()
        if self.lex.verb_patterns(lemma):
            return lemma
        word = verb.lower_
        for suffix in ("ing", "ed", "es", "s"):  # "staged" is sometimes lemmatised "stag"
            if word.endswith(suffix) and len(word) > len(suffix) + 2:
                stem = word[:-len(suffix)]
                for candidate in (stem, stem + "e", stem[:-1]):
                    if self.lex.verb_patterns(candidate):
                        return candidate
        return lemma

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

    def add_prep_objects(self, preps: dict[str, list[Token]], head: Token,
                         skip: str = "") -> None:
        """Add the objects of `head`'s prepositions (all but `skip`) to `preps`."""
        for prep, objs in self.prep_objects(head).items():
            if prep != skip:
                preps.setdefault(prep, []).extend(objs)

    # ---- patterns -----------------------------------------------------------------------------
    def matches_phrase(self, tok: Token, phrase: Phrase) -> bool:
        if phrase.head == "@place":  # "captured Bakhmut": the object is a named place
            return self.mentions is not None and self.mentions.is_place(tok)
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

    def complement_objects(self, verb: Token, recipients: bool = True) -> list[Token]:
        """"refused to meet Pashinyan": the target is the complement verb's object, or whom
        it lets act ("refused to allow UN planes to land"), or its recipient ("offered to hand
        over to Britain two suspects")."""
        for comp in verb.children:
            if comp.dep_ != "xcomp":
                continue
            obj = self.object_of(comp)
            found = self.object_or_its_author(obj) if obj is not None else []
            if not recipients or (found and self.names_an_actor(found)):
                return found
            controlled = [s for c in comp.children if c.dep_ in ("ccomp", "xcomp")
                          and c.tag_ == "VB" for s in c.children if s.dep_ == "nsubj"]
            if controlled:
                return controlled
            preps = self.prep_objects(comp)
            for prep in ("with", "to", "on", "against"):
                if preps.get(prep):  # "refused to respond to a demand from the US"
                    return [t for o in preps[prep] for t in self.object_or_its_author(o)]
            return found
        return []

    def names_an_actor(self, tokens: list[Token], as_source: bool = False) -> bool:
        """Whether the tokens stand for at least one actor with a country."""
        return self.mentions is None or any(
            a.country for a in self.actors(self.mentions, tokens, as_source))

    @staticmethod
    def xcomp_ok(verb: Token, wanted: frozenset[str]) -> bool:
        return not wanted or any(c.dep_ in ("xcomp", "ccomp", "oprd", "acomp")
                                 and c.lemma_.lower() in wanted for c in verb.children)

    def verb_matches(self, verb: Token) -> list[tuple[VerbPattern, list[Token]]]:
        """Applicable patterns, most specific first, each with its target candidates."""
        patterns = self.lex.verb_patterns(self.lemma_of(verb))
        if not patterns:
            return []
        obj = self.object_of(verb)
        # "launched artillery, mortar and rocket fire against": when the direct object fits no
        # pattern, one of the objects coordinated with it may
        objs = [obj] if obj is not None else []
        if obj is not None and not any(p.objs and self.matches_any(obj, p.objs)
                                       for p in patterns):
            objs += obj.conjuncts
        particle = next((c.lower_ for c in verb.children if c.dep_ == "prt"), "")
        counted = next((c for c in verb.children if c.dep_ == "dobj"), None)
        # "massed thousands of troops near Ukraine's borders": "near" hangs on "thousands"
        preps = self.prep_objects(verb, *objs, counted if counted is not obj else None)
        found = []
        for p in patterns:
            if p.particle and p.particle != particle:
                continue
            if particle and not p.particle and p.code[:2] in self.rules.violent_roots and not (
                    p.objs or p.comp or p.preps or p.xcomp):
                continue  # "kicks off", "hit back at critics": a phrasal verb is another verb
            if p.objs and not any(self.matches_any(o, p.objs) for o in objs):
                continue
            if not self.comp_ok(p.comp, preps) or not self.xcomp_ok(verb, p.xcomp):
                continue
            if p.preps:
                chosen = [t for prep in p.preps for t in preps.get(prep, [])]
                if not chosen and p.comp:  # "advised against travel to Tunisia"
                    inner = self.prep_objects(*[t for prep, _ in p.comp
                                                for t in preps.get(prep, [])])
                    chosen = [t for prep in p.preps for t in inner.get(prep, [])]
                if not chosen and p.comp:  # "agreed to US mediation": whose mediation
                    chosen = self.actor_modifiers([t for prep, _ in p.comp
                                                   for t in preps.get(prep, [])])
                if chosen:
                    found.append((p, chosen))
                continue
            if p.xcomp and not p.objs:
                found.append((p, [obj] if obj is not None else self.complement_objects(verb)))
                continue
            if p.objs and p.comp and p.code[:2] == "01":
                # "claimed responsibility for the attack on a mall in Kenya": the statement
                # is aimed at whoever the act it names hit
                found.append((p, self.act_targets([t for prep, _ in p.comp
                                                   for t in preps.get(prep, [])])))
                continue
            if p.objs:  # "expelled two Estonian diplomats": the object may be the target
                found.append((p, self.object_or_its_author(obj, named_act=True)))
                continue
            if obj is None and p.code[:2] in self.rules.addressee_roots:
                found.append((p, self.clause_subjects(verb)))  # "demanded that the US cancel"
                continue
            if obj is None and not p.needs_target:
                # "denied targeting civilians": a statement about whom the complement names,
                # not about where it went ("denied sending shells to Russia")
                found.append((p, self.complement_objects(verb, recipients=False)))
                continue
            if obj is None and verb.lemma_.lower() in self.rules.blocking_governors:
                found.append((p, self.complement_objects(verb)))  # "refused to meet X"
                continue
            if obj is None and p.comp:
                found.append((p, self.complement_parties([t for prep, _ in p.comp
                                                          for t in preps.get(prep, [])])))
                continue
            if obj is None:  # "offered to hand over the suspects to Britain"
                found.append((p, self.complement_objects(verb)))
                continue
            found.append((p, self.object_or_its_author(obj, named_act=True)))
        return found

    def object_or_its_author(self, obj: Token | None, named_act: bool = False) -> list[Token]:
        """The object, or when it names no actor, whoever it came from: "rejected a fresh
        offer from Afghanistan", "accepted demands by the rebels"."""
        if obj is None:
            return []
        if self.mentions is None or self.actors(self.mentions, [obj]):
            return [obj]
        preps = self.prep_objects(obj)
        if named_act or self.nominal_patterns_of(obj):
            # "rejected a proposal from Azerbaijan": the parser hangs "from" on the verb
            self.add_prep_objects(preps, obj.head)
        wanted = self.rules.author_preps | (self.rules.partner_preps if named_act else set())
        return [obj] + [t for prep in wanted for t in preps.get(prep, [])]

    def act_targets(self, nouns: list[Token]) -> list[Token]:
        """Whom an act noun names as hit ("the attack on the embassy"), else where it
        happened ("an attack ... at a mall in Kenya's capital")."""
        for noun in nouns:
            for _, targets in self.nominal_matches(noun):
                if targets:
                    return targets
        return [t for noun in nouns for t in noun.subtree if t.dep_ == "pobj"
                and t.head.lower_ in self.rules.location_preps and self.mentions is not None
                and self.names_a_place(self.mentions, t)]

    def complement_parties(self, nouns: list[Token]) -> list[Token]:
        """Who a complement noun names: "agreed to US mediation", "reneged on his commitment
        to the Zambian people"."""
        named = self.actor_modifiers(nouns)
        if named:
            return named
        inner = self.prep_objects(*nouns)
        return [t for prep in self.rules.partner_preps for t in inner.get(prep, [])]

    def actor_modifiers(self, nouns: list[Token]) -> list[Token]:
        """Modifiers of an act noun that name an actor ("US mediation", "Russia's proposal")."""
        if self.mentions is None:
            return []
        return [c for n in nouns for c in n.children if c.dep_ in ("amod", "compound", "poss")
                and any(a.country for a in self.mentions.actors_for(c))]

    @staticmethod
    def clause_subjects(verb: Token) -> list[Token]:
        return [g for c in verb.children if c.dep_ == "ccomp"
                for g in c.children if g.dep_ in ("nsubj", "nsubjpass")]

    def nominal_matches(self, noun: Token) -> list[tuple[NominalPattern, list[Token]]]:
        patterns = self.nominal_patterns_of(noun)
        preps = self.prep_objects(noun)
        for inner in preps.get("of", []):  # "the withdrawal of forces from Panama"
            self.add_prep_objects(preps, inner, skip="of")
        found, fallback = [], []
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
                fallback.append((p, []))  # "renewed negotiations": no partner named here
                continue
            found.append((p, chosen))
        return found + fallback

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

    def actors(self, mentions: SentenceMentions, tokens: list[Token],
               as_source: bool = False) -> list[Actor]:
        found: list[Actor] = []
        for tok in self.expand(tokens):
            here = mentions.actors_for(tok, as_source)
            if not any(a.country and a.certainty > 0.5 for a in here):
                here = self.owned_by_pronoun(mentions, tok, here) or here
            for actor in here:
                if actor not in found:
                    found.append(actor)
        return found

    def owned_by_pronoun(self, mentions: SentenceMentions, noun: Token,
                         own: list[Actor]) -> list[Actor]:
        """"The army demobilised its reservists", "the Serbs said their forces had withdrawn":
        a possessive pronoun refers to the clause's agent, or for a subject to the speaker."""
        if not any(c.dep_ == "poss" and c.lower_ in self.rules.possessive_pronouns
                   for c in noun.children):
            return []
        clause = noun.head
        while clause.pos_ not in ("VERB", "AUX") and clause.head is not clause:
            clause = clause.head
        if noun.dep_ in SUBJECTS:
            owner = self.speech_subject(clause)
        elif not own or own[0].sector in self.rules.state_sectors:
            # "demobilised its reservists", "an attack on its territory"; not "seized the
            # tanker and detained its crew"
            owner = next(iter(self.agent_tokens(clause)), None)
        else:
            return []
        if owner is None or owner == noun or owner.pos_ == "PRON":
            return []
        sector = own[0].sector if own else ""
        return [mentions.kb.make_actor(a.country, sector or a.sector, a.name,
                                       min(a.certainty, 0.9))
                for a in mentions.actors_for(owner, as_source=True) if a.country]

    def final_code(self, code: str, modality: str) -> str | None:
        if modality != "intended":
            return code
        if code.startswith("03") or code.startswith("13"):
            return code
        return self.rules.intent_codes.get(code[:2])

    def speaker_name(self, mentions: SentenceMentions, tok: Token | None) -> str:
        """The speaker as the text names it ("the IAEA", "Kremlin spokesman Dmitry Peskov");
        a person the knowledge base knows gets the canonical name."""
        if tok is None:
            return ""
        hit = mentions.hit_at.get(tok.i)
        actors = mentions.actors_for(tok)
        if actors and hit is not None and hit.of_kind("person", "surname"):
            return actors[0].name
        words = [t.text for t in mentions.phrase_tokens(tok) if t.dep_ not in ("det", "punct")]
        return " ".join(words) or (actors[0].name if actors else tok.text)

    def drafts(self, mentions: SentenceMentions, source_toks: list[Token],
               target_toks: list[Token], code: str, status: Status, base: float,
               trigger: Token, untargeted: bool = False, reciprocal: bool = False,
               reciprocal_only: bool = False,
               given_sources: list[Actor] | None = None) -> list[Draft]:
        """Events for every source-target pair.

        With `untargeted` (the last resort, for acts that need no recipient) and no target
        phrase at all, a compound subject of a reciprocal act ("Israel and Lebanon renewed
        negotiations") gives one event each way, and any other subject an event with no target.
        With `reciprocal`, the targets act on each other ("talks between A and B").
        """
        final = self.final_code(code, status.modality)
        if final is None:
            return []
        sources = given_sources if given_sources is not None else [
            s for s in self.actors(mentions, source_toks, as_source=True) if s.country]
        targets = [t for t in self.actors(mentions, target_toks) if t.country] or \
            self.people_of_place(mentions, target_toks, trigger)
        speaker = self.speaker_name(mentions, status.speaker) if status.modality == "reported" \
            else ""
        factor = {"asserted": 1.0, "reported": 0.9, "intended": 0.85}[status.modality]
        if reciprocal and not sources and len(targets) > 1:
            sources = targets
        sources, targets = self.police_country(sources, targets, mentions, target_toks)
        pairs = [(s, t) for s in sources for t in targets if plausible_pair(s, t)]
        if final[:2] in self.rules.audience_roots and final not in self.rules.claim_codes:
            # "told reporters", "Pashinyan told parliament": an audience, or a statement at
            # home, is no interaction of states
            pairs = [(s, t) for s, t in pairs if t.sector not in self.rules.audience_sectors
                     and s.country != t.country]
        others = [t for t in target_toks if self.could_be_actor(t) and not self.own_of(
            mentions, t, sources)]
        if not pairs and untargeted and trigger.pos_ in ("VERB", "AUX") \
                and {code[:2], final[:2]} & self.rules.place_target_roots and not others:
            places = [Actor(t.country, t.country, "", t.name, t.certainty)  # the country
                      for t in self.actors(mentions, self.place_phrases(trigger)) if t.country]
            pairs = [(s, t) for s in sources for t in places if s.code != t.code]
            if not pairs and final[:2] in self.rules.home_target_roots and all(
                    p.country in {s.country for s in sources} for p in places):
                # a protest at home, or nowhere named: aimed at the protesters' own government
                pairs = [(s, self.home_government(mentions, s)) for s in sources
                         if s.sector in self.rules.home_protest_sectors and s.certainty > 0.5]
            factor *= 0.85
        if not pairs and untargeted:
            factor *= 0.75
            # not from context alone, and not companies or newspapers acting on their own
            sources = [s for s in sources if s.certainty > 0.5 and (
                s.sector not in self.rules.apolitical_sectors
                or final[:2] in self.rules.civic_roots)]
            if code[:2] in self.rules.violent_roots:
                # "ministers were fighting hard", "Reagan, fighting to recover": with no one
                # attacked, only armed men or a state as a whole use force
                sources = [s for s in sources if s.sector in self.rules.armed_sectors]
            if len(sources) > 1 and final[:2] in self.rules.reciprocal_roots:
                # "Czechia and Albania upgraded their ties": each acts towards the other
                pairs = [(s, t) for s in sources for t in sources if s.country != t.country]
            elif not reciprocal_only and final[:2] not in self.rules.partner_roots and \
                    not others:  # "demobilised its reservists": its own, no one else's
                pairs = [(s, NO_ACTOR) for s in sources]
        return [Draft(s, t, self.recode(final, s, t, trigger), status.modality, speaker,
                      round(min(1.0, base * factor * min(s.certainty, t.certainty)), 3),
                      trigger.i) for s, t in pairs]

    @staticmethod
    def home_government(mentions: SentenceMentions, actor: Actor) -> Actor:
        kb = mentions.kb
        return kb.make_actor(actor.country, "GOV", kb.country_name(actor.country),
                             actor.certainty)

    def own_of(self, mentions: SentenceMentions, tok: Token, sources: list[Actor]) -> bool:
        """The phrase stands for the source itself ("its reservists")."""
        codes = {a.code for a in self.actors(mentions, [tok])}
        return bool(codes) and codes <= {s.code for s in sources}

    def place_phrases(self, verb: Token) -> list[Token]:
        """Where an act of protest or force took place, which PLOVER takes as its target
        when no one is named: "imposed a curfew in the town of Cizre in southeastern Turkey",
        "fired at targets in Jericho", "conducting exercises in Alaska"."""
        found: list[Token] = []
        # "threatened to resume attacks in Israel": the place of the threatened act
        for clause in [verb, *[c for c in verb.children if c.dep_ == "xcomp"]]:
            preps = self.prep_objects(clause)
            obj = self.object_of(clause)
            if obj is not None:
                self.add_prep_objects(preps, obj)
            found += [t for prep in self.rules.place_preps for t in preps.get(prep, [])
                      + self.compound_prep_objects(clause, prep)]
        return found

    def names_something(self, verb: Token) -> bool:
        """"called the operation 'anti-terrorist measures'": naming, not phoning (nor
        "called on Russia to withdraw", an appeal)."""
        return verb.lemma_.lower() in self.rules.naming_verbs and any(
            c.dep_ in ("oprd", "xcomp", "ccomp") for c in verb.children) and not any(
            c.dep_ in ("prep", "prt") and c.lower_ in ("on", "upon") for c in verb.children)

    def police_country(self, sources: list[Actor], targets: list[Actor],
                       mentions: SentenceMentions, target_toks: list[Token]
                       ) -> tuple[list[Actor], list[Actor]]:
        """Institutions act at home. "Pashinyan told parliament" is his own parliament: a
        target placed only by the article's context takes the source's country. "Egyptian
        police dispersed demonstrators": a country-less civilian target of a state's police
        takes its country."""
        home_rule = self.rules.domestic_sectors
        if sources and sources[0].country:
            targets = [Actor(f"{sources[0].country}{t.sector}", sources[0].country, t.sector,
                             t.name, t.certainty) if t.certainty <= 0.5 and t.sector in home_rule
                       else t for t in targets]
        police = [s for s in sources if s.sector == "COP" and s.country]
        if not police or targets:
            return sources, targets
        home = police[0].country
        placed = [Actor(f"{home}{a.sector}", home, a.sector, a.name, a.certainty * 0.8)
                  for a in self.actors(mentions, target_toks)
                  if not a.country and a.sector in self.rules.repression["against"]]
        return sources, placed

    def recode(self, code: str, source: Actor, target: Actor, trigger: Token) -> str:
        """CAMEO's usage notes: force used by a state's police or soldiers on its own
        civilians or protesters is violent repression (175), not armed conflict; a strike
        by workers, farmers or civilians is a labour strike (143), not an air strike."""
        strike = self.rules.labour_strike
        words = {trigger.lemma_.lower()} | {c.lemma_.lower() for c in trigger.children
                                             if c.dep_ == "dobj"}
        if code[:2] in self.rules.violent_roots and words & strike["words"] \
                and source.sector in strike["by"]:
            return strike["code"]
        rule = self.rules.repression
        if (code[:2] in rule["roots"] and source.country and source.country == target.country
                and source.sector in rule["by"] and target.sector in rule["against"]):
            return rule["code"]
        return code

    def deontic_demands(self, sent: Span, mentions: SentenceMentions,
                        quoted: list[tuple[int, int]]) -> list[Draft]:
        """"Russia said Sudan must return the helicopter": the speaker demands (CAMEO 10, or
        appeals, 02, with "should") of the clause's subject."""
        found: list[Draft] = []
        for verb in sent:
            if verb.dep_ not in ("ccomp", "parataxis") or \
                    verb.head.lemma_.lower() not in self.rules.speech_verbs:
                continue
            modal = next((c.lower_ for c in verb.children if c.dep_ == "aux"
                          and c.lower_ in self.rules.deontic_aux), "")
            if not modal or self.modality.status(verb.head).modality == SKIP:
                continue
            speaker = subject_of(verb.head)
            addressee = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
            if speaker is None or not addressee:
                continue
            code = self.rules.deontic_aux[modal]
            found += self.drafts(mentions, [speaker], addressee, code, Status("asserted"), 0.6,
                                 verb.head)
        return found

    @staticmethod
    def may_lack_target(pattern: VerbPattern) -> bool:
        """PLOVER acts that need no recipient; bare statements (CAMEO 01) are never coded."""
        code = lookup(pattern.code)
        return bool(code.plover_type) and (not pattern.needs_target
                                           or not code.requires_recipient)

    def could_be_actor(self, tok: Token) -> bool:
        """A target we failed to resolve but that names someone ("us", "Mr Smith", "its
        territory", "the port of Odesa")."""
        if self.mentions is None:
            return tok.pos_ in ("PRON", "PROPN")
        hit_at = self.mentions.hit_at
        head_is_role = tok.i in hit_at and bool(hit_at[tok.i].of_kind("agent"))

        def names_someone(t: Token) -> bool:
            if t.pos_ == "PRON":
                # "demobilised its reservists": the subject's own forces, not another actor
                return not (t.dep_ == "poss" and head_is_role)
            if t.pos_ == "PROPN":
                return True
            hit = hit_at.get(t.i)
            if hit is None or all(e.kind == "not_actor" for e in hit.entries):
                return False  # "a general strike", "a military expert"
            # "a general strike": a role word modifying a thing names no one
            return not (t is not tok and t.dep_ == "amod" and tok.i not in hit_at
                        and all(e.kind in ("agent", "not_actor") for e in hit.entries))

        return any(names_someone(t) for t in self.mentions.phrase_tokens(tok))

    def first_drafts(self, mentions: SentenceMentions, matches, agents: list[Token],
                     status: Status, verb: Token, untargeted: bool) -> list[Draft]:
        """Drafts of the most specific pattern that yields any (fall back down the list)."""
        agents_named: bool | None = None  # worked out once, when a pattern first needs it
        for pattern, targets in matches:
            if untargeted and not self.may_lack_target(pattern):
                if not pattern.needs_target and lookup(pattern.code).root == "01":
                    return []  # "declined to say whether": a statement, not a refusal
                continue
            if self.figurative_force(pattern, verb, untargeted):
                continue
            sources, goals = (targets, agents) if pattern.reverse else (agents, targets)
            goals = self.resolve_object_pronouns(goals, verb)
            if self.is_threat(pattern.code, status) and not self.names_an_actor(goals):
                goals = self.condition_subjects(verb)  # "threatened to strike unless Israel"
            if pattern.code[:2] in self.rules.purpose_target_roots and \
                    not self.names_an_actor(goals):
                aimed = self.purpose_objects(verb)  # "opened fire to disperse protesters"
                goals = aimed if self.names_an_actor(aimed) else goals
            base = (0.6 + 0.04 * pattern.specificity) * clause_weight(verb)
            drafts = self.drafts(mentions, sources, goals, pattern.code, status, base, verb,
                                 untargeted, given_sources=self.unnamed_attackers(
                                     mentions, pattern, sources))
            if not drafts and not pattern.reverse:
                if agents_named is None:
                    agents_named = self.names_an_actor(agents, as_source=True)
                if not agents_named:
                    drafts = self.implied_drafts(mentions, pattern.code, goals, status, base,
                                                 verb)
            if drafts:
                if pattern.plover[0] and drafts[0].code == pattern.code:
                    for d in drafts:
                        d.plover = pattern.plover
                return drafts
        return []

    def purpose_objects(self, verb: Token) -> list[Token]:
        """Objects of a purpose clause ("used tear gas to disperse the crowd", which the parser
        may also read as a complement)."""
        return [o for c in verb.children if c.dep_ in ("advcl", "xcomp") and to_infinitive(c)
                for o in c.children if o.dep_ == "dobj"]

    def unnamed_attackers(self, mentions: SentenceMentions, pattern: VerbPattern,
                          agents: list[Token]) -> list[Actor] | None:
        """"A minefield explosion near Samarra killed two Iraqi youths", "a car bomb in Kabul
        killed ...": a thing that kills is the work of unidentified armed men of its place."""
        if pattern.reverse or pattern.code[:2] not in self.rules.violent_roots or not agents \
                or any(a.i in mentions.hit_at or a.pos_ in ("PROPN", "PRON") for a in agents):
            return None
        preps = self.prep_objects(*agents)
        spots = [t for prep in self.rules.location_preps for t in preps.get(prep, [])
                 if self.names_a_place(mentions, t)]
        places = [a for a in self.actors(mentions, spots) if a.country]
        if not places:
            return None
        return [mentions.kb.make_actor(a.country, "UAF", a.name, 0.5) for a in places[:1]]

    def figurative_force(self, pattern: VerbPattern, verb: Token, untargeted: bool) -> bool:
        """"the surplus hit $13.6bn", "targeted financial services", "fought back a bid": a
        verb of force whose object is neither someone nor a place is not an attack."""
        if pattern.code[:2] not in self.rules.violent_roots or pattern.objs:
            return False
        if any(c.dep_ == "xcomp" and to_infinitive(c) for c in verb.children) or \
                any(c.dep_ == "advmod" and c.lower_ == "hard" for c in verb.children):
            return True  # "fighting to regain confidence", "fighting hard": a struggle
        if not untargeted:
            return False
        obj = self.object_of(verb)
        return obj is not None and not self.could_be_actor(obj) and not (
            self.mentions is not None and self.mentions.is_place(obj))

    def is_threat(self, code: str, status: Status) -> bool:
        final = self.final_code(code, status.modality)
        return bool(final) and final[:2] == "13"

    def condition_subjects(self, verb: Token) -> list[Token]:
        """A threat is addressed to whoever must meet its condition: "threatened a general
        strike unless Israel rescinded the annexation", "... if the United States goes ahead"."""
        clauses = [verb, *[c for c in verb.children if c.dep_ in ("xcomp", "ccomp")]]
        if verb.dep_ in ("xcomp", "ccomp"):
            clauses.append(verb.head)
        return [g for clause in clauses for c in clause.children
                if c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in
                                             self.rules.threat_conditions for m in c.children)
                for g in c.children if g.dep_ in ("nsubj", "nsubjpass")]

    def implied_drafts(self, mentions: SentenceMentions, code: str, goals: list[Token],
                       status: Status, base: float, verb: Token) -> list[Draft]:
        """Acts of violence and acts of state stated without an agent (see implied_agents,
        state_of_place)."""
        if code[:2] in self.rules.violent_roots:
            implied, named = self.implied_agents(verb, goals)
            if not implied:
                return []
            attackers = [a for a in self.actors(mentions, implied, as_source=True) if a.country]
            if not named:  # only where it came from is known: unidentified armed men there
                attackers = [mentions.kb.make_actor(a.country, "UAF", a.name, 0.5)
                             for a in attackers]
            return self.drafts(mentions, [], goals, code, status, base * 0.8, verb,
                               given_sources=attackers)
        if code[:2] in self.rules.state_act_roots and any(
                c.dep_ in ("nsubjpass", "auxpass") for c in verb.children):
            return self.drafts(mentions, [], goals, code, status, base * 0.8, verb,
                               given_sources=self.state_of_place(mentions, verb))
        return []

    def people_of_place(self, mentions: SentenceMentions, target_toks: list[Token],
                        trigger: Token) -> list[Actor]:
        """"Four children were killed ... in the east of the Gaza Strip": people named by
        their role alone belong to the place where the act happened."""
        unplaced = [t for t in self.actors(mentions, target_toks)
                    if not t.country and t.sector in self.rules.local_sectors]
        if not unplaced or trigger.pos_ not in ("VERB", "AUX"):
            return []
        for tok in trigger.subtree:
            if tok.dep_ == "pobj" and tok.head.lower_ in self.rules.location_preps and \
                    self.names_a_place(mentions, tok, by_demonym=False):
                homes = [a.country for a in self.actors(mentions, [tok])
                         if a.country and a.sector in ("", "CVL")]
                if homes:
                    return [mentions.kb.make_actor(homes[0], t.sector,
                                                   mentions.kb.country_name(homes[0]),
                                                   min(t.certainty, 0.5)) for t in unplaced]
        return []

    @staticmethod
    def names_a_place(mentions: SentenceMentions, noun: Token, by_demonym: bool = True) -> bool:
        """"in Ukraine", "outside the Iraqi city of Basra", not "in the Gulf of Oman" (nor,
        without `by_demonym`, "in Russian tank fire")."""
        if mentions.is_place(noun):
            return True
        if any(g.dep_ == "pobj" and mentions.is_place(g) for c in noun.children
               if c.dep_ == "prep" and c.lower_ == "of" for g in c.children):
            return True  # "the town of Samarra"
        return any(c.dep_ in ("amod", "compound", "poss") and mentions.is_place(c)
                   or by_demonym and c.dep_ == "amod" and c.i in mentions.hit_at
                   and mentions.hit_at[c.i].of_kind("demonym") for c in noun.children)

    def state_of_place(self, mentions: SentenceMentions, verb: Token) -> list[Actor]:
        """"A US national was put under investigation in Italy": Italy's authorities."""
        preps = self.prep_objects(verb)
        inner = self.prep_objects(*[t for objs in preps.values() for t in objs])
        for noun in preps.get("in", []) + inner.get("in", []):  # "under investigation in Italy"
            if not mentions.is_place(noun):
                continue  # "in the Gulf of Oman" is at sea, not on Oman's soil
            countries = {a.country for a in self.actors(mentions, [noun]) if a.country}
            if len(countries) == 1:
                country = countries.pop()
                return [mentions.kb.make_actor(country, "GOV", mentions.kb.country_name(country),
                                               0.5)]
        return []

    def resolve_object_pronouns(self, goals: list[Token], verb: Token) -> list[Token]:
        """"Israel said a mortar was fired at it": a pronoun target of a reported clause
        refers to the speaker."""
        if not any(g.pos_ == "PRON" and g.lower_ in self.rules.logophoric_objects
                   for g in goals):
            return goals
        speaker = self.speech_subject(verb)
        if speaker is None:
            return goals
        return [speaker if g.pos_ == "PRON" and g.lower_ in self.rules.logophoric_objects
                else g for g in goals]

    def implied_agents(self, verb: Token, patients: list[Token]) -> tuple[list[Token], bool]:
        """Who did an act of violence stated without an agent, and whether the text names
        them: the actor named on its cause ("killed in Israeli tank shelling"; named), the
        place it came from ("fired at it from the Gaza Strip") or, when the victims are
        soldiers, police or officials of one state, the other state where it happened ("ten
        Russian soldiers were killed in Ukraine")."""
        assert self.mentions is not None
        r, mentions = self.rules, self.mentions
        preps = self.prep_objects(verb)
        for prep in r.cause_preps:
            for noun in preps.get(prep, []):
                if any(p.code[:2] in r.violent_roots for p in self.nominal_patterns_of(noun)):
                    owners = [c for c in noun.children if c.dep_ in ("amod", "compound", "poss")]
                    if self.names_an_actor(owners, as_source=True):
                        return owners, True
                elif any(a.country and a.sector and a.sector in r.armed_sectors
                         for a in self.actors(mentions, [noun], as_source=True)):
                    return [noun], True  # "killed in Israeli tank fire", the fire misparsed
        for prep in r.origin_preps:
            places = [t for t in preps.get(prep, []) if self.names_an_actor([t])]
            if places:
                return places, False
        victims = [a for a in self.actors(mentions, patients) if a.country]
        if not victims or any(a.sector not in r.state_security_sectors for a in victims):
            return [], False
        home = {a.country for a in victims}
        for prep in r.location_preps:
            for place in preps.get(prep, []) + self.compound_prep_objects(verb, prep):
                if any(a.country and a.country not in home for a in self.actors(mentions, [place])
                       if self.names_a_place(mentions, place)):
                    return [place], False
        return [], False

    @staticmethod
    def compound_prep_objects(verb: Token, prep: str) -> list[Token]:
        """Objects of a two-word preposition: "outside of Basra", "in front of the embassy"."""
        return [g for c in verb.children if c.dep_ == "prep" and c.lower_ == prep
                for inner in c.children if inner.dep_ == "prep"
                for g in inner.children if g.dep_ == "pobj"]

    def nominal_patterns_of(self, noun: Token) -> list[NominalPattern]:
        return self.lex.nominal_patterns(noun.lemma_.lower()) or \
            self.lex.nominal_patterns(noun.lower_)

    def accusations(self, mentions: SentenceMentions, drafts: list[Draft],
                    status: Status) -> list[Draft]:
        """"Israel said a mortar was fired at it from Gaza": a neutral speech verb that reports
        an act of force by another actor, or a hostile act against the speaker, is the
        speaker's accusation of that actor."""
        speaker = status.speaker
        if status.modality != "reported" or speaker is None or \
                speaker.head.lemma_.lower() not in self.rules.framing_verbs:
            return []
        accusers = [a for a in self.actors(mentions, [speaker], as_source=True) if a.country]
        found: dict[tuple[str, str], Draft] = {}
        for draft in drafts:
            code = self.rules.framing_accusations.get(draft.code[:2])
            if code is None or not draft.source.country:
                continue
            against_speaker = bool(draft.target.country) and draft.target.country in {
                a.country for a in accusers}
            if draft.code[:2] not in self.rules.violent_roots and not against_speaker:
                continue  # "the IAEA said Russian forces detained ...": a report, not blame
            for accuser in accusers:
                key = (accuser.code, draft.source.code)
                if accuser.country != draft.source.country and key not in found:
                    found[key] = Draft(accuser, draft.source, code, "asserted", "",
                                       round(draft.confidence * 0.9, 3), speaker.head.i)
        return list(found.values())

    def wished_acts(self, sent: Span, mentions: SentenceMentions) -> list[Draft]:
        """"Obama wants Putin to attack Switzerland": an appeal to Putin (CAMEO 020)."""
        found: list[Draft] = []
        for verb in sent:
            code = self.rules.appeal_governors.get(verb.lemma_.lower())
            if code is None or verb.pos_ not in ("VERB", "AUX"):
                continue
            acts = [c for c in verb.children if c.dep_ in ("xcomp", "ccomp")
                    and self.lex.verb_patterns(self.lemma_of(c))]
            if not acts or self.modality.status(verb).modality == SKIP:
                continue
            addressees = [c for c in verb.children if c.dep_ == "dobj"] or [
                g for c in acts for g in c.children if g.dep_ in ("nsubj", "nsubjpass")]
            wisher = subject_of(verb)
            if wisher is None or not addressees:
                continue
            found += self.drafts(mentions, [wisher], addressees, code, Status("asserted"), 0.6,
                                 verb)
        return found

    def code_sentence(self, sent: Span, mentions: SentenceMentions, headline: bool = False
                      ) -> list[Draft]:
        if is_discarded(sent.text):
            return []
        self.mentions = mentions
        quoted = quote_spans(sent)
        found: list[Draft] = []
        used_nouns: set[int] = set()
        event_verbs = {t.i for t in sent if t.pos_ in ("VERB", "AUX") and t.lemma_ != "be"
                       and self.lex.verb_patterns(self.lemma_of(t))}
        found += self.deontic_demands(sent, mentions, quoted)
        found += self.wished_acts(sent, mentions)
        pending = []
        coded: set[int] = set()
        for tok in sent:
            if tok.i not in event_verbs or self.names_something(tok):
                continue
            if self.is_purpose(tok) and tok.head.i in coded and not self.purpose_is_the_act(tok):
                continue  # "summoned the ambassador to protest": one act, the summons
            status = self.modality.status(tok)
            if status.modality == SKIP or (inside(tok, quoted) and status.speaker is None):
                continue  # a quote whose speaker was lost (a stripped link) is not guessed
            matches = self.verb_matches(tok)
            agents = self.agent_tokens(tok)
            drafts = self.first_drafts(mentions, matches, agents, status, tok, False)
            if drafts:
                found += drafts + self.accusations(mentions, drafts, status)
                coded.add(tok.i)
                obj = self.object_of(tok)
                if obj is not None:
                    used_nouns.add(obj.i)
            else:
                pending.append((tok, matches, agents, status))
        for tok, matches, agents, status in pending:
            # a framing verb whose complement was coded ("pledged to deliver X to Y"), or the
            # purpose of a coded act ("held a call with Y to discuss"), adds nothing by itself
            if any(c.dep_ in ("xcomp", "ccomp") and c.i in coded for c in tok.children) or (
                    tok.dep_ in ("xcomp", "advcl") and tok.head.i in coded):
                continue
            drafts = self.first_drafts(mentions, matches, agents, status, tok, True)
            found += drafts + self.accusations(mentions, drafts, status)
        for tok in sent:
            if tok.pos_ not in ("NOUN", "PROPN") or tok.i in used_nouns:
                continue
            if not self.hosts_nominal(tok, headline) or inside(tok, quoted):
                continue
            matches = self.nominal_matches(tok)
            if not matches:
                continue
            governor = tok.head if tok.head.pos_ in ("VERB", "AUX") else None
            status = self.modality.status(governor) if governor is not None else Status("asserted")
            if status.modality == SKIP or self.modality.negated(tok):
                continue
            for pattern, targets in matches:
                target_ids = {t.i for t in targets}
                sources = [c for c in tok.children if c.dep_ in ("poss", "compound", "amod")
                           and c.i not in target_ids]
                if governor is not None and tok.dep_ in ("dobj", "attr") and \
                        not self.names_an_actor(sources):
                    sources = self.agent_tokens(governor)  # "Israel mounted its invasion of"
                if tok.dep_ == "pobj" and pattern.code[:2] in self.rules.adjunct_roots and \
                        not self.names_an_actor(sources):
                    # "Following a phone call with Erdogan, Putin said ...": the main clause's
                    # subject took part in the event the time adjunct names
                    anchor = tok.head.head
                    if anchor.pos_ in ("VERB", "AUX"):
                        sources = self.agent_tokens(anchor)
                base = 0.5 + 0.04 * pattern.specificity
                reciprocal = "between" in pattern.preps or "among" in pattern.preps
                code = lookup(pattern.code)
                untargeted = bool(code.plover_type) and not code.requires_recipient
                drafts = self.drafts(mentions, sources, targets, pattern.code, status, base, tok,
                                     untargeted=untargeted, reciprocal=reciprocal,
                                     reciprocal_only=True)
                if drafts:
                    found += drafts
                    break
        return self.without_empty_framing(self.without_restated_complements(found, sent), sent)

    @staticmethod
    def without_restated_complements(found: list[Draft], sent: Span) -> list[Draft]:
        """"Qatar pledged to expel the leaders": the pledge and the expulsion are one act
        between the same two actors, coded by the complement."""
        doc = sent.doc
        pairs = {(d.trigger, d.source.code, d.target.code) for d in found}
        return [d for d in found if not any(
            (c.i, d.source.code, d.target.code) in pairs
            for c in doc[d.trigger].children if c.dep_ == "xcomp")]

    @staticmethod
    def without_empty_framing(found: list[Draft], sent: Span) -> list[Draft]:
        """"Xi told Biden that China was ready to work with the US": what was said is the
        event; the bare statement (CAMEO 01) that frames it adds nothing."""
        doc = sent.doc
        contents = {d.trigger for d in found if not d.code.startswith("01")}
        return [d for d in found if not d.code.startswith("01") or not any(
            c.dep_ in ("ccomp", "parataxis") and any(t.i in contents for t in c.subtree)
            for c in doc[d.trigger].children)]

    def hosts_nominal(self, noun: Token, headline: bool) -> bool:
        """A nominal event counts when the sentence reports it as having taken place: carried
        by a verb of occurrence ("held talks", "talks ended", "the visit was the first"), in
        an adjunct of time ("after talks with", "following a phone call with"), or heading a
        headline."""
        head = noun.head
        if noun.dep_ == "ROOT":
            return headline
        if noun.dep_ == "pobj" and head.lower_ in self.rules.nominal_time_preps:
            return True
        if noun.dep_ in ("dobj", "nsubj", "nsubjpass", "attr"):
            return self.lemma_of(head) in self.rules.nominal_hosts or (
                noun.dep_ == "nsubj" and head.lemma_ == "be") or headline
        return headline and noun.dep_ in ("appos", "conj", "compound")


def clause_weight(verb: Token) -> float:
    """Acts in relative and adverbial clauses are background to the sentence's main act."""
    return 0.9 if verb.dep_ in ("relcl", "acl", "advcl") else 1.0


def plausible_pair(source: Actor, target: Actor) -> bool:
    """Two different actors. An actor placed only by the article's context (certainty ≤ 0.5)
    pairs with its own country only as a distinct domestic group ("the Sudanese government
    accused rebels": SDNGOV → SDNREB), never as the bare country or the same sector."""
    if source.code == target.code:
        return False
    if source.country != target.country or min(source.certainty, target.certainty) > 0.5:
        return True
    return bool(source.sector and target.sector and source.sector != target.sector)


QUOTES = {"“": "”", '"': '"', "«": "»"}


def quote_spans(sent: Span) -> list[tuple[int, int]]:
    """Token ranges inside quotation marks in a sentence."""
    spans, opening = [], None
    for tok in sent:
        if opening is None and tok.text in QUOTES:
            opening = tok
        elif opening is not None and tok.text == QUOTES[opening.text]:
            spans.append((opening.i, tok.i))
            opening = None
    if opening is not None and opening.text == "“":  # quote runs to the end of the sentence
        spans.append((opening.i, sent.end))
    return spans


def inside(tok: Token, spans: list[tuple[int, int]]) -> bool:
    return any(a < tok.i < b for a, b in spans)
