"""Load test: the real `dyads serve` on 127.0.0.1, concurrent reads while POSTs code articles.

    python tools/loadtest.py [--readers 8] [--requests 3000] [--posts 10] [--max-seconds 120]
                             [--json loadtest.json]

The script codes examples/ into a temporary DuckDB with `dyads code`, starts `dyads serve` on a
free loopback port with a token, then runs `--readers` threads that GET the API's read
endpoints and the web page in turn, while one writer POSTs `--posts` new articles (each coded
by the server's pipeline). It stops at `--requests` reads or `--max-seconds`, whichever comes
first, checks that every article posted is in the store, and reports requests per second,
latency percentiles and failures (any status other than the expected one, or a transport
error). Exit status 1 when a request failed. Only the loopback interface is used.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
READS = ["/api", "/api/events?limit=50", "/api/events?actor=ARM&limit=20",
         "/api/events?code=11&sort=-date", "/api/relations?period=month", "/api/network",
         "/api/timeline?period=month", "/api/stories", "/api/articles", "/api/grievances",
         "/api/events.csv?limit=200", "/api/allies/ARM?date=2024-01-01", "/", "/static/app.js"]
COUNTRIES = ["Armenia", "Azerbaijan", "Russia", "Turkey", "Iran", "Georgia", "France", "China"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summary(latencies: list[float], failures: int, seconds: float) -> dict:
    return {"requests": len(latencies), "failures": failures,
            "requests_per_second": round(len(latencies) / seconds, 1) if seconds else 0.0,
            "p50_ms": round(percentile(latencies, 50) * 1000, 1),
            "p95_ms": round(percentile(latencies, 95) * 1000, 1),
            "p99_ms": round(percentile(latencies, 99) * 1000, 1),
            "max_ms": round(max(latencies, default=0) * 1000, 1),
            "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else 0.0}


def article(i: int) -> dict:
    a, b = COUNTRIES[i % len(COUNTRIES)], COUNTRIES[(i * 3 + 1) % len(COUNTRIES)]
    if a == b:
        b = COUNTRIES[(i + 2) % len(COUNTRIES)]
    paragraphs = [f"{a} accused {b} of violating the ceasefire near the border on Monday, "
                  f"load-test report {i}.",
                  f"{b} rejected the accusation and urged {a} to return to negotiations.",
                  f"The foreign ministers of {a} and {b} met in Geneva on Tuesday, officials "
                  f"said in statement {i}."] * 3
    return {"title": f"{a} accuses {b}", "text": "\n\n".join(paragraphs),
            "date": "2024-05-0" + str(1 + i % 9), "source": "load test",
            "doc_name": f"load-{i}-{secrets.token_hex(3)}"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers", type=int, default=8, help="concurrent reading clients")
    parser.add_argument("--requests", type=int, default=3000, help="reads in all (bound)")
    parser.add_argument("--posts", type=int, default=10, help="articles to POST (<= 20/min)")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="time bound")
    parser.add_argument("--json", help="write the report here too")
    args = parser.parse_args()
    if args.posts > 20:
        parser.error("the server accepts 20 writes a minute per client: --posts <= 20")

    folder = Path(tempfile.mkdtemp(prefix="dyads-load-"))
    db, token, port = folder / "load.duckdb", secrets.token_hex(16), free_port()
    cli = [sys.executable, "-m", "dyads.cli"]
    coded = subprocess.run([*cli, "code", str(ROOT / "examples"), "--db", str(db)],
                           capture_output=True, text=True, cwd=ROOT)
    if coded.returncode != 0:
        sys.exit(f"dyads code failed: {coded.stderr[-2000:]}")
    env = {**os.environ, "DYADS_TOKEN": token}
    started = time.monotonic()
    server = subprocess.Popen([*cli, "serve", "--db", str(db), "--host", HOST, "--port",
                               str(port)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://{HOST}:{port}"
    try:
        while True:
            try:
                if httpx.get(base + "/api", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() - started > 60:
                sys.exit("the server did not start")
            time.sleep(0.1)
        startup = time.monotonic() - started
        before = httpx.get(base + "/api", timeout=30).json()["counts"]["articles"]
        report = run_load(base, token, args)
        after = httpx.get(base + "/api", timeout=30).json()["counts"]["articles"]
    finally:
        server.terminate()
        server.wait(timeout=30)
    report["server_start_seconds"] = round(startup, 1)
    report["articles_before_after"] = [before, after]
    report["posted_articles_stored"] = after - before == report["writes"]["requests"] - \
        report["writes"]["failures"]
    report["command"] = "python tools/loadtest.py " + " ".join(sys.argv[1:])
    report["machine"] = f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    failed = report["reads"]["failures"] or report["writes"]["failures"]
    return 1 if failed or not report["posted_articles_stored"] else 0


def run_load(base: str, token: str, args: argparse.Namespace) -> dict:
    lock = threading.Lock()
    reads: list[tuple[float, float, bool]] = []  # (start, latency, ok)
    writes: list[tuple[float, float]] = []
    failures = {"reads": 0, "writes": 0}
    errors: list[str] = []
    issued = 0
    deadline = time.monotonic() + args.max_seconds
    writing = threading.Event()

    def take() -> int | None:
        nonlocal issued
        with lock:
            if issued >= args.requests or time.monotonic() > deadline:
                return None
            issued += 1
            return issued

    def reader() -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            while (n := take()) is not None:
                path = READS[n % len(READS)]
                t0 = time.monotonic()
                try:
                    ok = client.get(path).status_code == 200
                except httpx.HTTPError as exc:
                    ok = False
                    errors.append(f"GET {path}: {exc!r}")
                with lock:
                    reads.append((t0, time.monotonic() - t0, ok))
                    failures["reads"] += not ok

    def writer() -> None:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, timeout=300) as client:
            for i in range(args.posts):
                if time.monotonic() > deadline:
                    break
                writing.set()
                t0 = time.monotonic()
                try:
                    response = client.post("/api/articles", json=article(i), headers=headers)
                    ok = response.status_code == 201
                    if not ok:
                        errors.append(f"POST: {response.status_code} {response.text[:200]}")
                except httpx.HTTPError as exc:
                    ok = False
                    errors.append(f"POST: {exc!r}")
                with lock:
                    writes.append((t0, time.monotonic() - t0))
                    failures["writes"] += not ok

    t_start = time.monotonic()
    threads = [threading.Thread(target=reader) for _ in range(args.readers)]
    threads.append(threading.Thread(target=writer))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - t_start
    windows = [(t0, t0 + dt) for t0, dt in writes]
    during = [(dt, ok) for t0, dt, ok in reads if any(a <= t0 <= b for a, b in windows)]
    return {"seconds": round(seconds, 1), "readers": args.readers,
            "reads": summary([dt for _, dt, _ in reads], failures["reads"], seconds),
            "reads_while_a_write_was_coding": summary(
                [dt for dt, _ in during], sum(not ok for _, ok in during),
                sum(b - a for a, b in windows)),
            "writes": summary([dt for _, dt in writes], failures["writes"], seconds),
            "errors": errors[:10]}


if __name__ == "__main__":
    sys.exit(main())
