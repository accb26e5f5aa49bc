#!/usr/bin/env python3
"""Load benchmark of the practice server, next to its peers measured in the same run.

Postfix's smtp-source (the standard SMTP load generator) sends messages to bob@hamburger.edu
at 1, 20 and 100 concurrent sessions.  The servers:

  practice  the practice server as `smtp-tutor serve --quiet` runs it: every message
            written to a Maildir and fsync'ed (file and directory) before its 250
  postfix   Postfix from Debian, a private instance on 127.0.0.1:10025 started first with
            `sudo bash scripts/postfix-loopback.sh start /var/tmp/smtp-tutor-postfix` (and
            stopped after with `... stop /var/tmp/smtp-tutor-postfix`): its queue file is
            fsync'ed before the 250 (when it is running)
  fsync     aiosmtpd with a naive durable handler: mailbox.Maildir.add, then fsync of the
            file and of new/, in the event loop
  bare      aiosmtpd with a no-op handler (nothing stored): the no-durability ceiling

Rounds are interleaved (the order rotates each round) and figures are medians: this
machine's speed drifts.  Target: practice >= 1.0x Postfix at every load.
The mail directories are under /var/tmp (on disk on every distribution; /tmp may be
in memory, where fsync costs nothing), or $SMTP_TUTOR_BENCH_DIR.  What creating a file
costs there is printed first: see Server and creation_cost.
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
TARGET = 1.0  # practice / postfix
POSTFIX_PORT = int(os.environ.get("SMTP_TUTOR_POSTFIX_PORT", "10025"))
SMTP_SOURCE = shutil.which("smtp-source") or (
    "/usr/sbin/smtp-source" if os.path.exists("/usr/sbin/smtp-source") else None)


# -- the server side (this script, run again as a child) ----------------------------

def serve(kind: str, port: int, stats_path: str, mailbox_dir: str) -> None:
    import asyncio

    from aiosmtpd.smtp import SMTP

    from smtp_tutor.server.connection import PracticeConnection

    opened: dict[int, float] = {}
    durations: list[float] = []
    probed = PracticeConnection if kind == "practice" else SMTP
    made, lost = probed.connection_made, probed.connection_lost

    def timed_made(self, transport):  # noqa: ANN001, ANN202 - the same probe on both servers
        if id(self) not in opened:
            opened[id(self)] = time.monotonic()
        return made(self, transport)

    def timed_lost(self, error):  # noqa: ANN001, ANN202
        start = opened.pop(id(self), None)
        if start is not None:
            durations.append(time.monotonic() - start)
        return lost(self, error)

    probed.connection_made, probed.connection_lost = timed_made, timed_lost

    class NoOp:
        async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001
            return "250 OK"

    class NaiveFsync:
        """What a tutorial's durable aiosmtpd handler does: Maildir.add, then fsyncs."""

        def __init__(self) -> None:
            import mailbox

            os.makedirs(mailbox_dir, exist_ok=True)
            self.box = mailbox.Maildir(os.path.join(mailbox_dir, "bob"), create=True)

        async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001
            key = self.box.add(envelope.original_content)
            path = os.path.join(self.box._path, "new", key)  # noqa: SLF001
            for target in (path, os.path.dirname(path)):
                fd = os.open(target, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            return "250 OK"

    async def main() -> None:
        loop = asyncio.get_running_loop()
        if kind in ("bare", "fsync"):
            handler = NoOp() if kind == "bare" else NaiveFsync()
            server = await loop.create_server(lambda: SMTP(handler, loop=loop), "127.0.0.1",
                                              port, backlog=1024)
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


def postfix_running() -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", POSTFIX_PORT)) == 0


class Postfix:
    """The Postfix already listening on loopback (it is not started or stopped here)."""

    kind = "postfix"
    port = POSTFIX_PORT

    def stop(self) -> list[float]:
        return []

    def delivered(self) -> int:
        return -1


class Server:
    """One server in a child process.  Each kind keeps its own mail directory for the whole
    bench and nothing is deleted until the end: on ext4 an inode freed in the last ~30 s
    is skipped when a file is created (recently_deleted(), in no-journal mode), so
    deleting one run's messages would slow the next run's creations (measured: 17 us
    per file became up to 1 ms)."""

    def __init__(self, kind: str, workdir: Path, *, label: str | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.kind = kind
        self.port = free_port()
        self.stats = workdir / f"{kind}-{self.port}.json"
        self.mail = workdir / f"mail-{label or kind}"
        self.before = self._count()
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", kind, str(self.port), str(self.stats),
             str(self.mail)], stdout=subprocess.PIPE,
            env={**os.environ, "SMTP_TUTOR_HOME": str(workdir / "home"), **(env or {})})
        if self.process.stdout.readline().strip() != b"ready":
            raise SystemExit(f"the {kind} server did not start")

    def stop(self) -> list[float]:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(30)
        return json.loads(self.stats.read_text())

    def _count(self) -> int:
        box = self.mail / "bob" / "new"
        return len(os.listdir(box)) if box.is_dir() else 0

    def delivered(self) -> int:
        """Messages stored by this run."""
        return self._count() - self.before


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


def on_tmpfs(path: Path) -> bool:
    mounts = [line.split() for line in Path("/proc/mounts").read_text().splitlines()]
    best = max((m for m in mounts if str(path).startswith(m[1].rstrip("/") + "/")),
               key=lambda m: len(m[1]), default=None)
    return best is not None and best[2] in ("tmpfs", "ramfs")


def creation_cost(directory: Path, aside: Path, files: int = 300) -> float:
    """Microseconds to create an empty file in ``directory`` (the files are then moved to
    ``aside``, not deleted: see Server).  On ext4 this is kernel CPU that depends on the
    file system's recent history: 17 us to 1 ms was measured in fresh directories of this
    VM's one disk.  It is printed, since every server here pays it once per message."""
    directory.mkdir(parents=True, exist_ok=True)
    aside.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for number in range(files):
        os.close(os.open(directory / f"probe{number}", os.O_WRONLY | os.O_CREAT | os.O_EXCL))
    elapsed = time.perf_counter() - start
    for number in range(files):
        os.rename(directory / f"probe{number}", aside / f"probe{number}")
    return elapsed / files * 1e6


def load_figures(workdir: Path) -> bool:
    kinds = ["practice", "postfix", "fsync", "bare"] if postfix_running() else \
        ["practice", "fsync", "bare"]
    print(f"load: smtp-source, messages per second; medians of {ROUNDS} interleaved rounds")
    print(f"{'senders':>8} {'messages':>8} | " + " ".join(f"{k:>9}" for k in kinds)
          + " | practice/postfix  practice/fsync")
    met = True
    for sessions, messages in LOADS.items():
        rates: dict[str, list[float]] = {kind: [] for kind in kinds}
        for round_no in range(ROUNDS):
            order = kinds[round_no % len(kinds):] + kinds[:round_no % len(kinds)]
            for kind in order:
                server = Postfix() if kind == "postfix" else Server(kind, workdir)
                try:
                    elapsed = send(server.port, sessions, messages)
                finally:
                    server.stop()
                stored = server.delivered()
                if kind == "practice" and stored != messages:
                    raise SystemExit(f"practice server stored {stored} of {messages}")
                rates[kind].append(messages / elapsed)
        median = {kind: statistics.median(values) for kind, values in rates.items()}
        line = f"{sessions:>8} {messages:>8} | " + " ".join(f"{median[k]:>9.0f}" for k in kinds)
        versus_postfix = median["practice"] / median["postfix"] if "postfix" in median else None
        versus_fsync = median["practice"] / median["fsync"]
        if versus_postfix is not None:
            met &= versus_postfix >= TARGET
            line += f" | {versus_postfix:>15.2f}x"
            line += "" if versus_postfix >= TARGET else " MISSED"
        else:
            line += " |     (no postfix)"
        print(line + f"  {versus_fsync:>13.2f}x")
    print(f"target: practice >= {TARGET:.1f}x Postfix at every load, every message fsync'ed "
          "before its 250; bare aiosmtpd stores nothing (the ceiling)")
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
    base = Path(os.environ.get("SMTP_TUTOR_BENCH_DIR", "/var/tmp"))
    if on_tmpfs(base):
        raise SystemExit(f"{base} is in memory (tmpfs), where fsync costs nothing: "
                         "set SMTP_TUTOR_BENCH_DIR to a directory on disk")
    workdir = Path(tempfile.mkdtemp(prefix="smtp-tutor-bench-", dir=base))
    try:
        tmp, aside = workdir / "mail-practice" / "bob" / "tmp", workdir / "probes"
        print(f"in {workdir}: creating a file in the practice server's tmp/ costs "
              f"{creation_cost(tmp, aside):.0f} us")
        met = load_figures(workdir)
        met &= idle_figures(workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
