"""The actor knowledge base: countries, organisations, office-holders and role nouns.

Names are indexed by a folded key (diacritics, case and punctuation removed), so a lookup is
one dict access per candidate span, never a loop over entries. Short all-capital acronyms
("US", "EU", "PRI") are matched case-sensitively so they do not collide with words.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from unidecode import unidecode

from .knowledge import data_dir, load_csv, load_optional, load_yaml, load_yaml_dir, read_yaml
from .model import Actor

ALNUM = re.compile(r"[^0-9a-zA-Z]+")
TOKEN = re.compile(r"[^\W_]+(?:[.'][^\W_]+)*\.?|[^\w\s]", re.UNICODE)
MAX_SPAN = 10


# Lower-case words that begin proper names ("al-Shabaab", "bin Salman", "de Gaulle").
NAME_PARTICLES = frozenset({"al", "el", "ad", "as", "ash", "at", "az", "an", "bin", "ibn", "bint",
                            "abu", "de", "da", "di", "du", "del", "della", "der", "den", "van",
                            "von", "la", "le", "los", "las", "the", "ul", "ben", "dos", "das"})

# Words that news style often leaves in lower case inside a name ("the Labour party",
# "Kurdistan Workers' party", "Islamic State of Iraq and the Levant").
LOWERCASE_NAME_WORDS = frozenset({"party", "movement", "of", "and", "for", "the", "on", "in"})


def fold(text: str) -> str:
    return ALNUM.sub("", unidecode(text).lower())


def fold_cased(text: str) -> str:
    return ALNUM.sub("", unidecode(text))


def is_acronym(name: str) -> bool:
    bare = name.replace(".", "").replace(" ", "")
    return bare.isalpha() and bare.isupper() and len(bare) <= 3


def as_date(value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


SECTOR_CODES = {"GOV", "MIL", "COP", "JUD", "LEG", "OPP", "PTY", "REB", "UAF", "CRM", "SPY",
                "ELI", "MED", "BUS", "LAB", "EDU", "REL", "HLH", "REF", "AGR", "NGO", "CVL",
                "IGO", "IMG", "NGM", "MNC", "INS", "SEP", "PRM", "DEV", "HRI", "ENV", "UNK"}


def country_of_code(code: str) -> str:
    """Country part of a CAMEO actor code: RUSGOV → RUS, IGOUNO → UNO, ELI → ''."""
    code = code or ""
    if code.startswith("IGO"):
        return code[3:6]
    return "" if code[:3] in SECTOR_CODES else code[:3]


def actor_from_code(code: str, name: str, certainty: float = 1.0) -> Actor:
    country = country_of_code(code)
    if code.startswith("IGO"):
        return Actor(code, country, "IGO", name, certainty)
    sector = code[3:6] if country else code[:3]
    return Actor(code, country, sector, name, certainty)


@dataclass(frozen=True)
class Span:
    start: date | None
    end: date | None

    def covers(self, when: date) -> bool:
        return (self.start is None or self.start <= when) and (self.end is None or when <= self.end)


@dataclass(frozen=True)
class Role:
    role: str
    country: str
    span: Span
    code: str = ""  # a full actor code given by an imported dictionary (e.g. RUSGOV)


@dataclass
class Person:
    name: str
    country: str
    roles: list[Role]
    surnames: list[str] = field(default_factory=list)
    default_code: str = ""  # imported dictionaries: the code outside every dated range

    def roles_on(self, when: date) -> list[Role]:
        return [r for r in self.roles if r.span.covers(when)]

    def ever_held_before(self, when: date) -> bool:
        return any(r.span.end is not None and r.span.end < when for r in self.roles)


@dataclass
class Organisation:
    code: str
    name: str
    country: str
    sectors: list[str]
    timed: list[tuple[str, Span]] = field(default_factory=list)
    actor_code: str = ""  # imported dictionaries keep their own full code
    is_igo: bool = False
    members: list[tuple[str, Span]] = field(default_factory=list)
    mutual_defence: bool = False
    kind: str = ""
    members_from: dict = field(default_factory=dict)  # {base: UNO, except: [...], plus: [...]}

    def sector_on(self, when: date) -> str:
        for sector, span in self.timed:
            if span.covers(when):
                return sector
        return self.sectors[0] if self.sectors else ""


@dataclass(frozen=True)
class Entry:
    """One name in the index and what it stands for."""

    kind: str  # country demonym capital metonym military legislature org person surname agent
    #            not_actor
    ref: str  # country code, organisation code, person index or sector
    name: str
    role: str = ""  # for agents that name an office
    scope: tuple[str, ...] = ()  # agents: countries the term is specific to ("secretary of state")


@dataclass(eq=False)
class Hit:
    """A knowledge-base name found in a token sequence, [start, end) in token indices."""

    start: int
    end: int
    entries: list[Entry]

    def of_kind(self, *kinds: str) -> list[Entry]:
        return [e for e in self.entries if e.kind in kinds]


class KnowledgeBase:
    def __init__(self, extra: Iterable[Path] = ()) -> None:
        self.countries: dict[str, dict] = {}
        self.people: list[Person] = []
        self.orgs: dict[str, Organisation] = {}
        self.role_sector: dict[str, str] = load_yaml("roles.yaml")
        names = load_yaml("names.yaml")
        self.never_surname: set[str] = set(names["never_surname"])
        self.office_rank: dict[str, int] = {r: i for i, r in enumerate(names["office_rank"])}
        self.transliteration = [(re.compile(a, re.IGNORECASE), b)
                                for a, b in load_yaml("transliteration.yaml")["rules"]]
        self.elite_modifiers: set[str] = set()
        self.civilian_modifiers: set[str] = set()
        self.religious_modifiers: set[str] = set()
        self.ethnic_modifiers: set[str] = set()
        self.relation_modifiers: set[str] = set()
        self.foreign_roles: set[str] = set()
        self.index: dict[str, list[Entry]] = defaultdict(list)
        self.cased: dict[str, list[Entry]] = defaultdict(list)
        self.first_tokens: set[str] = set()
        self.ambiguous_places: set[str] = set()
        self.load(
            countries=load_optional("countries.yaml") or [],
            igos=load_optional("igos.yaml") or [],
            organisations=[org for path in sorted(data_dir().glob("organisations*.yaml"))
                           for org in load_optional(path.name) or []],
            people=load_yaml_dir("people"),
            agents=load_optional("agents.yaml") or {},
        )
        self.add_cities(load_csv("cities.csv") if (data_dir() / "cities.csv").exists() else [])
        self.add_regions(load_csv("regions.csv") if (data_dir() / "regions.csv").exists() else [])
        self.add_peoples(load_csv("peoples.csv") if (data_dir() / "peoples.csv").exists() else [])
        for path in sorted((data_dir() / "phoenix").glob("*.json")):
            self.load_supplement(json.loads(path.read_text(encoding="utf-8")))
        for path in extra:
            self.load(**{k: v for k, v in (read_yaml(path) or {}).items()
                         if k in ("countries", "igos", "organisations", "people", "agents")})

    def add_cities(self, rows: list[dict[str, str]]) -> None:
        """Cities stand for their country ("Shanghai police", "strikes on Kharkiv").

        A name shared by cities of several countries is kept only when one is far larger.
        """
        best: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for row in rows:
            if row["name"].isupper() and len(row["name"]) <= 4:
                continue  # GeoNames lists airport codes ("BAK" for Baku) among the names
            best[row["name"]].append((int(row["population"]), row["country"]))
        for name, options in best.items():
            options.sort(reverse=True)
            countries = {c for _, c in options}
            if len(countries) > 1 and options[1][0] * 5 > options[0][0]:
                continue
            if self.known_name(name) or name in self.ambiguous_places:
                continue
            self.add_name(name, Entry("city", options[0][1], name))

    def add_regions(self, rows: list[dict[str, str]]) -> None:
        """Provinces, states and named regions place a group in their country like a city
        does ("Darfur rebels", "protesters in Balochistan"); a known name keeps its meaning."""
        for row in rows:
            if self.free_for_a_place(row["name"]):  # "Abyan" is a province first
                self.add_name(row["name"], Entry("city", row["country"], row["name"]))

    def add_peoples(self, rows: list[dict[str, str]]) -> None:
        """Peoples tied to one state stand for it like a demonym ("Yoruba leaders", "Uyghur
        activists"); "ethnic Hazaras in Pakistan" are still placed where they live."""
        for row in rows:
            for form in row["forms"].split("|"):
                if self.free_for_a_place(form):
                    self.add_name(form, Entry("demonym", row["country"], row["name"]))

    def load_supplement(self, data: dict) -> None:
        """An older dictionary (Phoenix): fills gaps, never overrides the curated entries."""
        until = as_date(data.get("valid_until"))
        for org in data.get("organisations") or []:
            self.add_org(org, supplement=True)
        for person in data.get("people") or []:
            self.add_person(person, supplement=True, valid_until=until)

    # ---- building the index -------------------------------------------------------------
    def add_name(self, name: str, entry: Entry, cased: bool = False) -> None:
        if not name or not str(name).strip():
            return
        name = str(name)
        if cased or is_acronym(name):
            key, table = fold_cased(name), self.cased
        else:
            key, table = fold(name), self.index
        if not key:
            return
        bucket = table[key]
        if entry in bucket:
            return
        bucket.append(entry)
        # Surnames and generic words must not outrank what a full name says.
        first = TOKEN.findall(unidecode(name))
        if first:
            self.first_tokens.add(fold(first[0]))

    def load(self, countries=(), igos=(), organisations=(), people=(), agents=None) -> None:
        for c in countries:
            self.add_country(c)
        for igo in igos:
            self.add_igo(igo)
        for org in organisations:
            self.add_org(org)
        for person in people:
            self.add_person(person)
        if agents:
            self.add_agents(agents)

    def add_country(self, c: dict) -> None:
        code = str(c["code"])
        self.countries[code] = c
        for name in [c.get("name"), *(c.get("names") or [])]:
            self.add_name(name, Entry("country", code, c.get("name", code)))
        for name in c.get("demonyms") or []:
            self.add_name(name, Entry("demonym", code, c.get("name", code)))
        for name in c.get("subnational_demonyms") or []:
            self.add_name(name, Entry("demonym", code, c.get("name", code)))
        for key, kind in (("capitals", "capital"), ("former_capitals", "capital"),
                          ("metonyms", "metonym"), ("military_metonyms", "military"),
                          ("intelligence_metonyms", "intelligence"),
                          ("legislature_names", "legislature"), ("subnational_names", "country")):
            for name in c.get(key) or []:
                if name in (c.get("ambiguous_capitals") or []):
                    self.ambiguous_places.add(name)  # "Brussels" is the EU more often
                    continue
                self.add_name(name, Entry(kind, code, c.get("name", code)))
                if str(name).lower().startswith("the "):
                    self.add_name(str(name)[4:], Entry(kind, code, c.get("name", code)))

    def add_igo(self, igo: dict) -> None:
        code = str(igo["code"])
        parent = str(igo.get("parent") or "")
        if parent:  # an organ with its own entry (UNSC): its names stand for the parent body
            for name in [igo.get("name"), *(igo.get("names") or [])]:
                self.add_name(name, Entry("org", parent, igo.get("name", code),
                                          str(igo.get("organ_sector") or "")))
            return
        org = Organisation(code=code, name=igo.get("name", code), country=code,
                           sectors=[igo.get("sector") or "IGO"], is_igo=True,
                           kind=igo.get("kind", ""), mutual_defence=bool(igo.get("mutual_defence")))
        for m in igo.get("members") or []:
            org.members.append((str(m["country"]), Span(as_date(m.get("start")),
                                                        as_date(m.get("end")))))
        self.orgs[code] = org
        for name in [igo.get("name"), *(igo.get("names") or [])]:
            self.add_name(name, Entry("org", code, org.name))
        for organ in igo.get("organs") or []:
            for name in [organ.get("name"), *(organ.get("names") or [])]:
                if name and " " not in str(name).strip() and not is_acronym(str(name)):
                    continue  # "Commission", "Secretariat" alone name many bodies
                self.add_name(name, Entry("org", code, org.name, organ.get("sector") or ""))
        org.members_from = igo.get("members_from") or {}
        for leader in igo.get("leaders") or []:
            given_dropped = " ".join(str(leader["name"]).split()[1:])
            self.add_person({"name": leader["name"], "country": code,
                             "aliases": leader.get("aliases") or [],
                             "surnames": leader.get("surnames") or [given_dropped],
                             "roles": [{"role": "secretary_general", "start": leader.get("start"),
                                        "end": leader.get("end")}]})

    def free_for_a_place(self, name: str) -> bool:
        """A name the knowledge base knows at most as a surname can take a place's meaning."""
        return all(e.kind == "surname" for e in self.entries_named(name))

    def entries_named(self, name: str) -> list[Entry]:
        return self.index.get(fold(name), []) + self.cased.get(fold_cased(name), [])

    def known_name(self, name: str) -> bool:
        return bool(self.entries_named(name))

    def add_org(self, o: dict, supplement: bool = False) -> None:
        sectors = o.get("sector") or []
        sectors = [sectors] if isinstance(sectors, str) else list(sectors)
        names = [o["name"], *(o.get("aliases") or [])]
        if supplement and any(self.known_name(n) for n in names):
            return
        code = fold_cased(o["name"])[:24]
        while code in self.orgs:
            code += "_"
        org = Organisation(code=code, name=o["name"], country=str(o.get("country") or ""),
                           sectors=sectors, actor_code=str(o.get("actor_code") or ""))
        for r in o.get("roles") or []:
            org.timed.append((r["sector"], Span(as_date(r.get("start")), as_date(r.get("end")))))
        self.orgs[code] = org
        for name in [o["name"], *(o.get("aliases") or [])]:
            self.add_name(name, Entry("org", code, o["name"]))
        for name in o.get("cased_aliases") or []:  # "Labour", "Fed": words when lower-cased
            self.add_name(name, Entry("org", code, o["name"]), cased=True)

    def add_person(self, p: dict, supplement: bool = False,
                   valid_until: date | None = None) -> None:
        country = str(p.get("country") or "")
        roles = [Role(r.get("role", ""),
                      str(r.get("country") or country_of_code(r.get("code", "")) or country),
                      Span(as_date(r.get("start")),
                           as_date(r.get("end")) or (valid_until if supplement else None)),
                      r.get("code", ""))
                 for r in p.get("roles") or []]
        person = Person(p["name"], country, roles, [str(s) for s in p.get("surnames") or []],
                        str(p.get("default_code") or ""))
        names = [str(n) for n in [p["name"], *(p.get("aliases") or [])]]
        if not supplement:
            names += [v for n in names for v in self.variants(n)]
            person.surnames += [v for n in person.surnames for v in self.variants(n)]
            names += self.given_with_surnames(names, person.surnames)
        if supplement:
            if self.merge_into_curated(person, names):
                return
            # Old dictionaries also date countries and bodies ("UKRAINE [USR <911224]"):
            # a name we already know as something else is not a new person.
            if any(self.known_name(n) for n in names):
                return
            names = [n for n in names if len(TOKEN.findall(n)) > 1]
        ref = str(len(self.people))
        self.people.append(person)
        for name in names:
            # A one-word alias is a surname: it needs a full mention or a title first. So is
            # "A-bian" (a one-letter part) or "Kan Kan", which read as one word once folded.
            parts = [t.lower() for t in TOKEN.findall(name)]
            kind = "person" if len(parts) > 1 and min(map(len, parts)) > 1 and \
                len(set(parts)) > 1 else "surname"
            if kind == "person" or name not in self.never_surname:
                self.add_name(name, Entry(kind, ref, p["name"]))
        for surname in person.surnames:
            if surname not in self.never_surname:
                self.add_name(surname, Entry("surname", ref, p["name"]))

    @staticmethod
    def given_with_surnames(names: list[str], surnames: list[str]) -> list[str]:
        """Every spelling of the given name with every spelling of the surname ("Serge" +
        "Sarkissian"), so that a mixed transliteration still reads as one full name."""
        given = {n.split()[0] for n in names if len(n.split()) == 2}
        combos = [f"{g} {s}" for g in sorted(given) for s in dict.fromkeys(surnames)
                  if len(s.split()) == 1]
        return [c for c in combos if c not in names][:40]

    def variants(self, name: str) -> list[str]:
        """Transliteration variants of a name (data/transliteration.yaml)."""
        out = []
        for pattern, replacement in self.transliteration:
            changed = pattern.sub(replacement, name)
            if changed != name and changed.strip() and changed not in out:
                out.append(" ".join(changed.split()))
        return out

    def merge_into_curated(self, person: Person, names: list[str]) -> bool:
        """A supplementary person we already know: keep only the roles from before ours."""
        for name in names:
            refs = {e.ref for e in self.index.get(fold(name), []) if e.kind == "person"}
            if len(refs) != 1:
                continue
            known = self.people[int(refs.pop())]
            starts = [r.span.start for r in known.roles if r.span.start]
            first = min(starts) if starts else None
            known.roles += [r for r in person.roles
                            if first and r.span.end and r.span.end < first]
            return True
        return False

    def add_agents(self, agents: dict) -> None:
        self.elite_modifiers |= {fold(m) for m in agents.get("elite_modifiers") or []}
        self.civilian_modifiers |= {fold(m) for m in agents.get("civilian_modifiers") or []}
        self.religious_modifiers |= {fold(m) for m in agents.get("religious_modifiers") or []}
        self.ethnic_modifiers |= {fold(m) for m in agents.get("ethnic_modifiers") or []}
        self.relation_modifiers |= {fold(m) for m in agents.get("relation_modifiers") or []}
        self.foreign_roles |= {fold(m) for m in agents.get("foreign_roles") or []}
        for term in agents.get("not_actor") or []:
            self.add_name(term, Entry("not_actor", "", term))
        for a in agents.get("agents") or []:
            scope = tuple(str(c) for c in a.get("countries") or [])
            entry = Entry("agent", a["sector"], a["term"], a.get("role") or "", scope)
            self.add_name(a["term"], entry)

    # ---- matching -----------------------------------------------------------------------
    def find(self, words: list[str]) -> list[Hit]:
        """Longest KB names in a token sequence, left to right, non-overlapping."""
        folded = [fold(w) for w in words]
        cased = [fold_cased(w) for w in words]
        lowered = [w.islower() for w in words]
        lower_words = [w.islower() and w.isalpha() for w in words]  # not "'s"
        hits: list[Hit] = []
        i = 0
        while i < len(words):
            hit = self.longest_at(i, folded, cased, lowered, lower_words) if folded[i] else None
            if hit:
                hits.append(hit)
                i = hit.end
            else:
                i += 1
        return hits

    def longest_at(self, i: int, folded: list[str], cased: list[str],
                   lowered: list[bool], lower_words: list[bool]) -> Hit | None:
        if folded[i] not in self.first_tokens and cased[i] not in self.cased:
            return None
        key = ckey = ""
        best: Hit | None = None
        for j in range(i, min(len(folded), i + MAX_SPAN)):
            key += folded[j]
            ckey += cased[j]
            if not folded[j] and j > i and not cased[j]:
                continue
            entries = self.index.get(key, []) + self.cased.get(ckey, [])
            if entries and all(lowered[i:j + 1]):
                # "turkey", "polish", "china" in lower case are words, not names
                entries = [e for e in entries if e.kind in ("agent", "not_actor")]
            elif entries and j > i and any(lower_words[k] and folded[k] not in NAME_PARTICLES
                                           and (k == i or folded[k] not in LOWERCASE_NAME_WORDS)
                                           for k in range(i, j + 1)):
                # "an armed Islamic group" is a description, not the Armed Islamic Group
                entries = [e for e in entries if e.kind not in ("org", "person")]
            if entries:
                best = Hit(i, j + 1, entries)
        return best

    def name_positions(self, words: list[str]) -> set[int]:
        """Indices of the words that belong to a known name (not a mere role noun)."""
        keep: set[int] = set()
        for hit in self.find(words):
            if any(e.kind not in ("agent", "not_actor") for e in hit.entries):
                keep.update(range(hit.start, hit.end))
        return keep

    def find_in_text(self, text: str) -> tuple[list[str], list[Hit]]:
        words = TOKEN.findall(text)
        return words, self.find(words)

    # ---- resolution at a date -----------------------------------------------------------
    def person_actor(self, ref: str, when: date, certainty: float = 1.0) -> Actor:
        person = self.people[int(ref)]
        current = person.roles_on(when)
        if current:
            # several offices at once (a minister who sits in parliament): the highest at home
            # counts (Macron is co-prince of Andorra, but French president first)
            role = min(current, key=lambda r: (r.country != person.country,
                                               self.office_rank.get(r.role, 99)))
            if role.code:
                return actor_from_code(role.code, person.name, certainty)
            sector = self.role_sector.get(role.role, "GOV")
            return self.make_actor(role.country, sector, person.name, certainty)
        if person.default_code:
            return actor_from_code(person.default_code, person.name, certainty)
        if person.ever_held_before(when):
            return self.make_actor(person.country, "ELI", person.name, certainty)
        return self.make_actor(person.country, "", person.name, certainty * 0.8)

    def org_actor(self, code: str, when: date, sector: str = "", certainty: float = 1.0) -> Actor:
        org = self.orgs[code]
        if org.is_igo:
            return Actor(f"IGO{org.code}", org.code, sector or "IGO", org.name, certainty)
        if org.actor_code:
            return actor_from_code(org.actor_code, org.name, certainty)
        # A party or armed group keeps its own sector: "Hamas leader" is still Hamas.
        own = org.sector_on(when)
        return self.make_actor(org.country, own or sector, org.name, certainty)

    def make_actor(self, country: str, sector: str, name: str, certainty: float = 1.0) -> Actor:
        if country in self.orgs and self.orgs[country].is_igo:
            return Actor(f"IGO{country}", country, sector or "IGO", name, certainty)
        return Actor(f"{country}{sector}", country, sector, name, certainty)

    def country_exists_on(self, code: str, when: date) -> bool:
        """Former states (USSR, Artsakh) stand for nothing outside their years."""
        years = str(self.countries.get(code, {}).get("years") or "")
        match = re.match(r"(\d{4})\s*-\s*(\d{4})", years)
        return not match or int(match[1]) <= when.year <= int(match[2])

    def surname_is_unique(self, text: str) -> bool:
        """True when exactly one person in the knowledge base goes by this surname."""
        entries = self.index.get(fold(text), [])
        return len({e.ref for e in entries if e.kind in ("surname", "person")}) == 1

    def country_name(self, code: str) -> str:
        return str(self.countries.get(code, {}).get("name", code))

    # ---- alliances ----------------------------------------------------------------------
    def is_member(self, org: Organisation, country: str, when: date) -> bool:
        own = [s for c, s in org.members if c == country]
        if own:
            return any(s.covers(when) for s in own)
        base = org.members_from
        if not base or country in (base.get("except") or []):
            return False
        if country in (base.get("plus") or []):
            return True
        parent = self.orgs.get(str(base.get("base", "")))
        return parent is not None and parent is not org and self.is_member(parent, country, when)

    def memberships(self, country: str, when: date) -> list[Organisation]:
        return [o for o in self.orgs.values() if o.is_igo and self.is_member(o, country, when)]

    def members_on(self, code: str, when: date) -> list[str]:
        org = self.orgs[code]
        countries = {c for c, _ in org.members}
        if org.members_from:
            countries |= set(self.countries)
        return sorted(c for c in countries if self.is_member(org, c, when))


def cache_key(extra: tuple[Path, ...]) -> str:
    """Changes whenever a data file, an extra file or this code changes."""
    files = sorted(p for p in data_dir().rglob("*") if p.is_file()) + [Path(__file__)]
    files += [Path(p) for p in extra]
    stamp = "|".join(f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files)
    return hashlib.sha1(stamp.encode()).hexdigest()[:16]


def cache_dir() -> Path:
    base = os.environ.get("DYADS_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "dyads")
    return Path(base)


@lru_cache(maxsize=4)
def knowledge_base(extra: tuple[Path, ...] = ()) -> KnowledgeBase:
    """The knowledge base, built once per process and cached on disk between runs."""
    path = cache_dir() / f"kb-{cache_key(extra)}.pickle"
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    kb = KnowledgeBase(extra)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(kb, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # atomic: a concurrent reader never sees half a file
    except OSError:
        pass  # a read-only home still works, just slower
    return kb
