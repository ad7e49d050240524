"""Import PETRARCH/TABARI-format dictionaries into dyads' YAML formats.

Actor lines: `NAME_ [CODE]` or `NAME_` followed by `+ALIAS` lines and indented
`[CODE yymmdd-yymmdd]`, `[CODE >yymmdd]`, `[CODE <yymmdd]` date-restricted codes (an undated
code is the default). Agent lines: `TERM [~SEC]`, with `!SYNSET!` markers expanded from
`!SYNSET! = A, B` definitions and a plural formed as the format defines it (`{PLURALS}` lists
them, `{}` means none, otherwise the regular English plural of the last word).

Verb files (`--- VERB [CODE] ---` blocks, see `read_verbs`) become a lexicon YAML for
`--lexicon`: what dyads' lexicon can express is carried over, the rest is counted by reason.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

CODE = re.compile(r"\[([^\]]*)\]")
DAY = r"(?:\d{8}|\d{6})"
DATED = re.compile(rf"^\s*(~?[A-Za-z0-9]+~?)\s*(?:([<>])\s*({DAY})|({DAY})\s*-\s*({DAY}))?\s*$")
SYNSET_DEF = re.compile(r"^(![A-Z0-9_]+!)\s*=\s*(.+)$")


def yymmdd(value: str) -> str:
    if len(value) == 8:
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    yy, mm, dd = int(value[:2]), value[2:4], value[4:6]
    year = 2000 + yy if yy < 30 else 1900 + yy
    return f"{year}-{mm}-{dd}"


def name_of(raw: str) -> str:
    raw = re.sub(r"\{[^}]*\}", "", raw).strip()
    return " ".join(raw.replace("_", " ").split()).title()


def parse_codes(text: str) -> list[dict]:
    codes = []
    for group in CODE.findall(text):
        match = DATED.match(group)
        if not match:
            continue
        code, sign, day, start, end = match.groups()
        entry: dict = {"code": code.upper()}
        if sign == ">":
            entry["start"] = yymmdd(day)
        elif sign == "<":
            entry["end"] = yymmdd(day)
        elif start:
            entry["start"], entry["end"] = yymmdd(start), yymmdd(end)
        codes.append(entry)
    return codes


def strip_comment(line: str) -> str:
    return line.split("#", 1)[0].rstrip()


def read_actor_entries(path: Path) -> list[dict]:
    entries: list[dict] = []
    current: dict | None = None
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = strip_comment(raw)
        if not line.strip() or line.lstrip().startswith("<!--") or line.startswith("-->"):
            continue
        if line[0] in " \t" or line.lstrip().startswith("["):
            if current is not None:
                current["codes"] += parse_codes(line)
            continue
        if line.startswith("+"):
            if current is not None:
                alias = name_of(CODE.sub("", line[1:]))
                if alias:
                    current["aliases"].append(alias)
                current["codes"] += parse_codes(line)
            continue
        name = name_of(CODE.sub("", line))
        if not name:
            continue
        codes = parse_codes(line)
        if current is not None and not current["codes"] and not codes:
            current["aliases"].append(name)  # consecutive names share the code block below
            continue
        current = {"name": name, "aliases": [], "codes": codes}
        entries.append(current)
    return [e for e in entries if e["codes"]]


def to_kb(entries: list[dict], countries: bool = False) -> dict:
    """People (entries with dated codes) and organisations (a single undated code).

    With `countries`, an undated three-letter code is a country, so that a role noun composes
    with it as in PETRARCH ("Arnor's president" → ARNGOV; an organisation keeps its own code
    whatever role noun goes with it), and an undated `---` (a name that is deliberately not an
    actor) is left out. dyads' own countries are real states: use this for dictionaries whose
    country codes dyads does not know (fictional test actors, private codes).
    """
    people, orgs, states = [], [], []
    for e in entries:
        dated = [c for c in e["codes"] if "start" in c or "end" in c]
        undated = [c["code"] for c in e["codes"] if c not in dated]
        if countries and not dated and undated[0] == "---":
            continue
        if countries and not dated and re.fullmatch(r"[A-Z]{3}", undated[0]):
            states.append({"code": undated[0], "name": e["name"], "names": e["aliases"]})
        elif dated:
            people.append({"name": e["name"], "country": (undated or [dated[0]["code"]])[0][:3],
                           "aliases": e["aliases"], "default_code": undated[0] if undated else "",
                           "roles": dated})
        else:
            code = undated[0]
            orgs.append({"name": e["name"], "aliases": e["aliases"], "country": code[:3],
                         "sector": code[3:6], "actor_code": code})
    if countries:
        return {"countries": states, "people": people, "organisations": orgs}
    return {"people": people, "organisations": orgs}


PLURAL = re.compile(r"\{([^}]*)\}")


def plural(word: str) -> str:
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(?:s|x|z|ch|sh)$", word):
        return word + "es"
    return word + "s"


def agent_terms(line: str) -> list[str]:
    """The term of an agent line and its plural forms, before synset expansion."""
    body = CODE.sub("", line)
    braces = PLURAL.search(body)
    term = PLURAL.sub("", body).strip()
    if braces is not None:
        return [term, *braces[1].split()]
    words = term.replace("_", " ").split()
    if not words or "!" in term:  # a synset lists its own forms (MAN, MEN)
        return [term]
    return [term, " ".join([*words[:-1], plural(words[-1].lower())])]


def read_agents(path: Path, full_codes: bool = False) -> dict:
    """Agents as dyads role nouns. The sector is the first three letters of the code, or with
    `full_codes` the whole code (PETRARCH's ~GOVFRM composes ARN + GOVFRM = ARNGOVFRM)."""
    synsets: dict[str, list[str]] = {}
    agents = []
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    for raw in lines:
        match = SYNSET_DEF.match(strip_comment(raw).strip())
        if match:
            synsets[match[1]] = [w.strip() for w in match[2].split(",") if w.strip()]
    for raw in lines:
        line = strip_comment(raw).strip()
        if not line or SYNSET_DEF.match(line) or "[" not in line:
            continue
        codes = [c["code"].strip("~") for c in parse_codes(line) if "~" in c["code"]]
        if not codes:
            continue
        sector = codes[0] if full_codes else codes[0][:3]
        seen: set[str] = set()
        for term in agent_terms(line):
            for variant in expand_synsets(term, synsets):
                name = name_of(variant).lower()
                if name and name not in seen:
                    seen.add(name)
                    agents.append({"term": name, "sector": sector})
    return {"agents": {"agents": agents}}


def expand_synsets(term: str, synsets: dict[str, list[str]]) -> list[str]:
    marker = re.search(r"![A-Z0-9_]+!", term)
    if not marker:
        return [term]
    return [v for word in synsets.get(marker.group(), [])
            for v in expand_synsets(term.replace(marker.group(), word, 1), synsets)]


VERB_HEADER = re.compile(r"^---\s*[^\[\n]+\[[^\]]*\]", re.MULTILINE)


def is_verbs_file(text: str) -> bool:
    return len(VERB_HEADER.findall(text)) >= 3


def import_file(path: Path, countries: bool = False) -> dict:
    """Read a TABARI/PETRARCH dictionary: verbs (`--- VERB [CODE] ---` blocks) become a lexicon,
    actors or agents (guessed from their codes) a knowledge-base file. `countries`: see
    `to_kb`; it also keeps agents' whole codes (`read_agents`)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if is_verbs_file(text):
        return read_verbs(path).as_yaml()
    codes = CODE.findall(text)
    if sum("~" in c for c in codes) > len(codes) / 2:
        return read_agents(path, full_codes=countries)
    return to_kb(read_actor_entries(path), countries=countries)


# ---- verbs ----------------------------------------------------------------------------------
# A verbs file: `&NAME` synsets (then `+MEMBER` lines, members may name other synsets), and
# blocks headed `--- VERB [CODE] ---` holding verb lines (`VERB`, `+SYNONYM`, `VERB [CODE]`,
# `BREAK_DOWN {+BREAKS_DOWN ...}` with conjugated forms in braces) and pattern lines
# `- WORDS * WORDS [CODE]`, where `*` is the verb, `$` the source, `+` the target, `%` a
# compound actor, `^` a skipped noun phrase, `&NAME` a synset and `_` joins adjacent words.
# Every pattern of a block applies to every verb of the block. `[A:B]` codes A from source to
# target and B back; `[---]` means "do not code".

PARTICLES = frozenset(["up", "down", "out", "off", "away", "back", "aside", "apart", "forward"])
PREPOSITIONS = frozenset(["about", "after", "against", "among", "at", "between", "by", "for",
                          "from", "in", "into", "near", "of", "on", "onto", "over", "through",
                          "to", "toward", "towards", "under", "upon", "with", "without"])
# PETRARCH takes the target from anywhere in the verb phrase; a dyads pattern takes it from the
# direct object or from the object of a preposition it names. A pattern without its own target
# marker is therefore also written with these prepositions ("restored ties with Gondor").
TARGET_PREPS = ["with", "to", "against", "on", "upon", "from", "for", "in", "into", "at",
                "toward", "towards"]
ARTICLES = frozenset({"the", "a", "an"})
MARKERS = frozenset({"$", "+", "%", "^"})


@dataclass
class VerbImport:
    entries: list[dict] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)  # reason → dictionary lines
    non_cameo: Counter = field(default_factory=Counter)  # code → dictionary lines

    def as_yaml(self) -> dict:
        return {"verbs": self.entries,
                "not_imported": dict(self.skipped.most_common()),
                "non_cameo_codes": dict(sorted(self.non_cameo.items()))}


@dataclass
class Block:
    header: str
    code: str
    verbs: list[tuple[str, str]] = field(default_factory=list)  # (verb line, its code)
    patterns: list[tuple[str, str]] = field(default_factory=list)  # (pattern line, its code)


VERB_COMMENT = re.compile(r"#(?![^\[]*\]).*$")  # a # outside [...] ([###] is a code)


def first_code(text: str) -> str:
    """The code of a line: `[031:032]` → 031 (the back-direction code is not kept)."""
    found = CODE.findall(text)
    return found[0].split(":")[0].strip() if found else ""


def synset_name(word: str) -> str:
    return word.lstrip("&").strip("_").upper()


def read_verb_file(path: Path) -> tuple[dict[str, list[str]], list[Block]]:
    synsets: dict[str, list[str]] = {}
    blocks: list[Block] = []
    synset: str | None = None
    block: Block | None = None
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = VERB_COMMENT.sub("", raw).strip()
        if not line:
            synset = None
            continue
        if line.startswith("<!"):
            continue
        if line.startswith("&"):
            synset = synset_name(line.split()[0])
            synsets[synset] = []
            block = None
        elif line.startswith("---"):
            synset = None
            header = line.strip("- ").strip()
            block = Block(CODE.sub("", header).strip(), first_code(line))
            blocks.append(block)
        elif synset is not None and line.startswith("+"):
            synsets[synset].append(line[1:].strip())
        elif block is not None and line.startswith("-"):
            block.patterns.append((line, first_code(line)))
        elif block is not None:
            block.verbs.append((line, first_code(line) or block.code))
    return synsets, blocks


def expand(words: list[str], synsets: dict[str, list[str]], depth: int = 0) -> list[list[str]]:
    """Every word sequence a pattern's words stand for (synsets expanded, nested ones too)."""
    if not words:
        return [[]]
    rest = expand(words[1:], synsets, depth)
    if not words[0].startswith("&") or depth > 5:
        return [[words[0], *r] for r in rest]
    out = []
    for member in synsets.get(synset_name(words[0]), []):
        for head in expand(split_words(member), synsets, depth + 1):
            out += [[*head, *r] for r in rest]
    return out


def split_words(text: str) -> list[str]:
    return text.replace("_", " ").split()


def verb_words(line: str) -> tuple[list[list[str]], str]:
    """A verb line's forms as word lists (base form first), or a reason it is not usable."""
    body = CODE.sub("", line).lstrip("+").strip()
    braces = PLURAL.search(body)
    forms = [PLURAL.sub("", body).strip()]
    if braces is not None:
        forms += [f.lstrip("+") for f in braces[1].split()]
    out = []
    for form in forms:
        words = form.split("_") if "_" in form else form.split()
        words = [w for w in words if w]
        if not words:
            continue
        if any(w.startswith("+") for w in words[1:]):
            return [], "multi-word verb with words before the verb (WIRE_+TAP)"
        if len(words) > 2 or (len(words) == 2 and words[1].lower() not in PARTICLES):
            return [], "multi-word verb that is not verb + particle"
        out.append([w.lower() for w in words])
    return out, ""


def verb_lemmas(words: Iterable[str]) -> dict[str, str]:
    """spaCy's lemma of each word read as a verb (SAID → say, LEFT → leave, BROKEN → break)."""
    from .parse import nlp

    pipeline = nlp()
    lemmatizer = pipeline.get_pipe("lemmatizer")
    out = {}
    for word in set(words):
        doc = pipeline.make_doc(word)
        for tok in doc:
            tok.pos_ = "VERB"
        out[word] = lemmatizer(doc)[0].lemma_.lower() or word
    return out


def phrase_texts(words: list[str], synsets: dict[str, list[str]]) -> list[str]:
    texts = []
    for seq in expand(words, synsets):
        kept = [w.lower() for w in seq if w.lower() not in ARTICLES]
        text = " ".join(kept)
        if text and text not in texts:
            texts.append(text)
    return texts


def pattern_fields(line: str, synsets: dict[str, list[str]]) -> tuple[dict, str]:
    """The lexicon fields of a pattern line (without verb and code), or why there are none.

    Carried over: `* PARTICLE`, `* OBJECT WORDS`, `* PARTICLE OBJECT`, `* [OBJECT] PREP [+]`
    (the preposition's object is the target), `* PREP WORDS` (a complement that selects the
    code), `+ * PREP $` (reversed: the preposition's object is the source).
    """
    tokens = split_words(CODE.sub("", line.lstrip("-")))
    if tokens.count("*") != 1:
        return {}, "no single verb marker *"
    if "^" in tokens:
        return {}, "^ (skip a noun phrase)"
    at = tokens.index("*")
    pre, post = tokens[:at], [t.lower() for t in tokens[at + 1:]]
    if pre == ["+"] and len(post) == 2 and post[0] in PREPOSITIONS and post[1] == "$":
        return {"prep": [post[0]], "reverse": True}, ""
    if any(t not in MARKERS for t in pre):
        return {}, "words before the verb (SAID *, NOT *, HAS *)"
    if pre:
        return {}, "actor marker before the verb"
    fields: dict = {}
    if post and post[0] in PARTICLES:
        fields["particle"] = post.pop(0)
    if post and post[-1] in ("+", "%"):
        post.pop()
        if not post or post[-1] not in PREPOSITIONS:
            return {}, "target marker without a preposition"
    if any(t in MARKERS for t in post):
        return {}, "actor marker inside the pattern"
    if post and post[-1] in PREPOSITIONS:
        fields["prep"] = [post.pop()]
    if post and post[0] in PREPOSITIONS:
        if "prep" in fields or any(t in PREPOSITIONS for t in post[1:]):
            return {}, "several prepositions"
        items = phrase_texts(post[1:], synsets)
        if not items:
            return {}, "preposition without an object"
        fields["comp"] = {post[0]: items}
        return fields, ""
    if any(t in PREPOSITIONS for t in post):
        return {}, "preposition inside the object words"
    if post:
        items = phrase_texts(post, synsets)
        if not items:
            return {}, "object words are only articles"
        fields["obj"] = items
    return fields, ""


def read_verbs(path: Path) -> VerbImport:
    """A PETRARCH/TABARI verbs dictionary as dyads lexicon entries.

    Each verb of a block (by its spaCy lemma, with a particle for BREAK_DOWN-style verbs)
    gets its own code, and every carried-over pattern of the block. A pattern without its own
    target marker is written twice: target = direct object, and target = object of one of
    TARGET_PREPS. Codes dyads' CAMEO table does not hold (WEIS codes such as 223 or 901, 174K)
    are skipped and counted: the lexicon ignores an unknown code, so keeping them would only
    hide them. Not carried over (counted by reason): words before the verb, `^`, actors
    before the verb (except `+ * PREP $`), prepositions inside object words, `[---]`
    (do not code) patterns, the back-direction code of `[A:B]`, multi-word verbs other than
    verb + particle, the adjacency `_` demands and prefix (stem) matching of words.
    """
    from .ontology import cameo

    known = cameo()
    synsets, blocks = read_verb_file(path)
    result = VerbImport()
    verb_forms: list[tuple[Block, str, list[list[str]]]] = []
    for block in blocks:
        for line, code in block.verbs:
            forms, why = verb_words(line)
            if why:
                result.skipped[why] += 1
                continue
            verb_forms.append((block, code, forms))
    lemmas = verb_lemmas(f[0] for _, _, forms in verb_forms for f in forms)
    seen: set[str] = set()

    def add(entry: dict) -> None:
        key = repr(sorted((k, str(v)) for k, v in entry.items() if k != "note"))
        if key not in seen:
            seen.add(key)
            result.entries.append(entry)

    def usable(code: str) -> bool:
        if code == "---" or not code:
            return False
        if code not in known:
            result.non_cameo[code] += 1
            return False
        return True

    verbs_of: dict[int, list[tuple[str, str]]] = {}
    for block, code, forms in verb_forms:
        pairs = list(dict.fromkeys((lemmas[f[0]], f[1] if len(f) > 1 else "") for f in forms))
        verbs_of.setdefault(id(block), []).extend(pairs)
        if not usable(code):
            why = "verb code not CAMEO" if code and code != "---" else "verb coded --- " \
                "(only its patterns code)"
            result.skipped[why] += 1
            continue
        for verb, particle in pairs:
            base = {"verb": verb, "code": code, **({"particle": particle} if particle else {})}
            add({**base, "note": f"PETRARCH {block.header}"})
            add({**base, "prep": list(TARGET_PREPS), "note": f"PETRARCH {block.header}"})
    for block in blocks:
        for line, code in block.patterns:
            if code == "---":
                result.skipped["pattern coded --- (do not code)"] += 1
                continue
            if not usable(code):
                result.skipped["pattern code not CAMEO"] += 1
                continue
            fields, why = pattern_fields(line, synsets)
            if why:
                result.skipped[why] += 1
                continue
            for verb, particle in verbs_of.get(id(block), []):
                if particle and fields.get("particle", particle) != particle:
                    continue
                entry = {"verb": verb, "code": code, **({"particle": particle} if particle
                                                        else {}), **fields}
                note = f"PETRARCH {block.header}: {line}"
                add({**entry, "note": note})
                if "prep" not in entry:
                    add({**entry, "prep": list(TARGET_PREPS), "note": note})
    return result
