"""The event lexicon: verb patterns and nominal events → CAMEO codes (data in lexicon/)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .knowledge import load_optional, read_yaml
from .ontology import cameo


def as_set(value: object) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset([value.lower()])
    return frozenset(str(v).lower() for v in value)  # type: ignore[union-attr]


@dataclass(frozen=True)
class VerbPattern:
    verb: str
    code: str
    particle: str = ""
    objs: frozenset[str] = frozenset()
    preps: frozenset[str] = frozenset()
    needs_target: bool = True

    @property
    def specificity(self) -> int:
        return 2 * bool(self.objs) + bool(self.particle) + bool(self.preps)


@dataclass(frozen=True)
class NominalPattern:
    noun: str
    code: str
    modifiers: frozenset[str] = frozenset()
    preps: frozenset[str] = frozenset()
    of: frozenset[str] = frozenset()

    @property
    def specificity(self) -> int:
        return 2 * bool(self.modifiers) + bool(self.of) + bool(self.preps)


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
                                  as_set(v.get("obj")), as_set(v.get("prep")),
                                  v.get("target") != "none")
            self.verbs[pattern.verb].append(pattern)
        for n in nominals:
            code = str(n["code"])
            if code not in known:
                continue
            pattern = NominalPattern(str(n["noun"]).lower(), code, as_set(n.get("modifier")),
                                     as_set(n.get("prep")), as_set(n.get("of")))
            self.nominals[pattern.noun].append(pattern)
        for table in (self.verbs, self.nominals):
            for patterns in table.values():
                patterns.sort(key=lambda p: -p.specificity)

    def verb_patterns(self, lemma: str) -> list[VerbPattern]:
        return self.verbs.get(lemma, [])

    def nominal_patterns(self, lemma: str) -> list[NominalPattern]:
        return self.nominals.get(lemma, [])


@lru_cache(maxsize=4)
def lexicon(extra: tuple[Path, ...] = ()) -> Lexicon:
    verbs = list(load_optional("lexicon/verbs.yaml") or [])
    nominals = list(load_optional("lexicon/nominals.yaml") or [])
    for path in extra:
        data = read_yaml(path) or {}
        verbs.extend(data.get("verbs") or [])
        nominals.extend(data.get("nominals") or [])
    return Lexicon(verbs, nominals)
