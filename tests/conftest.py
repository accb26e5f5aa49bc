"""Fixtures that start real servers: the practice server and bare aiosmtpd in-process,
Postfix (a private instance) and smtp-sink from Debian's packages
(scripts/postfix-loopback.sh).

In CI (CI=true) a test whose tool is missing fails; elsewhere it is skipped with the
command that would provide it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"

# Every process the suite starts carries this mark in its environment, so the end of the
# session can find any that outlived it (tests/test_no_process_left.py explains).
# Under pytest-xdist a worker keeps the mark of the run that started it: the check is made
# once, by that run, after every worker has ended.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if WORKER and os.environ.get("SMTP_TUTOR_TEST_RUN"):
    RUN_MARK = os.environ["SMTP_TUTOR_TEST_RUN"]
else:
    RUN_MARK = f"smtp-tutor-tests-{os.getpid()}-{int(time.time())}"
os.environ["SMTP_TUTOR_TEST_RUN"] = RUN_MARK
# The programs under test are started hundreds of times: they keep their compiled
# bytecode (as they do for a user) even where the environment says not to write it.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False
# A suite started in the background inherits SIGINT ignored, and an ignored signal stays
# ignored in every child: Ctrl-C would no longer stop a `serve` a test started. A
# handler here is reset to the default in each child at exec.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _stop_as_if_interrupted(signum, frame):  # noqa: ANN001, ARG001 - a signal handler
    raise KeyboardInterrupt(f"signal {signum}")


# `kill` (SIGTERM) or a CI runner's timeout: stop as Ctrl-C does, so every fixture's
# teardown still runs and no server the suite started (a private Postfix) outlives it
if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
    signal.signal(signal.SIGTERM, _stop_as_if_interrupted)


def need(condition: bool, why: str) -> None:
    """Skip locally, fail in CI: a missing tool must never hide a missing feature there."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {why}")
    pytest.skip(why)


@pytest.fixture(scope="session", autouse=True)
def tutor_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("smtp-tutor-home")
    os.environ["SMTP_TUTOR_HOME"] = str(home)
    # the uid locks of the grader's sandbox: shared by every run on this machine and by
    # pytest-xdist's workers (two suites at once must not hand the same uid to two
    # programs and kill each other's), but not in /run, which belongs to the system
    os.environ.setdefault("SMTP_TUTOR_GRADE_LOCKS", os.path.join(tempfile.gettempdir(),
                                                                 "smtp-tutor-grade-locks"))
    os.environ["SMTP_TUTOR_CACHE"] = str(home / "cache")
    os.environ.pop("LANG", None)
    os.environ.pop("LC_ALL", None)
    os.environ.pop("LC_MESSAGES", None)
    # the width the programs under test see is the one each test gives them (pytest-xdist's
    # workers inherit COLUMNS=80 otherwise); without one, a pipe, as in CI
    os.environ.pop("COLUMNS", None)
    os.environ.pop("LINES", None)
    return home


class LoopThread:
    """An asyncio loop in a thread, so servers run while tests block on subprocesses."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine, timeout: float = 30):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@dataclass
class Practice:
    host: str
    port: int
    ca_path: Path
    mailbox_dir: Path
    running: object


@pytest.fixture(scope="session")
def loop_thread():
    thread = LoopThread()
    yield thread
    thread.stop()


@pytest.fixture
def practice_with(loop_thread, tmp_path):
    """``practice_with(limits=..., faults=..., watchers=[...])``: a practice server so set up."""
    from smtp_tutor.server.app import ServerConfig, start_server

    started = []

    def start(**settings) -> Practice:
        config = ServerConfig(port=0, mailbox_dir=tmp_path / "mail", **settings)
        running = loop_thread.run(start_server(config))
        started.append(running)
        return Practice(running.host, running.port, running.ca_path, tmp_path / "mail", running)

    yield start
    for running in started:
        loop_thread.run(running.stop())


@pytest.fixture
def practice(practice_with) -> Practice:
    """The practice server (hamburger.edu) on a free loopback port, its own Maildir root."""
    return practice_with()


@pytest.fixture
def bare_aiosmtpd(loop_thread):
    """aiosmtpd with its own default replies (no handler hooks): another real server."""
    from aiosmtpd.handlers import Sink
    from aiosmtpd.smtp import SMTP

    async def start():
        loop = asyncio.get_running_loop()
        return await loop.create_server(lambda: SMTP(Sink(), loop=loop), "127.0.0.1", 0)

    server = loop_thread.run(start())
    yield "127.0.0.1", server.sockets[0].getsockname()[1]
    loop_thread.loop.call_soon_threadsafe(server.close)


@pytest.fixture
def fake_server(loop_thread):
    """A scripted TCP peer for broken servers: ``fake_server(greeting_bytes, then_close)``."""
    servers = []

    def make(payload: bytes, *, close: bool = False, reply_to_each: bytes = b""):
        async def handle(reader, writer):
            writer.write(payload)
            await writer.drain()
            if close:
                writer.close()
                return
            while True:
                line = await reader.readline()
                if not line:
                    break
                if reply_to_each:
                    writer.write(reply_to_each)
                    await writer.drain()

        async def start():
            return await asyncio.start_server(handle, "127.0.0.1", 0)

        server = loop_thread.run(start())
        servers.append(server)
        return "127.0.0.1", server.sockets[0].getsockname()[1]

    yield make
    for server in servers:
        loop_thread.loop.call_soon_threadsafe(server.close)


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Under pytest-xdist one private Postfix serves every worker of the run (each started its
# own before: about 1 s of CPU and 2.5 s of waiting, six times): the first worker that
# needs it starts it, under a lock, in the run's folder (``_make_run_folder``), and the run
# stops it once they have all ended (``pytest_sessionfinish``).
SHARED_DIR = os.environ.get("SMTP_TUTOR_SHARED_DIR", "") if WORKER else ""
POSTFIX_SCRIPT = ROOT / "scripts" / "postfix-loopback.sh"


def _start_postfix(folder: str) -> tuple[int, int, str]:
    """A private Postfix and smtp-sink in ``folder`` on two free ports: (port, sink port,
    what went wrong or "")."""
    port, sink_port = _free_port(), _free_port()
    while sink_port == port:
        sink_port = _free_port()
    os.chmod(folder, 0o755)  # the postfix user walks into its queue
    env = {**os.environ, "SMTP_TUTOR_POSTFIX_PORT": str(port),
           "SMTP_TUTOR_SINK_PORT": str(sink_port)}
    started = subprocess.run(["bash", str(POSTFIX_SCRIPT), "start", folder],
                             capture_output=True, text=True, timeout=120, env=env)
    if started.returncode == 0 and _port_open(port):
        return port, sink_port, ""
    return port, sink_port, f"Postfix on 127.0.0.1:{port}: {started.stderr.strip()[-300:]}"


def _stop_postfix(folder: str) -> None:
    subprocess.run(["bash", str(POSTFIX_SCRIPT), "stop", folder], capture_output=True,
                   timeout=120)
    shutil.rmtree(folder, ignore_errors=True)


def _shared_postfix() -> tuple[int, int, str]:
    """The run's one Postfix, started by whichever worker asks first."""
    import fcntl
    import json

    record = Path(SHARED_DIR) / "postfix.json"
    with open(Path(SHARED_DIR) / "postfix.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            folder = str(Path(SHARED_DIR) / "postfix")
            os.mkdir(folder)
            port, sink_port, error = _start_postfix(folder)
            record.write_text(json.dumps([port, sink_port, error]))
        port, sink_port, error = json.loads(record.read_text())
    return port, sink_port, error


@pytest.fixture(scope="session")
def _postfix_ports():
    """Postfix 3.7 from Debian and smtp-sink beside it: a private instance (its own
    configuration, queue and virtual mailboxes in a temporary folder, on free loopback
    ports) started here, or by the first worker of a parallel run that needs it, and
    stopped at the end (scripts/postfix-loopback.sh). The machine's own Postfix is
    neither read nor changed. With SMTP_TUTOR_POSTFIX_PORT set to a port where a server
    already listens (a developer's own), that server is used as it is."""
    chosen = os.environ.get("SMTP_TUTOR_POSTFIX_PORT")
    sink = os.environ.get("SMTP_TUTOR_SINK_PORT")
    if chosen and _port_open(int(chosen)):
        yield int(chosen), int(sink or 10026)
        return
    need(shutil.which("postfix") is not None and shutil.which("smtp-sink") is not None,
         "Postfix and smtp-sink: apt-get install postfix")
    need(os.geteuid() == 0, "a private Postfix instance needs root (its daemons change uid)")
    if SHARED_DIR:
        port, sink_port, error = _shared_postfix()
        need(not error, error)
        yield port, sink_port
        return
    folder = tempfile.mkdtemp(prefix="smtp-tutor-postfix-")
    try:
        port, sink_port, error = _start_postfix(folder)
        need(not error, error)
        yield port, sink_port
    finally:
        _stop_postfix(folder)


@pytest.fixture(scope="session")
def postfix(_postfix_ports) -> tuple[str, int]:
    """Postfix on 127.0.0.1, a private instance (see ``_postfix_ports``): (host, port)."""
    return "127.0.0.1", _postfix_ports[0]


@pytest.fixture(scope="session")
def smtp_sink(_postfix_ports) -> tuple[str, int]:
    port = _postfix_ports[1]
    need(_port_open(port), f"smtp-sink on 127.0.0.1:{port} (started with Postfix by "
         "scripts/postfix-loopback.sh)")
    return "127.0.0.1", port


@pytest.fixture(scope="session")
def swaks() -> str:
    path = shutil.which("swaks")
    need(path is not None, "swaks: sudo apt-get install swaks")
    return path


def tutor_command() -> list[str]:
    """The installed entry point of the venv running the tests."""
    script = Path(sys.executable).with_name("smtp-tutor")
    return [str(script)] if script.exists() else [sys.executable, "-m", "smtp_tutor"]


def spawn_pty(command: str, args: list[str], **options):
    """``pexpect.spawn``, without its 50 ms pause before every write (meant for programs
    that lose what is typed before they turn echo off; the programs here read a raw
    terminal, and the tests wait for the screen before they type)."""
    import pexpect

    child = pexpect.spawn(command, args, **options)
    child.delaybeforesend = None
    return child


def wait_raw(child, timeout: float = 15) -> None:
    """Until the program reads its terminal in raw mode (a key at a time, no echo): the
    terminal's own settings, read from pexpect's end of the pty. A program that writes
    "press any key" and then turns raw mode on would get a key typed in between as
    a line, echoed."""
    import termios

    deadline = time.monotonic() + timeout
    while termios.tcgetattr(child.child_fd)[3] & termios.ICANON:
        if time.monotonic() > deadline:
            raise AssertionError("the program never read its terminal in raw mode")
        time.sleep(0.005)


def run_tutor(*args: str, stdin: bytes = b"", env: dict | None = None,
              timeout: float = 60) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([*tutor_command(), *args], input=stdin, capture_output=True,
                          env=full_env, timeout=timeout)


_HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE, signal.SIGWINCH)


def tutor_in_process(*args: str, stdin: bytes = b"",
                     env: dict | None = None) -> subprocess.CompletedProcess:
    """``run_tutor`` without a new Python: ``smtp_tutor.cli.main(args)`` in this process,
    its standard streams real files (not terminals, as a pipe is) and ``env`` laid over
    the environment for the call. For tests of what a command prints, where starting the
    program is not what is tested (a start costs ~0.1 s of CPU; the suite made ~1500);
    tests of the entry point itself, of imports, terminals and signals keep ``run_tutor``."""
    from smtp_tutor.cli import main

    saved_env = dict(os.environ)
    saved = sys.stdin, sys.stdout, sys.stderr, sys.argv
    handlers = {number: signal.getsignal(number) for number in _HANDLED}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.TemporaryFile() as given:
        given.write(stdin)
        given.seek(0)
        with open(given.fileno(), encoding="utf-8", errors="surrogateescape",
                  closefd=False) as sys.stdin, \
                open(out.fileno(), "w", encoding="utf-8", closefd=False) as sys.stdout, \
                open(err.fileno(), "w", encoding="utf-8", errors="backslashreplace",
                     closefd=False) as sys.stderr:
            os.environ.update(env or {})
            sys.argv = ["smtp-tutor", *args]
            try:
                code = main(list(args))
            except SystemExit as stop:  # argparse's errors and --help
                code = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                sys.stdin, sys.stdout, sys.stderr, sys.argv = saved
                os.environ.clear()
                os.environ.update(saved_env)
                for number, handler in handlers.items():
                    signal.signal(number, handler)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(["smtp-tutor", *args], code, out.read(), err.read())


# The course material's session, in its own S:/C: notation (the text, verbatim).
TEXTBOOK_TRANSCRIPT = """\
S: 220 hamburger.edu
C: HELO crepes.fr
S: 250 Hello crepes.fr, pleased to meet you
C: MAIL FROM: <alice@crepes.fr>
S: 250 alice@crepes.fr ... Sender ok
C: RCPT TO: <bob@hamburger.edu>
S: 250 bob@hamburger.edu ... Recipient ok
C: DATA
S: 354 Enter mail, end with "." on a line by itself
C: Do you like ketchup?
C: How about pickles?
C: .
S: 250 Message accepted for delivery
C: QUIT
S: 221 hamburger.edu closing connection
"""

TEXTBOOK = (
    b"HELO crepes.fr\nMAIL FROM: <alice@crepes.fr>\nRCPT TO: <bob@hamburger.edu>\nDATA\n"
    b"Do you like ketchup?\nHow about pickles?\n.\nQUIT\n"
)


@pytest.fixture
def dribbling_server():
    """A loopback server that sends a greeting one byte every 0.1 s: (host, port)."""
    import time

    listener = socket.create_server(("127.0.0.1", 0))

    def dribble() -> None:
        conn, _ = listener.accept()
        try:
            for byte in b"220 slowly, one byte at a time, for ever and ever and ever":
                conn.send(bytes([byte]))
                time.sleep(0.1)
        except OSError:
            pass
        finally:
            conn.close()

    threading.Thread(target=dribble, daemon=True).start()
    yield "127.0.0.1", listener.getsockname()[1]
    listener.close()


def marked_processes() -> list[tuple[int, str]]:
    """Live processes (not this one) whose environment carries this session's mark."""
    needle = f"SMTP_TUTOR_TEST_RUN={RUN_MARK}".encode()
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdecimal() or int(entry.name) == os.getpid():
            continue
        try:
            with open(f"{entry.path}/environ", "rb") as handle:
                if needle not in handle.read().split(b"\0"):
                    continue
            with open(f"{entry.path}/stat", "rb") as handle:
                stat = handle.read()
            if stat[stat.rindex(b")") + 2:][:1] in (b"Z", b"X"):
                continue
            with open(f"{entry.path}/cmdline", "rb") as handle:
                command = handle.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        found.append((int(entry.name), command.strip()[:120]))
    return found


@pytest.hookimpl(trylast=True)  # after pytest-xdist has stopped its workers
def pytest_sessionfinish(session, exitstatus) -> None:
    """The run leaves the machine as it found it, checked once by the run that started the
    workers (with pytest-xdist), after they have all ended: the shared Postfix is stopped;
    a process any test left is named, stopped and fails the run; so does a file or folder
    left in the run's temporary folder; then that folder goes."""
    if WORKER:
        return
    run = os.environ.get("SMTP_TUTOR_SHARED_DIR", "")
    if run and (Path(run) / "postfix.json").exists():
        _stop_postfix(str(Path(run) / "postfix"))
    if sys.platform.startswith("linux"):
        _stop_processes_left(session)
    if run and os.path.isdir(run):
        left = sorted(entry.name for entry in os.scandir(Path(run) / "tmp")
                      if not entry.name.startswith("pytest-of-"))
        if left:
            session.exitstatus = 1
            sys.stderr.write("\nleft in the temporary folder by the tests (now removed):\n"
                             + "".join(f"  {name}\n" for name in left))
        shutil.rmtree(run, ignore_errors=True)


def _stop_processes_left(session) -> None:
    """What is left after a grace period is named, stopped (SIGTERM, then SIGKILL), and
    fails the run."""
    deadline = time.monotonic() + 5
    left = marked_processes()
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = marked_processes()
    if not left:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid, _ in left:
            with contextlib.suppress(OSError):
                os.kill(pid, sig)
        time.sleep(1)
    session.exitstatus = 1
    names = "\n".join(f"  {pid}: {command}" for pid, command in left)
    sys.stderr.write(f"\nprocesses left running by the tests (now stopped):\n{names}\n")


def _make_run_folder() -> None:
    """The run's own folder: its ``tmp`` is $TMPDIR for every test, worker and program the
    run starts (so what one of them leaves is seen, and is the run's own: two runs at once
    never see each other's), and pytest-xdist's workers share one Postfix there."""
    run = tempfile.mkdtemp(prefix="smtp-tutor-run-")
    os.chmod(run, 0o755)  # the postfix user, Dovecot's and the sandbox's uids walk through it
    temp = os.path.join(run, "tmp")
    os.mkdir(temp)
    os.chmod(temp, 0o1777)  # as /tmp
    # the grader's uid locks stay where every run on this machine sees them (tutor_home)
    os.environ.setdefault("SMTP_TUTOR_GRADE_LOCKS",
                          os.path.join(tempfile.gettempdir(), "smtp-tutor-grade-locks"))
    os.environ["SMTP_TUTOR_SHARED_DIR"] = run
    os.environ["TMPDIR"] = temp
    tempfile.tempdir = None  # read again from $TMPDIR


def pytest_configure(config) -> None:
    """In the run, not in a pytest-xdist worker, before any test or worker starts: the
    run's folder (``_make_run_folder``); and for the whole suite in parallel, compile the
    package and rewrite the test modules once, into their ``__pycache__``, so the workers
    load them instead of each compiling all of them (a fresh clone's first run paid that
    eight times: about 20 s of CPU on 2 cores)."""
    if hasattr(config, "workerinput"):
        return
    _make_run_folder()
    if not getattr(config.option, "numprocesses", None):
        return
    if list(config.args) != [str(ROOT / path) for path in config.getini("testpaths")] and \
            list(config.args) != list(config.getini("testpaths")):
        return  # a chosen subset: its workers compile only what it needs
    import compileall
    import importlib

    compileall.compile_dir(str(ROOT / "smtp_tutor"), quiet=1)
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        with contextlib.suppress(Exception):  # a module that cannot import fails in its worker
            importlib.import_module(name)
