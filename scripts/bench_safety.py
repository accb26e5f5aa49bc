#!/usr/bin/env python3
"""Did the safety work cost speed?  This checkout against the one before it, interleaved.

The untrusted-text boundary, strict DATA framing, reply wording and the console's
queue sit on hot paths.  Each figure is measured for both checkouts in the same run,
alternating (medians; this machine's speed drifts):

  1. start-up: `smtp-tutor --version` and `--help`
  2. completion: median microseconds per call of the pure completion function
  3. the practice server (`serve --quiet`): messages per second with smtp-source at 1
     and 20 concurrent senders, every message fsync'ed before its 250

The baseline is a git worktree of BASE (default: the commit before this round) with
its own venv, made once under /tmp.  Run: .venv/bin/python scripts/bench_safety.py
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = os.environ.get("SMTP_TUTOR_BENCH_BASE", "2fca60c")
BASE_DIR = Path(tempfile.gettempdir()) / f"smtp-tutor-baseline-{BASE}"
ROUNDS = 5
SMTP_SOURCE = shutil.which("smtp-source") or "/usr/sbin/smtp-source"
COMPLETION = """
import time, statistics
from smtp_tutor.protocol import ClientSession
from smtp_tutor.repl.completion import complete
s = ClientSession(); s.receive(b"220 hi\\r\\n"); s.send("EHLO x")
s.receive(b"250-hi\\r\\n250-PIPELINING\\r\\n250-SIZE 100\\r\\n250 8BITMIME\\r\\n")
cases = ["", "M", "MAIL FROM:<", "MAIL FROM:<a@b> S", "RC", "EH", ":r"]
for c in cases: complete(c, s)
times = []
for _ in range(400):
    for c in cases:
        t = time.perf_counter(); complete(c, s); times.append(time.perf_counter() - t)
print(statistics.median(times) * 1e6)
"""


def baseline() -> Path:
    """The venv python of the baseline checkout, built once."""
    python = BASE_DIR / ".venv" / "bin" / "python"
    if python.exists():
        return python
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--force", "--detach",
                    str(BASE_DIR), BASE], check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "venv", str(BASE_DIR / ".venv")], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "-e", str(BASE_DIR)], check=True)
    return python


def run_timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_rate(python: Path, senders: int, messages: int, home: Path) -> float:
    port = free_port()
    mail = home / f"mail-{port}"
    env = {**os.environ, "SMTP_TUTOR_HOME": str(home)}
    server = subprocess.Popen([str(python), "-m", "smtp_tutor", "serve", "--quiet", "--port",
                               str(port), "--mailbox-dir", str(mail)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    try:
        server.stdout.readline()
        start = time.perf_counter()
        subprocess.run([SMTP_SOURCE, "-s", str(senders), "-m", str(messages), "-M", "crepes.fr",
                        "-f", "alice@crepes.fr", "-t", "bob@hamburger.edu",
                        f"127.0.0.1:{port}"], check=True, capture_output=True, timeout=300)
        return messages / (time.perf_counter() - start)
    finally:
        server.send_signal(signal.SIGTERM)  # as Ctrl-C; SIGINT is ignored in `cmd &`
        server.wait(30)
        shutil.rmtree(mail, ignore_errors=True)


def main() -> int:
    before, after = baseline(), ROOT / ".venv" / "bin" / "python"
    pair = {"before": before, "after": after}
    print(f"before: {BASE} ({before}); after: this checkout; medians of {ROUNDS} interleaved "
          "rounds")
    figures: dict[str, dict[str, list[float]]] = {}

    def add(name: str, side: str, value: float) -> None:
        figures.setdefault(name, {"before": [], "after": []})[side].append(value)

    home = Path(tempfile.mkdtemp(prefix="smtp-tutor-bench-safety-"))
    try:
        for round_no in range(ROUNDS):
            order = ("before", "after") if round_no % 2 == 0 else ("after", "before")
            for side in order:
                python = pair[side]
                for _ in range(3):
                    add("--version (ms)", side, 1000 * run_timed([str(python), "-m", "smtp_tutor",
                                                                 "--version"]))
                    add("--help (ms)", side, 1000 * run_timed([str(python), "-m", "smtp_tutor",
                                                              "--help"]))
                out = subprocess.run([str(python), "-c", COMPLETION], capture_output=True,
                                     check=True)
                add("completion (µs/call)", side, float(out.stdout))
                add("server, 1 sender (msg/s)", side, server_rate(python, 1, 200, home))
                add("server, 20 senders (msg/s)", side, server_rate(python, 20, 1000, home))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    print(f"{'figure':<28} {'before':>10} {'after':>10} {'after/before':>13}")
    for name, sides in figures.items():
        b, a = statistics.median(sides["before"]), statistics.median(sides["after"])
        print(f"{name:<28} {b:>10.2f} {a:>10.2f} {a / b:>12.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
