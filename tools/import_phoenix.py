"""Convert the Phoenix/PETRARCH2 actor dictionaries into dyads' supplementary KB files.

Usage: python tools/import_phoenix.py [../shared/dictionaries/phoenix]
Writes src/dyads/data/phoenix/*.json (JSON because it loads ten times faster than YAML).
The Phoenix dictionaries are MIT-licensed, (c) 2014 Open Event Data Alliance; they were last
edited around 2015, so every open-ended role is closed at VALID_UNTIL.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from dyads.tabari import import_file

VALID_UNTIL = "2015-12-31"
FILES = {"countries": "Phoenix.Countries.actors.txt",
         "international": "Phoenix.International.actors.txt",
         "milnonstate": "Phoenix.MilNonState.actors.txt"}


def main(folder: Path) -> None:
    out = Path(__file__).resolve().parents[1] / "src/dyads/data/phoenix"
    out.mkdir(parents=True, exist_ok=True)
    for name, filename in FILES.items():
        data = import_file(folder / filename)
        data = {"source": f"Phoenix/PETRARCH2 dictionary {filename}",
                "licence": "MIT, (c) 2014 Open Event Data Alliance",
                "valid_until": VALID_UNTIL, **data}
        path = out / f"{name}.json"
        path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")),
                        encoding="utf-8")
        print(f"{path}: {len(data['people'])} people, {len(data['organisations'])} organisations")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/dictionaries/phoenix"))
