"""Alliances and partnerships on a date, from IGO memberships and bilateral treaties."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from .actors import KnowledgeBase, Span, as_date
from .knowledge import load_optional, load_yaml


@dataclass(frozen=True)
class Tie:
    partner: str
    kind: str  # ally | partner
    via: str  # organisation code or treaty name


@dataclass(frozen=True)
class Treaty:
    name: str
    kind: str
    parties: tuple[str, ...]
    span: Span
    mutual_defence: bool = False
    suspended: tuple[tuple[frozenset[str], Span], ...] = ()  # pairs whose tie is suspended

    def suspended_on(self, a: str, b: str, when: date) -> bool:
        return any(pair == {a, b} and span.covers(when) for pair, span in self.suspended)


@lru_cache(maxsize=1)
def treaties() -> tuple[Treaty, ...]:
    return tuple(Treaty(t["name"], str(t.get("kind", "")), tuple(str(p) for p in t["parties"]),
                        Span(as_date(t.get("start")), as_date(t.get("end"))),
                        bool(t.get("mutual_defence")), suspended_pairs(t))
                 for t in load_optional("alliances.yaml") or [])


def suspended_pairs(treaty: dict) -> tuple[tuple[frozenset[str], Span], ...]:
    return tuple((frozenset(str(c) for c in p["parties"]),
                  Span(as_date(p.get("start")), as_date(p.get("end"))))
                 for p in treaty.get("suspended_pairs") or [])


class Alliances:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        rules = load_yaml("relations.yaml")
        self.ally_kinds = set(rules["ally_treaty_kinds"])
        self.partner_kinds = set(rules["partner_treaty_kinds"])
        self.partner_orgs = set(rules["partner_organisations"])
        self.memo: dict[tuple[str, date], list[Tie]] = {}

    def ties(self, country: str, when: date) -> list[Tie]:
        """Every ally and partner of a country on a date, with what binds them."""
        key = (country, when)
        if key not in self.memo:
            self.memo[key] = self.compute_ties(country, when)
        return self.memo[key]

    def compute_ties(self, country: str, when: date) -> list[Tie]:
        found: list[Tie] = []
        for org in self.kb.memberships(country, when):
            kind = "ally" if org.mutual_defence else (
                "partner" if org.code in self.partner_orgs else "")
            if not kind:
                continue
            for other in self.kb.members_on(org.code, when):
                if other != country:
                    found.append(Tie(other, kind, org.code))
        for treaty in treaties():
            if country not in treaty.parties or not treaty.span.covers(when):
                continue
            kind = "ally" if treaty.mutual_defence or treaty.kind in self.ally_kinds else (
                "partner" if treaty.kind in self.partner_kinds else "")
            if kind:
                found += [Tie(p, kind, treaty.name) for p in treaty.parties
                          if p != country and not treaty.suspended_on(p, country, when)]
        return sorted(set(found), key=lambda t: (t.kind != "ally", t.partner, t.via))

    def relation(self, a: str, b: str, when: date) -> str:
        """'ally', 'partner' or '' for two countries on a date."""
        kinds = {t.kind for t in self.ties(a, when) if t.partner == b}
        return "ally" if "ally" in kinds else ("partner" if kinds else "")
