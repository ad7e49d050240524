"""The event lexicon: verb patterns and nominal events → CAMEO codes (data in lexicon/).

An item such as "military aid" names a head lemma ("aid") and modifiers that must be its
compound/amod children ("military"); it is more specific than the bare head.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .knowledge import load_optional, read_yaml
from .ontology import cameo


@dataclass(frozen=True)
class Phrase:
    head: str
    modifiers: tuple[str, ...] = ()


def phrases(value: object) -> tuple[Phrase, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    out = []
    for item in items:
        words = str(item).lower().split()
        if words:
            out.append(Phrase(words[-1], tuple(words[:-1])))
    return tuple(out)


def as_set(value: object) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset([value.lower()])
    return frozenset(str(v).lower() for v in value)  # type: ignore[union-attr]


def complements(value: object) -> tuple[tuple[str, tuple[Phrase, ...]], ...]:
    if not isinstance(value, dict):
        return ()
    return tuple((str(prep).lower(), phrases(items)) for prep, items in value.items())


def plover_override(value: object) -> tuple[str, str]:
    """"RETREAT/resign" → ("RETREAT", "resign")."""
    if not value:
        return ("", "")
    kind, _, mode = str(value).partition("/")
    return (kind.upper(), mode)


def phrase_bonus(items: tuple[Phrase, ...]) -> int:
    return 1 if any(p.modifiers for p in items) else 0


@dataclass(frozen=True)
class VerbPattern:
    verb: str
    code: str
    particle: str = ""
    objs: tuple[Phrase, ...] = ()
    preps: frozenset[str] = frozenset()
    comp: tuple[tuple[str, tuple[Phrase, ...]], ...] = ()
    xcomp: frozenset[str] = frozenset()
    reverse: bool = False
    needs_target: bool = True
    plover: tuple[str, str] = ("", "")  # a PLOVER type/mode that overrides the CAMEO mapping

    @property
    def specificity(self) -> int:
        """Object and complement constraints say more than a preposition alone."""
        return (4 * bool(self.objs) + phrase_bonus(self.objs) + 2 * bool(self.particle)
                + 2 * bool(self.preps) + 3 * bool(self.comp) + 3 * bool(self.xcomp))


@dataclass(frozen=True)
class NominalPattern:
    noun: str
    code: str
    modifiers: tuple[Phrase, ...] = ()
    preps: frozenset[str] = frozenset()
    of: tuple[Phrase, ...] = ()
    comp: tuple[tuple[str, tuple[Phrase, ...]], ...] = ()

    @property
    def specificity(self) -> int:
        return (4 * bool(self.modifiers) + 3 * bool(self.of) + 2 * bool(self.preps)
                + 3 * bool(self.comp))


class Lexicon:
    def __init__(self, verbs: Iterable[dict], nominals: Iterable[dict]) -> None:
        known = cameo()
        self.verbs: dict[str, list[VerbPattern]] = defaultdict(list)
        self.nominals: dict[str, list[NominalPattern]] = defaultdict(list)
        for v in verbs:
            code = str(v["code"])
            if code not in known:
                continue
            pattern = VerbPattern(str(v["verb"]).lower(), code, str(v.get("particle") or ""),
                                  phrases(v.get("obj")), as_set(v.get("prep")),
                                  complements(v.get("comp")), as_set(v.get("xcomp")),
                                  bool(v.get("reverse")), v.get("target") != "none",
                                  plover_override(v.get("plover")))
            self.verbs[pattern.verb].append(pattern)
        for n in nominals:
            code = str(n["code"])
            if code not in known:
                continue
            pattern = NominalPattern(str(n["noun"]).lower(), code, phrases(n.get("modifier")),
                                     as_set(n.get("prep")), phrases(n.get("of")),
                                     complements(n.get("comp")))
            self.nominals[pattern.noun].append(pattern)
        for table in (self.verbs, self.nominals):
            for patterns in table.values():
                patterns.sort(key=lambda p: -p.specificity)  # stable: earlier files win ties

    def verb_patterns(self, lemma: str) -> list[VerbPattern]:
        return self.verbs.get(lemma, [])

    def nominal_patterns(self, lemma: str) -> list[NominalPattern]:
        return self.nominals.get(lemma, [])


@lru_cache(maxsize=4)
def lexicon(extra: tuple[Path, ...] = ()) -> Lexicon:
    """The bundled lexicon, with users' files first so that their entries win ties."""
    verbs: list[dict] = []
    nominals: list[dict] = []
    for path in extra:
        data = read_yaml(path) or {}
        verbs.extend(data.get("verbs") or [])
        nominals.extend(data.get("nominals") or [])
    verbs.extend(load_optional("lexicon/verbs.yaml") or [])
    nominals.extend(load_optional("lexicon/nominals.yaml") or [])
    return Lexicon(verbs, nominals)
