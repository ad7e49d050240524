"""The long fuzz run: N seeded random inputs through sources → clean → parse → code → store.

    python tools/fuzz.py --n 10000 --seed 8 [--json fuzz.json] [--out fuzz-crashes/]

Four families of input, in equal turns:
  grammar   sentences built from actors and verbs the coder knows (events come out)
  examples  the example articles with random mutations (noise spliced in, ranges deleted,
            doubled or re-cased, line breaks added)
  unicode   arbitrary code points from every plane, with line breaks
  files     random bytes, legacy-encoded text and JSONL records of random types written to
            .txt/.html/.jsonl (optionally .gz) files and read back with `read_articles`

Every article is coded (in batches of 32; a batch that raises is re-run one article at a time
to pin the crashing input) and written to a temporary DuckDB store. Checked for each: no
exception; paragraph and evidence offsets inside the text; evidence == text[start:end] both in
memory and as read back from the store; every file gives articles or rejects with a reason.
Crashing inputs are saved to --out. Exit status 1 when anything crashed or broke an invariant.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import yaml

from dyads.model import Article, Reject
from dyads.pipeline import Pipeline
from dyads.sources import Limits, make_article, read_articles
from dyads.store import Store

ROOT = Path(__file__).resolve().parents[1]
GRAMMAR = yaml.safe_load((ROOT / "tests/data/fuzz_grammar.yaml").read_text(encoding="utf-8"))
ACTORS, VERBS, TAILS, FRAMES, NOISE = (GRAMMAR[k] for k in ("actors", "verbs", "tails",
                                                           "frames", "noise"))
SUFFIXES = [".txt", ".html", ".jsonl", ".txt.gz", ".jsonl.gz", ".htm"]
LIMITS = Limits(max_bytes=200_000)


class Inputs:
    """Seeded generators, one method per family."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.examples = [p.read_text(encoding="utf-8")
                         for p in sorted((ROOT / "examples").glob("*.txt"))]

    def sentence(self) -> str:
        r = self.rng
        s, s2, o, o2 = (r.choice(ACTORS) for _ in range(4))
        v = r.choice(VERBS)
        return r.choice(FRAMES).format(s=s, s2=s2, o=o, o2=o2, v=v, t=r.choice(TAILS),
                                       S=s[:1].upper() + s[1:], V=v.title(), O=o.title())

    def grammar(self) -> str:
        r = self.rng
        paras = [" ".join(self.sentence() for _ in range(r.randint(1, 4)))
                 for _ in range(r.randint(1, 6))]
        title = self.sentence().rstrip(".").title() if r.random() < 0.6 else ""
        return "\n\n".join(([title] if title else []) + paras)

    def mutate(self, text: str) -> str:
        r = self.rng
        for _ in range(r.randint(1, 12)):
            at, op = r.randint(0, len(text)), r.randrange(6)
            end = min(len(text), at + r.randint(1, 80))
            if op == 0:
                text = text[:at] + r.choice(NOISE) + text[at:]
            elif op == 1:
                text = text[:at] + text[end:]
            elif op == 2:
                text = text[:end] + text[at:end] + text[end:]
            elif op == 3:
                text = text[:at] + text[at:end].upper() + text[end:]
            elif op == 4:
                text = text[:at] + "\n" * r.randint(1, 3) + text[at:]
            else:
                text = text[:at] + self.sentence() + text[at:]
        return text

    def example(self) -> str:
        return self.mutate(self.rng.choice(self.examples))

    def unicode(self) -> str:
        r = self.rng
        chars = []
        for _ in range(r.randint(0, 600)):
            plane = r.random()
            if plane < 0.5:
                code = r.randint(0x20, 0x7e)
            elif plane < 0.6:
                code = r.choice([0x0a, 0x0d, 0x09, 0x0b, 0x0c, 0x1c, 0x85, 0x2028, 0x2029])
            elif plane < 0.9:
                code = r.randint(0xa0, 0xffff)
            else:
                code = r.randint(0x10000, 0x10ffff)
            if 0xd800 <= code <= 0xdfff:
                code = 0xfffd
            chars.append(chr(code))
        return "".join(chars)

    def record(self) -> str:
        r = self.rng
        values = [None, True, 3, 2.5, float("nan"), "", "x", [], {}, ["a"], {"a": 1},
                  "2024-03-05", "2999-01-01", "Tue, 05 Mar 2024 10:00:00 GMT", "yesterday"]
        rec = {}
        for key in ("id", "title", "text", "date", "source", "url"):
            if r.random() < 0.8:
                if key == "text" and r.random() < 0.7:
                    rec[key] = self.grammar() if r.random() < 0.5 else self.example()
                else:
                    rec[key] = r.choice(values)
        line = json.dumps(rec)
        if r.random() < 0.1:
            line = line[:r.randint(0, len(line))]
        return line

    def file_bytes(self, suffix: str) -> bytes:
        r = self.rng
        kind = r.randrange(4)
        if ".jsonl" in suffix and kind < 2:
            data = "\n".join(self.record() for _ in range(r.randint(1, 6))).encode()
        elif kind == 0:
            data = r.randbytes(r.randint(0, 4000))
        elif kind == 1:
            data = self.grammar().encode(r.choice(["utf-8", "cp1251", "latin-1", "utf-16"]),
                                         "replace")
        elif kind == 2:
            text = self.example()
            data = f"<html><body><p>{text.replace(chr(10), '</p><p>')}</p>".encode()
        else:
            data = self.unicode().encode("utf-8", "replace")
        if suffix.endswith(".gz"):
            data = gzip.compress(data)
            if r.random() < 0.2:
                data = data[:r.randint(0, len(data))]
        return data


class Campaign:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.inputs = Inputs(args.seed)
        self.pipeline = Pipeline()
        self.folder = Path(tempfile.mkdtemp(prefix="dyads-fuzz-"))
        self.store = Store(self.folder / "fuzz.duckdb")
        self.counts: Counter[str] = Counter()
        self.rejects: Counter[str] = Counter()
        self.failures: list[dict] = []
        self.pending: list[tuple[str, Article]] = []

    def fail(self, family: str, what: str, article: Article | None, detail: str) -> None:
        self.counts["crashes" if what == "crash" else "violations"] += 1
        record = {"family": family, "what": what, "detail": detail[-4000:],
                  "text": article.text if article else None,
                  "title": article.title if article else None,
                  "date": str(article.published) if article and article.published else None}
        self.failures.append(record)
        if self.args.out:
            out = Path(self.args.out)
            out.mkdir(parents=True, exist_ok=True)
            (out / f"failure-{len(self.failures):04d}.json").write_text(
                json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")

    def add(self, family: str, article: Article) -> None:
        self.pending.append((family, article))
        if len(self.pending) >= 32:
            self.flush()

    def flush(self) -> None:
        batch, self.pending = self.pending, []
        if not batch:
            return
        try:
            coded = list(self.pipeline.code([a for _, a in batch]))
            families = {a.article_id: f for f, a in batch}
        except Exception:  # noqa: BLE001 - find the article that did it
            coded, families = [], {}
            for family, article in batch:
                try:
                    coded += list(self.pipeline.code([article]))
                    families[article.article_id] = family
                except Exception:  # noqa: BLE001
                    self.fail(family, "crash", article, traceback.format_exc())
        for result in coded:
            self.check(families.get(result.article.article_id, "?"), result)
        try:
            self.store.write(coded)
        except Exception:  # noqa: BLE001
            self.fail("store", "crash", coded[0].article if coded else None,
                      traceback.format_exc())

    def check(self, family: str, result) -> None:
        article, n = result.article, len(result.article.text)
        self.counts["articles coded"] += 1
        self.counts["events"] += len(result.events)
        problems = [f"paragraph {p.start}:{p.end} outside 0:{n}" for p in result.paragraphs
                    if not 0 <= p.start <= p.end <= n]
        for ev in result.events:
            if not 0 <= ev.sentence_start < ev.sentence_end <= n:
                problems.append(f"event offsets {ev.sentence_start}:{ev.sentence_end} of {n}")
            elif article.text[ev.sentence_start:ev.sentence_end] != ev.evidence:
                problems.append(f"evidence is not the text at {ev.sentence_start}")
        if problems:
            self.fail(family, "invariant", article, "; ".join(problems[:5]))

    def read_file(self, number: int) -> None:
        suffix = self.inputs.rng.choice(SUFFIXES)
        path = self.folder / f"in-{number}{suffix}"
        path.write_bytes(self.inputs.file_bytes(suffix))
        try:
            items = list(read_articles([path], default_date=date(2024, 3, 5), limits=LIMITS))
        except Exception:  # noqa: BLE001
            self.fail("files", "crash", None, f"{path.name}: {traceback.format_exc()}")
            return
        finally:
            path.unlink()
        if not items and ".jsonl" not in suffix:
            self.fail("files", "invariant", None, f"{suffix} gave neither article nor reject")
        for item in items:
            if isinstance(item, Reject):
                self.rejects[item.reason] += 1
                if item.reason == "error" or not item.detail:
                    self.fail("files", "invariant", None, f"unclear reject {item}")
            else:
                self.add("files", item)

    def run(self) -> dict:
        started = time.monotonic()
        rng = self.inputs.rng
        for number in range(self.args.n):
            family = ("grammar", "examples", "unicode", "files")[number % 4]
            self.counts[f"inputs: {family}"] += 1
            if number % 1000 == 999:
                print(f"{number + 1} inputs, {self.counts['events']} events, "
                      f"{self.counts['crashes']} crashes", file=sys.stderr)
            if family == "files":
                self.read_file(number)
                continue
            text = {"grammar": self.inputs.grammar, "examples": self.inputs.example,
                    "unicode": self.inputs.unicode}[family]()
            title = text.split("\n", 1)[0].strip() if rng.random() < 0.5 else ""
            day = date(1995, 1, 1) + timedelta(days=rng.randint(0, 11_000))
            self.add(family, make_article(f"fuzz-{number}", text, title=title, published=day))
        self.flush()
        self.verify_store()
        elapsed = time.monotonic() - started
        return {"command": "python tools/fuzz.py " + " ".join(sys.argv[1:]),
                "inputs tried": self.args.n, "seed": self.args.seed,
                "crashes": self.counts["crashes"], "violations": self.counts["violations"],
                "articles coded": self.counts["articles coded"],
                "events": self.counts["events"],
                "distinct articles stored": self.store.query(
                    "SELECT count(*) FROM articles")[1][0][0],
                "their events read back from the store": self.counts["stored events"],
                "rejects by reason": dict(self.rejects.most_common()),
                "inputs by family": {k.split(": ")[1]: v for k, v in self.counts.items()
                                     if k.startswith("inputs: ")},
                "seconds": round(elapsed, 1),
                "inputs per second": round(self.args.n / elapsed, 1),
                "failures": [{k: v for k, v in f.items() if k != "text"}
                             for f in self.failures[:20]]}

    def verify_store(self) -> None:
        """Offsets survive the round trip through DuckDB."""
        _, rows = self.store.query(
            "SELECT e.evidence, e.sentence_start, e.sentence_end, a.text "
            "FROM events e JOIN articles a USING (article_id)")
        for evidence, start, end, text in rows:
            self.counts["stored events"] += 1
            if text[start:end] != evidence:
                self.fail("store", "invariant", None, f"stored evidence differs at {start}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="inputs to try")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--json", help="write the summary here too")
    parser.add_argument("--out", help="folder for the crashing inputs")
    args = parser.parse_args()
    campaign = Campaign(args)
    try:
        summary = campaign.run()
    finally:
        campaign.store.close()
    text = json.dumps(summary, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 1 if summary["crashes"] or summary["violations"] else 0


if __name__ == "__main__":
    sys.exit(main())
