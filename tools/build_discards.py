"""Build src/dyads/data/discards.yaml from Phoenix.discards.txt (MIT, (c) Open Event Data
Alliance): phrases that mark a sentence (or, with '+', a whole story) as sport, entertainment
or other non-political news. Bare year numbers and time distances ("years ago") are left out: dyads
judges dates and the clause a time distance modifies itself.

Run: python tools/build_discards.py [../shared/dictionaries/phoenix/Phoenix.discards.txt]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml


def main(path: Path) -> None:
    sentence, story = set(), set()
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.split("#", 1)[0].split(";", 1)[0].strip()
        if not line or re.fullmatch(r"\+?\d{4}", line):
            continue
        target = story if line.startswith("+") else sentence
        phrase = " ".join(line.lstrip("+").replace("_", " ").split()).lower()
        if re.search(r"\b(?:ago|later)$", phrase):
            continue  # "years ago": the coder judges the clause it modifies (modality.yaml)
        if len(phrase) > 2:
            target.add(phrase)
    out = Path(__file__).resolve().parents[1] / "src/dyads/data/discards.yaml"
    header = ("# Phrases that mark non-political news. `sentence`: the sentence is not coded;\n"
              "# `story`: an article whose headline or first paragraph has one is not coded.\n"
              "# Converted from Phoenix.discards.txt (PETRARCH2; MIT, (c) 2014 Open Event Data\n"
              "# Alliance) by tools/build_discards.py, plus dyads' own additions at the end.\n")
    data = {"sentence": sorted(sentence), "story": sorted(story)}
    out.write_text(header + yaml.safe_dump(data, allow_unicode=True, width=100), encoding="utf-8")
    print(f"wrote {out}: {len(sentence)} sentence, {len(story)} story phrases")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else
              "../shared/dictionaries/phoenix/Phoenix.discards.txt"))
