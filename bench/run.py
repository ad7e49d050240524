"""`make bench`: throughput, memory and lookup speed on the shared corpora.

Writes bench/results.json and bench/results.md with the command and the machine.
Usage: python bench/run.py [--articles N] [--full]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "corpora"
QUIET_BELOW = 0.25  # wait for other programs to leave 3/4 of the CPUs free (1.0: never wait)
CORPORA = {"reuters": SHARED / "reuters21578" / "articles.jsonl",
           "bbc": SHARED / "bbc_news" / "articles.jsonl"}


def cpu_jiffies() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def busy_fraction(seconds: float = 2.0) -> float | None:
    """Share of all CPUs busy over a short window (other programs on a shared machine)."""
    try:
        busy0, total0 = cpu_jiffies()
        time.sleep(seconds)
        busy1, total1 = cpu_jiffies()
    except (OSError, ValueError, IndexError):
        return None
    return round((busy1 - busy0) / max(1, total1 - total0), 2)


def wait_until_quiet(below: float, patience: float = 180.0) -> float | None:
    """Wait (at most `patience` s) until other programs use less than `below` of the CPUs."""
    deadline = time.monotonic() + patience
    busy = busy_fraction()
    while busy is not None and busy >= below and time.monotonic() < deadline:
        busy = busy_fraction(3.0)
    return busy


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_part(part: str, corpus: Path, n: int, n_process: int = 1) -> dict:
    """One measurement in its own process; records how busy the machine was with other work."""
    background = wait_until_quiet(QUIET_BELOW) if QUIET_BELOW < 1 else busy_fraction()
    try:
        busy0, _ = cpu_jiffies()
    except (OSError, ValueError, IndexError):
        busy0 = None
    ours0, start = children_cpu(), time.perf_counter()
    out = subprocess.run([sys.executable, str(HERE / "parts.py"), part, str(corpus), str(n),
                          str(n_process)], capture_output=True, text=True, check=True)
    wall, ours = time.perf_counter() - start, children_cpu() - ours0
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["background_busy"] = background
    # Ray's worker processes are not our children once Ray shuts down: the part counts them
    ours = max(ours, result.get("tree_cpu_seconds", 0.0))
    if busy0 is not None:
        machine_busy = (cpu_jiffies()[0] - busy0) / os.sysconf("SC_CLK_TCK")
        others = max(0.0, machine_busy - ours) / (wall * (os.cpu_count() or 1))
        result["other_load"] = round(others, 2)
    return result


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

    info = {"cpu": cpu, "cores": os.cpu_count(), "memory": mem,
            "python": platform.python_version(), "platform": platform.platform(),
            "spacy": spacy.__version__}
    try:
        import ray

        info["ray"] = ray.__version__
    except ImportError:
        pass
    return info


def rate(result: dict, key: str) -> float:
    return round(result[key] / result["seconds"], 1)


def main() -> None:
    global QUIET_BELOW
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1000, help="articles per corpus")
    parser.add_argument("--full", action="store_true",
                        help="also code all of Reuters (peak memory; Ray 1 vs 2 workers)")
    parser.add_argument("--quiet-below", type=float, default=QUIET_BELOW,
                        help="before each run, wait (up to 3 min) until other programs use "
                        "less than this share of the CPUs; 1 = never wait")
    args = parser.parse_args()
    QUIET_BELOW = args.quiet_below
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
            "ratio_cpu_time": round(bare["cpu_seconds"] / ours["cpu_seconds"], 3),
            "dyads_2proc_articles_per_s": rate(ours2, "articles"),
            "events": ours["events"], "peak_rss_mb": ours["peak_rss_mb"],
            "background_busy": [bare["background_busy"], ours["background_busy"],
                                ours2["background_busy"]],
            "other_load": [bare.get("other_load"), ours.get("other_load"),
                           ours2.get("other_load")],
        }
        print(name, results["corpora"][name], flush=True)
    results["ray"] = ray_comparison(CORPORA["reuters"], args.articles)
    print("ray", results["ray"], flush=True)
    kb = run_part("kb", CORPORA["reuters"], 400)
    results["actor_lookup"] = {"mentions": kb["mentions"], "seconds": round(kb["seconds"], 2),
                               "mentions_per_s": rate(kb, "mentions")}
    print("kb", results["actor_lookup"], flush=True)
    if args.full:
        full = run_part("dyads", CORPORA["reuters"], 0)
        results["reuters_full"] = {"articles": full["articles"], "seconds": round(full["seconds"]),
                                   "articles_per_s": rate(full, "articles"),
                                   "peak_rss_mb": full["peak_rss_mb"],
                                   "background_busy": full["background_busy"],
                                   "other_load": full.get("other_load")}
        print("full", results["reuters_full"], flush=True)
        results["ray_full"] = ray_comparison(CORPORA["reuters"], 0)
        print("ray full", results["ray_full"], flush=True)
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (HERE / "results.md").write_text(markdown(results))
    print(f"wrote {HERE / 'results.json'} and results.md")


def ray_comparison(corpus: Path, n: int) -> dict:
    """The Ray engine with 1 and with 2 coding workers on the same sample."""
    one, two = run_part("ray", corpus, n, 1), run_part("ray", corpus, n, 2)
    return {
        "articles": one["articles"], "coded": one["coded"], "events": one["events"],
        "cluster_start_s": round(one["init_seconds"], 1),
        "workers_1": {"seconds": round(one["seconds"], 1), "articles_per_s": rate(one, "articles"),
                      "startup_s": round(one["startup_seconds"], 1),
                      "steady_articles_per_s": round(one["steady_articles_per_s"], 1)},
        "workers_2": {"seconds": round(two["seconds"], 1), "articles_per_s": rate(two, "articles"),
                      "startup_s": round(two["startup_seconds"], 1),
                      "steady_articles_per_s": round(two["steady_articles_per_s"], 1)},
        "speedup": round(one["seconds"] / two["seconds"], 2),
        "steady_speedup": round(two["steady_articles_per_s"] / one["steady_articles_per_s"], 2),
        "background_busy": [one["background_busy"], two["background_busy"]],
        "other_load": [one.get("other_load"), two.get("other_load")],
    }


def ray_lines(title: str, r: dict) -> list[str]:
    one, two = r["workers_1"], r["workers_2"]
    return [
        "", f"{title}: {r['articles']} Reuters articles ({r['coded']} new, {r['events']} events), "
        f"local Ray cluster of all cores (start {r['cluster_start_s']} s, not counted).", "",
        "| workers | seconds | articles/s | until first results (s) | steady articles/s |",
        "|---|---|---|---|---|",
        f"| 1 | {one['seconds']} | {one['articles_per_s']} | {one['startup_s']} | "
        f"{one['steady_articles_per_s']} |",
        f"| 2 | {two['seconds']} | {two['articles_per_s']} | {two['startup_s']} | "
        f"{two['steady_articles_per_s']} |", "",
        f"Speed-up 2 workers / 1 worker: **{r['speedup']}×** end to end (actor start and model "
        f"load included), **{r['steady_speedup']}×** once the workers are up. "
        f"Other programs on the machine used {r.get('other_load')} of all CPUs during the "
        f"1- and 2-worker runs ({r['background_busy']} just before them)."]


def markdown(r: dict) -> str:
    m = r["machine"]
    lines = [f"# Benchmark results ({r['started']})", "",
             f"Command: `{r['command']}`  ", f"Machine: {m['cpu']}, {m['cores']} cores, "
             f"{m['memory']}, Python {m['python']}, spaCy {m['spacy']}"
             + (f", Ray {m['ray']}" if "ray" in m else ""), "",
             "| corpus | articles | words | bare spaCy words/s | dyads words/s | ratio | "
             "ratio (CPU time) | dyads articles/s | 2 processes articles/s | events | "
             "peak RSS MB |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, c in r["corpora"].items():
        lines.append(f"| {name} | {c['articles']} | {c['words']} | {c['bare_spacy_words_per_s']} "
                     f"| {c['dyads_words_per_s']} | {c['ratio_dyads_to_bare']} | "
                     f"{c.get('ratio_cpu_time', '')} | "
                     f"{c['dyads_articles_per_s']} | {c['dyads_2proc_articles_per_s']} | "
                     f"{c['events']} | {c['peak_rss_mb']} |")
    lines += ["", "Bare spaCy = the full English pipeline (parse and NER) over the article "
              "texts; dyads = clean, parse, resolve, code, DuckDB, stories (model load not "
              "timed in either). Ratio = dyads words/s ÷ bare words/s (wall clock); the CPU-time "
              "ratio is the same comparison made robust to other programs on the machine. "
              "Share of all CPUs used by other programs during the bare / dyads / 2-process "
              "runs: " + "; ".join(f"{n} {c.get('other_load')}" for n, c in r["corpora"].items())
              + "."]
    if "ray" in r:
        lines += ray_lines("Ray engine", r["ray"])
    k = r["actor_lookup"]
    lines += ["", f"Actor resolution: {k['mentions']} mentions in {k['seconds']} s "
              f"= {k['mentions_per_s']} mentions/s (pre-parsed sentences, KB lookup and "
              "resolution only)."]
    if "reuters_full" in r:
        f = r["reuters_full"]
        lines += ["", f"Full Reuters-21578: {f['articles']} articles in {f['seconds']} s "
                  f"({f['articles_per_s']} articles/s), peak RSS {f['peak_rss_mb']} MB."]
    if "ray_full" in r:
        lines += ray_lines("Ray engine, full Reuters-21578", r["ray_full"])
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
