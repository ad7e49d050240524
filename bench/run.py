"""`make bench`: throughput, memory and lookup speed on the shared corpora.

Writes bench/results.json and bench/results.md with the command and the machine.
Usage: python bench/run.py [--articles N] [--full]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "corpora"
CORPORA = {"reuters": SHARED / "reuters21578" / "articles.jsonl",
           "bbc": SHARED / "bbc_news" / "articles.jsonl"}


def run_part(part: str, corpus: Path, n: int, n_process: int = 1) -> dict:
    out = subprocess.run([sys.executable, str(HERE / "parts.py"), part, str(corpus), str(n),
                          str(n_process)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> dict:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    import spacy

    return {"cpu": cpu, "cores": os.cpu_count(), "memory": mem, "python": platform.python_version(),
            "platform": platform.platform(), "spacy": spacy.__version__}


def rate(result: dict, key: str) -> float:
    return round(result[key] / result["seconds"], 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1000, help="articles per corpus")
    parser.add_argument("--full", action="store_true", help="also code all of Reuters for memory")
    args = parser.parse_args()
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    results: dict = {"command": "make bench (python bench/run.py " + " ".join(sys.argv[1:]) + ")",
                     "started": started, "machine": machine(), "corpora": {}}
    for name, path in CORPORA.items():
        bare = run_part("bare", path, args.articles)
        ours = run_part("dyads", path, args.articles)
        ours2 = run_part("dyads", path, args.articles, n_process=2)
        results["corpora"][name] = {
            "articles": ours["articles"], "words": ours["words"],
            "bare_spacy_words_per_s": rate(bare, "words"),
            "dyads_words_per_s": rate(ours, "words"),
            "dyads_articles_per_s": rate(ours, "articles"),
            "ratio_dyads_to_bare": round(rate(ours, "words") / rate(bare, "words"), 3),
            "dyads_2proc_articles_per_s": rate(ours2, "articles"),
            "events": ours["events"], "peak_rss_mb": ours["peak_rss_mb"],
        }
        print(name, results["corpora"][name], flush=True)
    kb = run_part("kb", CORPORA["reuters"], 400)
    results["actor_lookup"] = {"mentions": kb["mentions"], "seconds": round(kb["seconds"], 2),
                               "mentions_per_s": rate(kb, "mentions")}
    print("kb", results["actor_lookup"], flush=True)
    if args.full:
        full = run_part("dyads", CORPORA["reuters"], 0)
        results["reuters_full"] = {"articles": full["articles"], "seconds": round(full["seconds"]),
                                   "articles_per_s": rate(full, "articles"),
                                   "peak_rss_mb": full["peak_rss_mb"]}
        print("full", results["reuters_full"], flush=True)
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (HERE / "results.md").write_text(markdown(results))
    print(f"wrote {HERE / 'results.json'} and results.md")


def markdown(r: dict) -> str:
    m = r["machine"]
    lines = [f"# Benchmark results ({r['started']})", "",
             f"Command: `{r['command']}`  ", f"Machine: {m['cpu']}, {m['cores']} cores, "
             f"{m['memory']}, Python {m['python']}, spaCy {m['spacy']}", "",
             "| corpus | articles | words | bare spaCy words/s | dyads words/s | ratio | "
             "dyads articles/s | 2 processes articles/s | events | peak RSS MB |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, c in r["corpora"].items():
        lines.append(f"| {name} | {c['articles']} | {c['words']} | {c['bare_spacy_words_per_s']} "
                     f"| {c['dyads_words_per_s']} | {c['ratio_dyads_to_bare']} | "
                     f"{c['dyads_articles_per_s']} | {c['dyads_2proc_articles_per_s']} | "
                     f"{c['events']} | {c['peak_rss_mb']} |")
    k = r["actor_lookup"]
    lines += ["", f"Actor resolution: {k['mentions']} mentions in {k['seconds']} s "
              f"= {k['mentions_per_s']} mentions/s (pre-parsed sentences, KB lookup and "
              "resolution only)."]
    if "reuters_full" in r:
        f = r["reuters_full"]
        lines += ["", f"Full Reuters-21578: {f['articles']} articles in {f['seconds']} s "
                  f"({f['articles_per_s']} articles/s), peak RSS {f['peak_rss_mb']} MB."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
