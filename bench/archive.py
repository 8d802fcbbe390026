"""Load the public archive under production settings and print requests/s and latencies.

    .venv/bin/python bench/archive.py [--duration 10] [--connections 32] [--workers 3] [--worker-class sync]
                                      [--regenerate]

Sets itself up: the local PostgreSQL database `xinzhi_bench` (created, migrated and filled with a ten-year
archive by `generate_archive --years 10 --seed 1` unless it already holds one), Redis database 3 as the cache,
and gunicorn on 127.0.0.1 (3 sync workers, as the Dockerfile runs it) with DJANGO_DEBUG=0, a generated SECRET_KEY, ALLOWED_HOSTS
and XINZHI_BENCH=1 (which routes /bench/ceiling/). Then, one after the other, with wrk (Debian package `wrk`) at 32 connections for 10 s:

- ceiling: /bench/ceiling/, a fixed page through the whole middleware stack, no database, no cache;
- issue: /issues/<latest date>/, the issue page (cached under the publication version);
- archive: /archive/, the index of all issues by year and month;
- search: /search/?q=… cycling through 40 queries readers type (two-character words, topics, phrases): after
  the first round they are answered from the page cache, as repeated searches are in production. Before the
  runs each word is searched once as is and once narrowed to a month, as readers will have done earlier in the
  day;
- search-cold: every request a search never made before (one of those words with a date range that changes
  every request), so no page comes from the cache: the word's remembered matches are filtered, ranked and the
  page rendered, with one query for the rows shown: what a reader narrowing a search costs;
- search-new-word: every request a word nobody searched before (two to four characters cut from the archive's
  headlines at random), so each one also reads its matches from the database: the worst case, reported only.

Requests carry X-Forwarded-Proto: https, as they would behind the TLS proxy (production redirects plain HTTP).
Prints requests/s, p50/p95/p99, errors and gunicorn CPU time per request for each, the issue page's share of the
ceiling's requests/s, and the targets of issue 5: issue page >= 70 % of the ceiling with p99 <= 50 ms, search p95
<= 100 ms (repeated and new searches), no errors. The machine is shared (wrk, PostgreSQL, Redis and gunicorn on two cores, and whatever else
runs): the load average before the runs is printed, and CPU per request is the figure other load distorts least.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
HOST = "127.0.0.1"
DATABASE = "xinzhi_bench"
PG = "postgres://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/3"

QUERIES = [
    "绿电", "算力", "数据要素", "储能", "氢能", "低空经济", "人工智能", "东数西算", "数据中心", "碳市场",
    "工业互联网", "智能制造", "集成电路", "量子科技", "生物制造", "商业航天", "卫星互联网", "具身智能",
    "高质量数据集", "新型储能", "国家能源局", "国家数据局", "合肥", "庆阳", "绿证交易", "消纳责任",
    "零碳园区", "数据产权", "公共数据", "科技金融", "AI", "GPU", "200MW", "源网荷储", "算力调度",
    "资产入表", "数据", "电力", "能源", "协同",
]  # fmt: skip

# wrk script: rotate paths (or build unique ones), and report percentiles and errors as JSON on one line.
LUA = r"""
local paths = {%(paths)s}
local unique = %(unique)s
-- With unique off, the paths are requested in turn (each once, when there are more paths than requests).
local counter = 0
local words = {%(words)s}
request = function()
  counter = counter + 1
  local path
  if unique then
    local day = (counter * 7919 + math.random(0, 99999)) %% 3650
    local word = words[(counter %% #words) + 1]
    path = string.format("/search/?q=%%s&start=%%04d-01-01&end=2026-%%02d-%%02d", word, 2016 + (day %% 10),
      1 + (day %% 12), 1 + (day %% 28))
  else
    path = paths[(counter %% #paths) + 1]
  end
  return wrk.format("GET", path, {["Host"] = "127.0.0.1", ["X-Forwarded-Proto"] = "https"})
end
done = function(summary, latency, requests)
  io.write(string.format(
    '\nJSON {"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, "write": %%d, "status": %%d, ' ..
    '"timeout": %%d, "p50": %%d, "p95": %%d, "p99": %%d, "max": %%d}\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max))
end
"""


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kwargs)


def quote(path: str) -> str:
    return urllib.request.quote(path, safe="/?=&-:%")


def prepare_database(env: dict, *, regenerate: bool) -> None:
    exists = run(
        ["psql", PG + "/postgres", "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"]
    )
    if regenerate and exists.stdout.strip():
        run(["psql", PG + "/postgres", "-qc", f"DROP DATABASE {DATABASE}"])
    if regenerate or not exists.stdout.strip():
        run(["psql", PG + "/postgres", "-qc", f"CREATE DATABASE {DATABASE}"])
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env)
    count = (
        run(
            [
                PYTHON,
                "manage.py",
                "shell",
                "-c",
                "from editorial.models import Issue; print(Issue.objects.count())",
            ],
            cwd=ROOT,
            env=env,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    if int(count) < 3650:
        print("Generating the ten-year archive (generate_archive --years 10 --seed 1)…", flush=True)
        started = time.monotonic()
        out = run(
            [PYTHON, "manage.py", "generate_archive", "--years", "10", "--seed", "1", "--end", "2026-06-27"],
            cwd=ROOT,
            env=env,
        ).stdout.strip()
        print(f"  {out} ({time.monotonic() - started:.0f} s)", flush=True)
        run(["psql", PG + "/" + DATABASE, "-qc", "VACUUM ANALYZE"])


def latest_issue_path(env: dict) -> str:
    code = (
        "from publishing.selectors import latest_issue; i = latest_issue(); "
        "print(i.date.isoformat() if i else '')"
    )
    day = run([PYTHON, "manage.py", "shell", "-c", code], cwd=ROOT, env=env).stdout.strip().splitlines()[-1]
    if not day:
        sys.exit("No published issue in the benchmark database.")
    return f"/issues/{day}/"


NEW_WORDS_CODE = """
import json, random, re
from publishing.models import SearchEntry
rng = random.Random(7)
runs = [run for title in SearchEntry.objects.values_list("title", flat=True)
        for run in re.findall(r"[\\u4e00-\\u9fff]{2,}", title)]
words = set()
for _ in range(200000):
    run = rng.choice(runs)
    size = rng.randint(2, min(4, len(run)))
    start = rng.randint(0, len(run) - size)
    words.add(run[start:start + size])
print(json.dumps(sorted(words - set(json.loads(%r)))))
"""


def new_words(env: dict) -> list[str]:
    """Distinct words of two to four characters cut from the archive's headlines, none of them in QUERIES."""
    code = NEW_WORDS_CODE % json.dumps(QUERIES)
    out = run([PYTHON, "manage.py", "shell", "-c", code], cwd=ROOT, env=env).stdout.strip().splitlines()[-1]
    words = json.loads(out)
    random.Random(7).shuffle(words)
    return words


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=2) as response:  # 127.0.0.1 only
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.3)
    sys.exit(f"gunicorn did not answer {url} within {timeout:.0f} s")


def warm(base: str, paths: list[str]) -> None:
    for path in paths:
        request = urllib.request.Request(base + quote(path), headers={"X-Forwarded-Proto": "https"})
        with urllib.request.urlopen(request, timeout=30) as response:  # 127.0.0.1 only
            if response.status != 200:
                sys.exit(f"{path} answered {response.status}")
            response.read()


def wrk(base: str, *, paths: list[str], unique: bool, duration: int, connections: int, threads: int) -> dict:
    lua = LUA % {
        "paths": ", ".join(json.dumps(quote(p)) for p in paths),
        "unique": "true" if unique else "false",
        "words": ", ".join(json.dumps(quote(q)) for q in QUERIES),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    try:
        result = run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{duration}s",
                "--timeout",
                "5s",
                "-s",
                script.name,
                base,
            ],
            timeout=duration + 60,
        )
    finally:
        os.unlink(script.name)
    line = next(line for line in result.stdout.splitlines() if line.startswith("JSON "))
    data = json.loads(line[5:])
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    data["errors"] = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return data


def server_cpu(master: int) -> float:
    """CPU seconds (user + system) used so far by the gunicorn master and its workers."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [master]
    children = Path(f"/proc/{master}/task/{master}/children")
    if children.exists():
        pids += [int(pid) for pid in children.read_text().split()]
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (at most 30)")
    parser.add_argument("--connections", type=int, default=32)
    # One wrk thread is plenty for a few thousand requests/s and leaves the second core to the server.
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers (as in the Dockerfile)")
    parser.add_argument("--worker-threads", type=int, default=2, help="threads per gunicorn worker (gthread)")
    # As in production (Dockerfile): sync workers, which also used the least CPU per request here.
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--port", type=int, default=8931)
    parser.add_argument(
        "--regenerate", action="store_true", help="drop and regenerate the benchmark database"
    )
    args = parser.parse_args()
    args.duration = max(1, min(args.duration, 30))
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")

    env = dict(os.environ)
    env.update(
        DJANGO_DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"{PG}/{DATABASE}",
        REDIS_URL=REDIS_URL,
        CACHE_KEY_PREFIX="xinzhi-bench",
        XINZHI_BENCH="1",
        LOG_LEVEL="WARNING",
        SITE_URL=f"http://{HOST}:{args.port}",
    )
    prepare_database(env, regenerate=args.regenerate)
    load_before = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    issue_path = latest_issue_path(env)
    fresh_paths = [f"/search/?q={word}" for word in new_words(env)]
    run(["redis-cli", "-u", REDIS_URL, "FLUSHDB"])

    base = f"http://{HOST}:{args.port}"
    server = subprocess.Popen(
        [
            GUNICORN,
            "xinzhi.wsgi:application",
            "--bind",
            f"{HOST}:{args.port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            args.worker_class,
            # gunicorn turns a sync worker into gthread when given threads: pass them for gthread only.
            *(["--threads", str(args.worker_threads)] if args.worker_class == "gthread" else []),
            "--keep-alive",
            "5",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(base + "/bench/ceiling/")
        search_paths = [f"/search/?q={q}" for q in QUERIES]
        # Each word once as is and once narrowed to a month, as readers will have searched them before: the
        # matches of every word, and the scores a narrowed (ranked) search needs, are then remembered.
        narrowed = [f"{path}&start=2026-06-01" for path in search_paths]
        warm(base, ["/bench/ceiling/", issue_path, "/archive/", *search_paths, *narrowed])
        plan = [
            ("ceiling", ["/bench/ceiling/"], False),
            ("issue", [issue_path], False),
            ("archive", ["/archive/"], False),
            ("search", search_paths, False),
            ("search-cold", search_paths, True),
            ("search-new-word", fresh_paths, False),
        ]
        results = {}
        for name, paths, unique in plan:
            print(f"wrk {name}: {args.connections} connections, {args.duration} s …", flush=True)
            cpu_before = server_cpu(server.pid)
            results[name] = wrk(
                base,
                paths=paths,
                unique=unique,
                duration=args.duration,
                connections=args.connections,
                threads=args.threads,
            )
            results[name]["cpu_ms"] = (
                (server_cpu(server.pid) - cpu_before) * 1000 / max(results[name]["requests"], 1)
            )
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    print()
    print(f"load average before the runs: {load_before}")
    print(f"{'':16} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'cpu ms/req':>11}")
    for name, r in results.items():
        print(
            f"{name:16} {r['rps']:9.0f} {r['p50'] / 1000:8.1f} {r['p95'] / 1000:8.1f} {r['p99'] / 1000:8.1f}"
            f" {r['errors']:7d} {r['cpu_ms']:11.2f}"
        )
    ratio = results["issue"]["rps"] / results["ceiling"]["rps"]
    cpu_ratio = results["ceiling"]["cpu_ms"] / results["issue"]["cpu_ms"]
    print()
    print(f"issue page / ceiling: {ratio:.0%} of the ceiling's requests/s")
    print(
        f"  (gunicorn CPU per request, which other load on the machine does not distort: issue page"
        f" {results['issue']['cpu_ms']:.2f} ms, ceiling {results['ceiling']['cpu_ms']:.2f} ms, ratio {cpu_ratio:.0%})"
    )
    checks = [
        ("issue page >= 70% of the ceiling", ratio >= 0.70),
        ("issue page p99 <= 50 ms", results["issue"]["p99"] <= 50_000),
        ("search p95 <= 100 ms, repeated searches", results["search"]["p95"] <= 100_000),
        ("search p95 <= 100 ms, every search new", results["search-cold"]["p95"] <= 100_000),
        ("no errors", all(r["errors"] == 0 for r in results.values())),
    ]
    for label, ok in checks:
        print(f"  [{'ok' if ok else 'MISSED'}] {label}")
    fresh = results["search-new-word"]
    repeated = max(0, fresh["requests"] - len(fresh_paths))
    print(
        f"  (search-new-word, every word new, reported only: p95 {fresh['p95'] / 1000:.0f} ms,"
        f" {fresh['rps']:.0f} req/s; {len(fresh_paths)} words, {repeated} requests repeated one)"
    )
    sys.exit(0 if all(ok for _, ok in checks) else 1)


if __name__ == "__main__":
    main()
