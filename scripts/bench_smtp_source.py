#!/usr/bin/env python3
"""The second load harness: both servers as a user runs them, one process each for the
whole run, driven by Postfix's smtp-source in interleaved rounds.

scripts/bench_server.py starts a fresh server child for every measurement.  Here, as an
outside reviewer measured it, each server runs once for the whole bench and keeps every
message it stored (nothing is deleted until the end), so the later rounds pay for full
directories and a warm (or tired) process:

  practice  `smtp-tutor serve --quiet` through the venv's installed entry point
  postfix   a private Postfix started here with scripts/postfix-loopback.sh (its own
            configuration, queue and ports; stopped at the end; needs root)

Loads: 1, 20 and 100 concurrent smtp-source sessions; rounds alternate which server goes
first; figures are medians.  Required: practice >= 1.0x Postfix at every load; goal:
>= 1.3x for a lone sender.

Run: sudo .venv/bin/python scripts/bench_smtp_source.py [--quick]
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_server import SMTP_SOURCE, free_port, on_tmpfs, send  # noqa: E402

QUICK = "--quick" in sys.argv
ROUNDS = 2 if QUICK else 5
LOADS = {1: 200, 20: 1000, 100: 2000} if QUICK else {1: 500, 20: 3000, 100: 5000}
REQUIRED, GOAL = 1.0, 1.3
ROOT = Path(__file__).resolve().parent.parent
ENTRY = Path(sys.executable).parent / "smtp-tutor"


def wait_for(port: int, deadline: float = 30) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"nothing listens on port {port}")


class Practice:
    kind = "practice"

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.mail = workdir / "mail-practice"
        self.process = subprocess.Popen(
            [str(ENTRY), "serve", "--quiet", "--port", str(self.port),
             "--mailbox-dir", str(self.mail)],
            env={**os.environ, "SMTP_TUTOR_HOME": str(workdir / "home")},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.port)

    def stored(self) -> int:
        box = self.mail / "bob" / "new"
        return len(os.listdir(box)) if box.is_dir() else 0

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Postfix:
    kind = "postfix"

    def __init__(self, workdir: Path) -> None:
        self.folder = workdir / "postfix"
        self.port = free_port()
        self.env = {**os.environ, "SMTP_TUTOR_POSTFIX_PORT": str(self.port),
                    "SMTP_TUTOR_SINK_PORT": str(free_port())}
        subprocess.run(["bash", str(ROOT / "scripts" / "postfix-loopback.sh"), "start",
                        str(self.folder)], env=self.env, check=True, capture_output=True)
        wait_for(self.port)

    def stop(self) -> None:
        subprocess.run(["bash", str(ROOT / "scripts" / "postfix-loopback.sh"), "stop",
                        str(self.folder)], env=self.env, capture_output=True)


def main() -> int:
    if SMTP_SOURCE is None or shutil.which("postfix") is None:
        raise SystemExit("smtp-source and postfix are needed: sudo apt-get install postfix")
    if os.geteuid() != 0:
        raise SystemExit("run as root: the private Postfix instance needs it")
    if not ENTRY.exists():
        raise SystemExit(f"{ENTRY} not found: run with the venv's python after pip install")
    base = Path(os.environ.get("SMTP_TUTOR_BENCH_DIR", "/var/tmp"))
    if on_tmpfs(base):
        raise SystemExit(f"{base} is in memory: set SMTP_TUTOR_BENCH_DIR to a disk folder")
    workdir = Path(tempfile.mkdtemp(prefix="smtp-tutor-bench2-", dir=base))
    os.chmod(workdir, 0o755)  # the postfix user walks into its queue
    servers: list = []
    try:
        servers = [Practice(workdir), Postfix(workdir)]
        print(f"load: smtp-source, messages per second; one process per server for the "
              f"whole run, mail kept; medians of {ROUNDS} interleaved rounds")
        print(f"{'senders':>8} {'messages':>8} | {'practice':>9} {'postfix':>9} | ratio")
        met, goal = True, True
        sent = 0
        for sessions, messages in LOADS.items():
            rates: dict[str, list[float]] = {"practice": [], "postfix": []}
            for round_no in range(ROUNDS):
                for server in servers if round_no % 2 == 0 else servers[::-1]:
                    rates[server.kind].append(messages / send(server.port, sessions,
                                                              messages))
                    sent += messages if server.kind == "practice" else 0
            practice = statistics.median(rates["practice"])
            postfix = statistics.median(rates["postfix"])
            ratio = practice / postfix
            met &= ratio >= REQUIRED
            if sessions == 1:
                goal = ratio >= GOAL
            print(f"{sessions:>8} {messages:>8} | {practice:>9.0f} {postfix:>9.0f} | "
                  f"{ratio:.2f}x{'' if ratio >= REQUIRED else '  MISSED'}")
        stored = servers[0].stored()
        print(f"practice stored {stored} of {sent} messages, every one fsync'ed before "
              f"its 250; required >= {REQUIRED:.1f}x at every load: "
              f"{'met' if met else 'MISSED'}; goal >= {GOAL:.1f}x for a lone sender: "
              f"{'met' if goal else 'missed'}")
        return 0 if met and stored == sent else 1
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
