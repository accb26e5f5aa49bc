#!/usr/bin/env python3
"""Load benchmark of the practice server, next to a bare aiosmtpd measured in the same run.

Postfix's smtp-source (the standard SMTP load generator) sends messages to bob@hamburger.edu
at 1, 20 and 100 concurrent sessions.  Each server runs in its own process:

  bare      aiosmtpd's SMTP with a no-op handler (DATA answers 250, nothing is stored)
  practice  the practice server as `smtp-tutor serve --quiet` runs it: every message
            written to a Maildir and fsync'ed (file and directory) before its 250

Rounds are interleaved (bare, practice, practice, bare, ...) and figures are medians: this
machine's speed drifts.  "slowest session" is the longest connection the server saw
(connect to close).  Target: practice >= 70% of bare's messages per second.
Then 200 idle connections are held open while smtp-source sends: none may fail.

Run with the venv's python: .venv/bin/python scripts/bench_server.py [--quick]
"""

from __future__ import annotations

import json
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

QUICK = "--quick" in sys.argv
ROUNDS = 1 if QUICK else 3
LOADS = {1: 100, 20: 600, 100: 1500} if QUICK else {1: 300, 20: 2000, 100: 4000}
IDLE = 200
TARGET = 0.70
SMTP_SOURCE = shutil.which("smtp-source") or (
    "/usr/sbin/smtp-source" if os.path.exists("/usr/sbin/smtp-source") else None)


# -- the server side (this script, run again as a child) ----------------------------

def serve(kind: str, port: int, stats_path: str, mailbox_dir: str) -> None:
    import asyncio

    from aiosmtpd.smtp import SMTP

    opened: dict[int, float] = {}
    durations: list[float] = []
    made, lost = SMTP.connection_made, SMTP.connection_lost

    def timed_made(self, transport):  # noqa: ANN001, ANN202 - the same probe on both servers
        if id(self) not in opened:
            opened[id(self)] = time.monotonic()
        return made(self, transport)

    def timed_lost(self, error):  # noqa: ANN001, ANN202
        start = opened.pop(id(self), None)
        if start is not None:
            durations.append(time.monotonic() - start)
        return lost(self, error)

    SMTP.connection_made, SMTP.connection_lost = timed_made, timed_lost

    class NoOp:
        async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001
            return "250 OK"

    async def main() -> None:
        loop = asyncio.get_running_loop()
        if kind == "bare":
            server = await loop.create_server(lambda: SMTP(NoOp(), loop=loop), "127.0.0.1", port,
                                              backlog=1024)
        else:
            from smtp_tutor.server.app import ServerConfig, start_server

            running = await start_server(ServerConfig(port=port, mailbox_dir=Path(mailbox_dir)))
            server = running.server
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        print("ready", flush=True)
        await stop.wait()
        server.close()
        Path(stats_path).write_text(json.dumps(durations))

    asyncio.run(main())


# -- the driver ---------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, kind: str, workdir: Path) -> None:
        self.kind = kind
        self.port = free_port()
        self.stats = workdir / f"{kind}-{self.port}.json"
        self.mail = workdir / f"mail-{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", kind, str(self.port), str(self.stats),
             str(self.mail)], stdout=subprocess.PIPE, env={**os.environ, "SMTP_TUTOR_HOME":
                                                            str(workdir / "home")})
        if self.process.stdout.readline().strip() != b"ready":
            raise SystemExit(f"the {kind} server did not start")

    def stop(self) -> list[float]:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(30)
        return json.loads(self.stats.read_text())

    def delivered(self) -> int:
        box = self.mail / "bob" / "new"
        return len(list(box.iterdir())) if box.is_dir() else 0


def send(port: int, sessions: int, messages: int) -> float:
    command = [SMTP_SOURCE, "-s", str(sessions), "-m", str(messages), "-M", "crepes.fr",
               "-f", "alice@crepes.fr", "-t", "bob@hamburger.edu", f"127.0.0.1:{port}"]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, timeout=600)
    elapsed = time.perf_counter() - start
    problems = result.stderr.decode(errors="replace")
    if result.returncode != 0 or "warning" in problems or "fatal" in problems:
        raise SystemExit(f"smtp-source failed: {problems[-500:]}")
    return elapsed


def load_figures(workdir: Path) -> bool:
    print(f"load: smtp-source, messages per second and slowest session; medians of {ROUNDS} "
          "interleaved rounds")
    print(f"{'senders':>8} {'messages':>8} | {'bare msg/s':>10} {'slowest':>8} | "
          f"{'practice msg/s':>14} {'slowest':>8} | {'ratio':>6}")
    met = True
    for sessions, messages in LOADS.items():
        rates: dict[str, list[float]] = {"bare": [], "practice": []}
        slowest: dict[str, list[float]] = {"bare": [], "practice": []}
        for round_no in range(ROUNDS):
            order = ("bare", "practice") if round_no % 2 == 0 else ("practice", "bare")
            for kind in order:
                server = Server(kind, workdir)
                try:
                    elapsed = send(server.port, sessions, messages)
                finally:
                    durations = server.stop()
                if kind == "practice" and server.delivered() != messages:
                    raise SystemExit(f"practice server stored {server.delivered()} of {messages}")
                rates[kind].append(messages / elapsed)
                slowest[kind].append(max(durations))
                shutil.rmtree(server.mail, ignore_errors=True)
        bare, practice = statistics.median(rates["bare"]), statistics.median(rates["practice"])
        ratio = practice / bare
        met &= ratio >= TARGET
        print(f"{sessions:>8} {messages:>8} | {bare:>10.0f} "
              f"{statistics.median(slowest['bare']) * 1000:>6.0f}ms | {practice:>14.0f} "
              f"{statistics.median(slowest['practice']) * 1000:>6.0f}ms | {ratio:>5.2f}x"
              f"{'' if ratio >= TARGET else '  MISSED'}")
    print(f"target: practice >= {TARGET:.2f}x bare at every load (fsync per message)")
    return met


def idle_figures(workdir: Path) -> bool:
    server = Server("practice", workdir)
    idle: list[socket.socket] = []
    try:
        for _ in range(IDLE):
            connection = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            idle.append(connection)
        greeted = sum(c.recv(1000).startswith(b"220 ") for c in idle)
        messages = 500
        elapsed = send(server.port, 20, messages)
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as late:
            late_ok = late.recv(1000).startswith(b"220 ")
        still_open = 0
        for connection in idle:
            connection.sendall(b"NOOP\r\n")
            still_open += connection.recv(1000).startswith(b"250")
    finally:
        for connection in idle:
            connection.close()
        server.stop()
    stored = server.delivered()
    ok = greeted == IDLE and stored == messages and late_ok and still_open == IDLE
    print(f"idle: {greeted}/{IDLE} idle connections greeted; meanwhile 20 senders stored "
          f"{stored}/{messages} messages ({messages / elapsed:.0f} msg/s); a new connection "
          f"{'got 220' if late_ok else 'FAILED'}; {still_open}/{IDLE} idle ones still answer"
          f"{'' if ok else '  MISSED'}")
    return ok


def main() -> int:
    if "--serve" in sys.argv:
        kind, port, stats, mail = sys.argv[sys.argv.index("--serve") + 1:][:4]
        serve(kind, int(port), stats, mail)
        return 0
    if SMTP_SOURCE is None:
        raise SystemExit("smtp-source not found: sudo apt-get install postfix")
    workdir = Path(tempfile.mkdtemp(prefix="smtp-tutor-bench-", dir=os.path.expanduser("~")))
    try:
        met = load_figures(workdir)
        met &= idle_figures(workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
