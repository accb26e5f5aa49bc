#!/usr/bin/env python3
"""Benchmarks of the client, each figure printed next to a baseline measured in the same
run (interleaved, medians; this machine's speed drifts).

  1. `smtp-tutor --version` / `--help` vs a bare `python -c pass` (same venv python)
  2. completions for a typed prefix (median per call) vs the 1 ms target
  3. the textbook session piped through `smtp-tutor connect` vs a minimal smtplib script
  4. a 20 MB DATA body piped through `smtp-tutor connect` vs smtplib.sendmail

smtp-tutor is measured as users install it (`pip install .`, the README's first command),
in a venv kept under /tmp and refreshed from this checkout at each run: an editable
install (`pip install -e`) adds an import finder that costs several ms at every start.
Run with the venv's python: .venv/bin/python scripts/bench.py [--quick]
Servers: bare aiosmtpd (Sink handler) on loopback, started in this process.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_VENV = Path(tempfile.gettempdir()) / "smtp-tutor-bench-venv"
PYTHON = str(BENCH_VENV / "bin" / "python")
TUTOR = str(BENCH_VENV / "bin" / "smtp-tutor")
QUICK = "--quick" in sys.argv
TEXTBOOK = (b"HELO crepes.fr\nMAIL FROM: <alice@crepes.fr>\nRCPT TO: <bob@hamburger.edu>\nDATA\n"
            b"Do you like ketchup?\nHow about pickles?\n.\nQUIT\n")
SMTPLIB_TEXTBOOK = """
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1])) as s:
    s.helo("crepes.fr")
    s.sendmail("alice@crepes.fr", ["bob@hamburger.edu"],
               b"Do you like ketchup?\\r\\nHow about pickles?\\r\\n")
"""
SMTPLIB_BIG = """
import smtplib, sys
body = open(sys.argv[2], "rb").read()
with smtplib.SMTP("127.0.0.1", int(sys.argv[1])) as s:
    s.ehlo("crepes.fr")
    s.sendmail("alice@crepes.fr", ["bob@hamburger.edu"], body)
"""


def timed(command: list[str], stdin: bytes | None = None, stdin_path: str | None = None) -> float:
    start = time.perf_counter()
    if stdin_path:
        with open(stdin_path, "rb") as handle:
            result = subprocess.run(command, stdin=handle, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE)
    else:
        result = subprocess.run(command, input=stdin, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"failed: {command}: {result.stderr.decode()[-300:]}")
    return elapsed


def interleaved(runs: int, **commands) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (command, kwargs) in commands.items():
            samples[name].append(timed(command, **kwargs))
    return {name: statistics.median(values) for name, values in samples.items()}


def start_sink() -> int:
    from aiosmtpd.handlers import Sink
    from aiosmtpd.smtp import SMTP

    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()

    async def start():
        return await loop.create_server(
            lambda: SMTP(Sink(), loop=loop, data_size_limit=64 * 1024 * 1024), "127.0.0.1", 0)

    server = asyncio.run_coroutine_threadsafe(start(), loop).result()
    return server.sockets[0].getsockname()[1]


def bench_startup() -> None:
    """In the development venv (the figures earlier rounds reported), then as installed.

    The installed entry point is pip's wrapper, which imports ``re`` (~3 ms) before any
    of our code; the module form runs ``runpy`` instead.  Both are shown next to the
    same venv's bare ``python -c pass``."""
    runs = 10 if QUICK else 30
    dev_python = sys.executable
    dev_tutor = str(Path(dev_python).with_name("smtp-tutor"))
    for label, python, tutor in (("development venv (pip install -e)", dev_python, dev_tutor),
                                 ("installed (pip install .)", PYTHON, TUTOR)):
        got = interleaved(runs, bare=([python, "-c", "pass"], {}),
                          version=([tutor, "--version"], {}), help=([tutor, "--help"], {}),
                          explain=([tutor, "explain", "354"], {}))
        bare = got["bare"]
        print(f"1. start-up, {label} (median of {runs}): python -c pass {bare * 1000:.1f} ms "
              "(baseline)")
        for name in ("version", "help", "explain"):
            print(f"   smtp-tutor {'--' + name if name != 'explain' else 'explain 354'}: "
                  f"{got[name] * 1000:.1f} ms = {got[name] / bare:.2f}x baseline"
                  f"{' (target < 2x)' if name != 'explain' else ''}")


def bench_completion() -> None:
    from smtp_tutor.protocol import ClientSession
    from smtp_tutor.repl.completion import complete

    session = ClientSession()
    session.receive(b"220 hamburger.edu\r\n")
    session.send("EHLO crepes.fr")
    session.receive(b"250-hamburger.edu\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n"
                    b"250-SMTPUTF8\r\n250 AUTH PLAIN LOGIN\r\n")
    prefixes = ["", "M", "MAIL FROM:<", "MAIL FROM:<a", "MAIL FROM:<alice@crepes.fr> ", "AUTH ",
                "RCPT TO:<b", ":r"]
    complete("", session)  # load the command table once, as the REPL does at start
    per_call = []
    for _ in range(200 if QUICK else 1000):
        for prefix in prefixes:
            start = time.perf_counter()
            complete(prefix, session)
            per_call.append(time.perf_counter() - start)
    median = statistics.median(per_call) * 1000
    print(f"2. completion: median {median:.3f} ms per call, p99 "
          f"{sorted(per_call)[int(len(per_call) * 0.99)] * 1000:.3f} ms "
          f"over {len(per_call)} calls (baseline: the 1 ms target)")


def bench_textbook(port: int) -> None:
    runs = 5 if QUICK else 15
    got = interleaved(runs,
                      smtplib=([PYTHON, "-c", SMTPLIB_TEXTBOOK, str(port)], {}),
                      tutor=([TUTOR, "connect", "127.0.0.1", str(port)], {"stdin": TEXTBOOK}))
    print(f"3. textbook session (median of {runs}): smtplib script {got['smtplib'] * 1000:.1f} ms "
          f"(baseline), smtp-tutor connect {got['tutor'] * 1000:.1f} ms = "
          f"{got['tutor'] / got['smtplib']:.2f}x (target <= 1.5x)")


def bench_big_body(port: int) -> None:
    size = 20 * 1024 * 1024
    line = b"The quick brown fox jumps over the lazy dog; .dots and more text to fill up.\r\n"
    body = (line * (size // len(line) + 1))[:size]
    body = body[: body.rfind(b"\r\n") + 2]  # CRLF lines: smtplib sends bytes unchanged
    with tempfile.TemporaryDirectory() as tmp:
        body_path = os.path.join(tmp, "body.txt")
        script_path = os.path.join(tmp, "script.txt")
        Path(body_path).write_bytes(body)
        Path(script_path).write_bytes(b"EHLO crepes.fr\nMAIL FROM:<alice@crepes.fr>\n"
                                      b"RCPT TO:<bob@hamburger.edu>\nDATA\n" + body + b".\nQUIT\n")
        runs = 2 if QUICK else 5
        got = interleaved(runs,
                          smtplib=([PYTHON, "-c", SMTPLIB_BIG, str(port), body_path], {}),
                          tutor=([TUTOR, "connect", "127.0.0.1", str(port)],
                                 {"stdin_path": script_path}))
    megabytes = len(body) / 1e6
    print(f"4. 20 MB DATA body (median of {runs}): smtplib.sendmail "
          f"{megabytes / got['smtplib']:.1f} MB/s (baseline), smtp-tutor connect "
          f"{megabytes / got['tutor']:.1f} MB/s = {got['smtplib'] / got['tutor']:.2f}x of "
          f"baseline throughput (target >= 1.0x)")


def install() -> None:
    """This checkout installed as a user installs it, in a venv of its own."""
    if not Path(PYTHON).exists():
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run([PYTHON, "-m", "pip", "install", "-q", str(ROOT)], check=True,
                       stderr=subprocess.DEVNULL)
    else:
        subprocess.run([PYTHON, "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall",
                        str(ROOT)], check=True, stderr=subprocess.DEVNULL)


def main() -> None:
    install()
    home = None
    if "SMTP_TUTOR_HOME" not in os.environ:
        home = tempfile.mkdtemp(prefix="smtp-tutor-bench-")
        os.environ["SMTP_TUTOR_HOME"] = home
    try:
        bench_startup()
        bench_completion()
        port = start_sink()
        bench_textbook(port)
        bench_big_body(port)
    finally:
        if home is not None:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
