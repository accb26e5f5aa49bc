"""Benchmark of `smtp-tutor grade`: the grader's overhead per submission.

100 submissions of the reference client (tests/grade/clients/correct.py), each graded
with the plain scenario (the grader's whole path: a fresh practice server, the sandboxed
run, the recorder, the checks, a report rendered) at every isolation level this host
gives (full, uid, weak: smtp_tutor/grade/sandbox.py), interleaved with the baseline: the
same client run alone (subprocess, the system's python3) against a practice server that
is already running.  Overhead = grading time − baseline, per pair; the goal is a
median and p95 ≤ 150 ms.  Also a few gradings with the whole default rubric, whose
scenarios wait on purpose (slow greeting, split replies), for information.

    .venv/bin/python scripts/bench_grade.py [N]
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from smtp_tutor.grade.client import grade_client  # noqa: E402
from smtp_tutor.grade.formats import render  # noqa: E402
from smtp_tutor.grade.rubric import load_rubric, parse_rubric  # noqa: E402
from smtp_tutor.grade.sandbox import LEVELS, choose, probe  # noqa: E402
from smtp_tutor.server.app import ServerConfig, start_server  # noqa: E402
from smtp_tutor.server.policy import TeachingFaults  # noqa: E402

CLIENT = ROOT / "tests" / "grade" / "clients" / "correct.py"
# the system's interpreter: a sandboxed run under another uid can start it
PYTHON = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
PLAIN = parse_rubric({"title": "bench", "check": [
    {"id": "delivered"}, {"id": "envelope"}, {"id": "body", "contains": ["I love"]},
    {"id": "quit"}, {"id": "exits"}, {"id": "clean-dialogue"}]})


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    scratch = Path(tempfile.mkdtemp(prefix="bench-grade-"))
    try:
        measure(count, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def measure(count: int, scratch: Path) -> None:
    os.environ.setdefault("SMTP_TUTOR_HOME", str(scratch / "home"))
    submissions = []
    for number in range(count):
        folder = scratch / "submissions" / f"s{number:03}"
        folder.mkdir(parents=True)
        (folder / "client.py").write_text(CLIENT.read_text())
        submissions.append(folder / "client.py")

    baseline_loop = asyncio.new_event_loop()
    threading.Thread(target=baseline_loop.run_forever, daemon=True).start()
    config = ServerConfig(port=0, mailbox_dir=scratch / "baseline-mail",
                          faults=TeachingFaults(any_recipient="student"))
    server = asyncio.run_coroutine_threadsafe(start_server(config), baseline_loop).result()
    env = {**os.environ, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(server.port)}

    levels = [level for level in reversed(LEVELS)
              if LEVELS.index(level) <= LEVELS.index(probe().level)]
    isolations = {level: choose(None, level) for level in levels}
    loop = asyncio.new_event_loop()
    for isolation in isolations.values():  # warm
        loop.run_until_complete(grade_client([PYTHON, str(submissions[0])], PLAIN,
                                             isolation=isolation))
    subprocess.run([PYTHON, str(CLIENT)], env=env, capture_output=True, check=True)

    baseline: list[float] = []
    graded: dict[str, list[float]] = {level: [] for level in levels}
    overhead: dict[str, list[float]] = {level: [] for level in levels}
    for path in submissions:
        started = time.perf_counter()
        subprocess.run([PYTHON, str(path)], env=env, capture_output=True, check=True)
        alone = time.perf_counter() - started
        baseline.append(alone)
        for level, isolation in isolations.items():
            started = time.perf_counter()
            report = loop.run_until_complete(grade_client([PYTHON, str(path)], PLAIN,
                                                          isolation=isolation))
            render(report, "gradescope")
            grading = time.perf_counter() - started
            assert report.score == report.max_score, render(report, "text")
            graded[level].append(grading)
            overhead[level].append(grading - alone)

    full = dataclasses.replace(load_rubric())
    whole = []
    for path in submissions[:5]:
        started = time.perf_counter()
        loop.run_until_complete(grade_client([PYTHON, str(path)], full))
        whole.append(time.perf_counter() - started)
    asyncio.run_coroutine_threadsafe(server.stop(), baseline_loop).result()

    def row(name: str, values: list[float]) -> str:
        return (f"  {name:<34} median {statistics.median(values) * 1000:7.1f} ms   "
                f"p95 {percentile(values, 0.95) * 1000:7.1f} ms")

    print(f"smtp-tutor grade benchmark: {count} submissions of {CLIENT.name}, interleaved")
    print(f"  {platform.node()}: {os.cpu_count()} CPUs, {platform.platform()}, "
          f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}")
    print(row("baseline: the client run alone", baseline))
    for level in levels:
        print(row(f"graded, isolation {level}", graded[level]))
        print(row(f"overhead per submission, {level}", overhead[level]))
    print(row(f"whole default rubric ({probe().level}, 5 runs)", whole))
    print("  (the default rubric runs 8 scenarios; slow-greeting, split-replies and the 421 "
          "wait on purpose)")
    ok = all(statistics.median(values) <= 0.150 and percentile(values, 0.95) <= 0.150
             for values in overhead.values())
    print("  goal ≤ 150 ms at every level:", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
