"""Where the program under test runs: a sandbox at one of three named levels.

A submission is a stranger: it may fork, hide, read what it can reach and signal what
it can see.  The levels, strongest first (``probe()`` picks the best the host gives):

- ``full``: bubblewrap gives the run its own user, PID, mount, IPC, UTS and network
  namespaces.  It sees the system's read-only folders, its own submission (read-only)
  and a size-limited scratch folder; its network has only its own loopback, where the
  scenario's practice server listens (the sockets are bound inside by ``nsenter`` and
  handed to the grader over SCM_RIGHTS).  When its first process ends, the kernel kills
  every other process of the PID namespace: nothing it started outlives the run.  A
  root grader first drops to an unused uid (``setpriv``), so files readable only by
  root stay unreadable.
- ``uid``: a root grader where namespaces are refused (Docker's default seccomp
  profile): the run gets an unused uid, and every process of that uid is killed until
  none is left.  The network is the host's; runs go one at a time.
- ``weak``: the grader's own uid (a laptop, macOS): a process group and limits, and the
  report says so.

The limits (processes, file size, CPU time, address space per process, scratch size)
are rlimits and a tmpfs; ``Isolation.held()`` says which of them the level enforces.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

LEVELS = ("weak", "uid", "full")  # weakest first: a level's index is its strength
HARD_CODED_PORTS = (25, 587, 1025, 2525)  # what handouts and skeletons write in the code
SANDBOX_PATH = "/usr/local/bin:/usr/bin:/bin"
SCRATCH = "/scratch"  # the run's working folder inside a ``full`` sandbox
SUBMISSION = "/submission"  # where its own files are, read-only, inside ``full``
SYSTEM_DIRS = ("/usr", "/etc", "/opt")  # mounted read-only
ROOT_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
FIRST_UID = 3_900_000  # the uids runs get: far above any account's
STAGE_LIMIT = 64 * 1024 * 1024  # a submission larger than this is refused
PASSED_ENV = ("LANG", "LC_ALL", "LC_CTYPE", "TZ")
POLL_SECONDS = 0.005  # how often the program's end is looked for


_ERROR_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)\b")


class SandboxError(RuntimeError):
    """The sandbox could not be set up (a message for the report, with a hint)."""


@dataclass(frozen=True)
class RunLimits:
    seconds: float = 10.0
    memory_mb: int = 512  # RLIMIT_AS per process; 0: none
    processes: int = 64  # RLIMIT_NPROC for the run's uid
    file_mb: int = 16  # RLIMIT_FSIZE: the largest file it may write
    cpu_seconds: int = 0  # RLIMIT_CPU; 0: the wall-clock limit, rounded up
    scratch_mb: int = 64  # the size of its scratch folder (``full`` only)
    output_kb: int = 64  # stdout and stderr kept


@dataclass(frozen=True)
class Isolation:
    level: str
    why: str = ""  # why not a stronger level
    root: bool = False

    def held(self, limits: RunLimits) -> list[tuple[str, str, bool]]:
        """(limit, value, enforced at this level) for the report."""
        cpu = limits.cpu_seconds or int(limits.seconds) + 1
        own_uid = self.level != "weak"
        return [
            ("processes", f"{limits.processes}", own_uid),
            ("file-size", f"{limits.file_mb} MB", True),
            ("memory-per-process", f"{limits.memory_mb} MB" if limits.memory_mb else "-",
             bool(limits.memory_mb)),
            ("memory-whole-run", "-", False),
            ("cpu-time", f"{cpu} s", True),
            ("scratch", f"{limits.scratch_mb} MB", self.level == "full"),
            ("network", "own loopback" if self.level == "full" else "host", self.level == "full"),
        ]


@cache
def probe() -> Isolation:
    """The strongest level this host gives, tried for real (a namespace that the kernel
    or a seccomp profile refuses shows only when one is made)."""
    root = os.geteuid() == 0
    missing = [tool for tool in ("bwrap", "nsenter") if shutil.which(tool) is None]
    why = ""
    if missing:
        why = f"{' and '.join(missing)} not installed (apt-get install bubblewrap util-linux)"
    else:
        uid = _free_uid() if root else None  # held like a run's: a grader may be running
        trial = _bwrap_prefix(uid) + [*_mounts(), "--", "/bin/true"]
        try:
            done = subprocess.run(trial, capture_output=True, timeout=10, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            why = f"bubblewrap did not run: {error}"
        else:
            if done.returncode == 0:
                return Isolation("full", "", root)
            why = "namespaces refused: " + done.stderr.decode("utf-8", "replace").strip()[:200]
        finally:
            if uid is not None:
                _release_uid(uid)
    if root and shutil.which("setpriv"):
        return Isolation("uid", why, root)
    if not why:
        why = "not root and no bubblewrap"
    return Isolation("weak", why, root)


def choose(require: str | None, forced: str | None = None) -> Isolation:
    """The level to grade at: ``forced`` (tests, ``--isolation``) if the host gives it,
    else the best; below ``require`` is an error."""
    best = probe()
    level = best
    if forced:
        if LEVELS.index(forced) > LEVELS.index(best.level):
            raise SandboxError(f"isolation {forced} is not available here: {best.why}")
        level = Isolation(forced, f"asked for {forced}" if forced != best.level else "",
                          best.root)
    if require and LEVELS.index(level.level) < LEVELS.index(require):
        raise SandboxError(f"isolation {level.level} is below the required {require}: "
                           f"{level.why}")
    return level


# -- building the bubblewrap command -----------------------------------------------

def _bwrap_prefix(uid: int | None) -> list[str]:
    prefix = []
    if uid is not None:  # a root grader: the run is an unused uid before it is anything
        prefix = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                  "--inh-caps=-all", "--no-new-privs", "--"]
    return [*prefix, "bwrap", "--unshare-all", "--unshare-user", "--disable-userns",
            "--die-with-parent", "--new-session", "--hostname", "student"]


def _mounts() -> list[str]:
    args: list[str] = []
    for path in SYSTEM_DIRS:
        if os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for path in ROOT_LINKS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    # /dev is a tmpfs of bwrap's: read-only, and /dev/shm a small one of its own, so
    # neither is a way around the scratch folder's size (host memory)
    return [*args, "--proc", "/proc", "--dev", "/dev", "--size", str(8 * 1024 * 1024),
            "--tmpfs", "/dev/shm", "--remount-ro", "/dev"]


def resolve_program(argv0: str, path: str = SANDBOX_PATH) -> str:
    """The program's own file: a name is looked up on the sandbox's PATH (not the
    grader's, whose pyenv shims and virtual environments the run cannot see)."""
    if "/" in argv0:
        return os.path.realpath(argv0)
    found = shutil.which(argv0, path=path)
    return os.path.realpath(found) if found else argv0


def open_to_all(path: str) -> bool:
    """Every folder on the way searchable, and the file readable, by any user."""
    parts = Path(path)
    for folder in [*reversed(parts.parents)]:
        with contextlib.suppress(OSError):
            if not folder.stat().st_mode & 0o001:
                return False
    try:
        return bool(parts.stat().st_mode & 0o004)
    except OSError:
        return False


def _interpreter_binds(program: str) -> list[str]:
    """An interpreter outside the system folders (pyenv, a JDK in /home...): its
    installation, read-only."""
    if not os.path.isabs(program) or program.startswith(tuple(d + "/" for d in SYSTEM_DIRS)):
        return []
    parent = os.path.dirname(program)
    prefix = os.path.dirname(parent) if os.path.basename(parent) == "bin" else parent
    if prefix in ("/", "") or prefix.startswith(tuple(d + "/" for d in SYSTEM_DIRS)):
        return []
    return ["--ro-bind", prefix, prefix]


# -- the submission: staged where the run's uid can read it ---------------------------

def stage(paths: Iterable[str], into: Path) -> dict[str, str]:
    """Copy the submission's files (symlinks kept as links, never followed; pipes,
    devices and sockets left out) into a folder the run can read; returns {original
    path: staged name}. Its size is counted before anything is copied."""
    paths = list(paths)
    for original in paths:
        if not (os.path.isdir(original) or os.path.islink(original)
                or os.path.isfile(original)):
            raise SandboxError(f"{original} is not a regular file or a folder")
    if sum(_size(original) for original in paths) > STAGE_LIMIT:
        raise SandboxError(f"the submission is larger than {STAGE_LIMIT >> 20} MB")
    into.mkdir(parents=True, exist_ok=True)
    names: dict[str, str] = {}
    for original in paths:
        name = _unique(into, os.path.basename(os.path.normpath(original)) or "submission")
        target = into / name
        if os.path.isdir(original) and not os.path.islink(original):
            shutil.copytree(original, target, symlinks=True, ignore=_special_files)
        else:
            shutil.copy2(original, target, follow_symlinks=False)
        names[original] = name
    for path in [into, *into.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else (0o555 if os.access(path, os.X_OK)
                                                    else 0o444))
    return names


def _size(path: str) -> int:
    """Octets a copy would write (a sparse file counts its whole length)."""
    if os.path.islink(path) or not os.path.isdir(path):
        return os.lstat(path).st_size
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(folder, name)).st_size
    return total


def _special_files(folder: str, names: list[str]) -> list[str]:
    """Pipes, devices and sockets are not part of a submission (copying a pipe waits)."""
    import stat

    out = []
    for name in names:
        with contextlib.suppress(OSError):
            mode = os.lstat(os.path.join(folder, name)).st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode)):
                out.append(name)
    return out


def _unique(folder: Path, name: str) -> str:
    candidate, number = name, 1
    while (folder / candidate).exists():
        number += 1
        candidate = f"{name}-{number}"
    return candidate


# -- uids ---------------------------------------------------------------------------

_uids_in_use: dict[int, int] = {}  # uid -> the descriptor of its lock file


def uid_locks() -> Path:
    """Where the uids' lock files are: runtime state, gone at reboot (a test suite points
    it elsewhere with $SMTP_TUTOR_GRADE_LOCKS)."""
    chosen = os.environ.get("SMTP_TUTOR_GRADE_LOCKS")
    if chosen:
        return Path(chosen)
    return Path("/run/smtp-tutor-grade") if os.path.isdir("/run") else Path(
        tempfile.gettempdir()) / "smtp-tutor-grade"


def _free_uid() -> int:
    """An unused uid, held for this run: a lock file per uid (flock), so two graders on
    one machine never give their runs the same uid (each kills every process of its
    run's uid at the end), and no process of it may be left, zombies included."""
    import fcntl

    locks = uid_locks()
    locks.mkdir(mode=0o700, parents=True, exist_ok=True)
    uid = FIRST_UID
    while True:
        if uid not in _uids_in_use:
            fd = os.open(locks / str(uid), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
            else:
                if not _processes_of(uid, zombies=True):
                    _uids_in_use[uid] = fd
                    return uid
                os.close(fd)  # closing drops the lock
        uid += 1


def _release_uid(uid: int) -> None:
    fd = _uids_in_use.pop(uid, None)
    if fd is not None:
        os.close(fd)


def _processes_of(uid: int, zombies: bool = False) -> list[int]:
    """The live processes of ``uid`` (a zombie has ended: it waits only to be reaped,
    by a parent that may be the host's init; it still counts against RLIMIT_NPROC, so
    a new run takes a uid without any)."""
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdecimal():
            with contextlib.suppress(OSError):
                if os.stat(entry.path).st_uid == uid and (zombies or not _zombie(entry.path)):
                    pids.append(int(entry.name))
    return pids


def _zombie(proc: str) -> bool:
    with open(f"{proc}/stat", "rb") as handle:
        stat = handle.read()
    return stat[stat.rindex(b")") + 2:][:1] in (b"Z", b"X")


SHARED_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm")  # where any uid may leave files


def remove_files_of(uid: int) -> None:
    """What a run at isolation ``uid`` left in the folders every user may write: gone,
    so it neither fills the host's memory (/dev/shm) nor waits for the next student."""
    for folder in SHARED_WRITABLE:
        with contextlib.suppress(OSError):
            for entry in os.scandir(folder):
                with contextlib.suppress(OSError):
                    if entry.stat(follow_symlinks=False).st_uid != uid:
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        shutil.rmtree(entry.path, ignore_errors=True)
                    else:
                        os.unlink(entry.path)


def kill_uid(uid: int, deadline: float = 10.0) -> bool:
    """SIGKILL every process of ``uid`` until none is left; False if some survived."""
    end = time.monotonic() + deadline
    while pids := _processes_of(uid):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        if time.monotonic() > end:
            return False
        time.sleep(0.005)
    return True


# -- one run --------------------------------------------------------------------------

@dataclass
class RunResult:
    status: str  # "exited", "timeout", "signal", "not-started"
    returncode: int | None
    seconds: float
    stdout: bytes = b""
    stderr: bytes = b""
    stdout_total: int = 0
    stderr_total: int = 0
    error: str = ""

    @property
    def crashed(self) -> bool:
        """A Python traceback, or death by a signal the grader did not send."""
        return self.status == "signal" or b"Traceback (most recent call last)" in self.stderr

    def stderr_tail(self, lines: int = 3) -> list[str]:
        text = self.stderr.decode("utf-8", "replace").rstrip("\n")
        return text.split("\n")[-lines:] if text else []

    def first_error(self) -> str:
        """The line that names the error: a traceback's last line, else the first line."""
        text = self.stderr.decode("utf-8", "replace").strip("\n")
        if not text:
            return ""
        lines = [line for line in text.split("\n") if line.strip()]
        named = [line for line in lines if _ERROR_LINE.match(line)]
        if named:  # "SyntaxError: ...", "ConnectionRefusedError: ...": the last one
            return named[-1]
        return lines[0]


@dataclass
class Sandbox:
    """One run of the program: ``listen()``, start the server on those sockets,
    ``run()``, then ``close()`` (which leaves no process of the run alive)."""

    isolation: Isolation
    argv: list[str]
    limits: RunLimits
    port: int = 1025
    files: list[str] = field(default_factory=list)  # the submission: files and folders
    env: dict[str, str] = field(default_factory=dict)  # the rubric's, e.g. SMTP_BODY
    uid: int | None = None
    workdir: Path | None = None
    _process: asyncio.subprocess.Process | None = None
    _started: float = 0.0
    _block: int = -1
    _temp: tempfile.TemporaryDirectory[str] | None = None
    _argv: list[str] = field(default_factory=list)
    _drains: list[asyncio.Future[tuple[bytes, int]]] = field(default_factory=list)
    _inner_pid: int = 0
    _ended: bool = False
    _connector: tuple[subprocess.Popen[bytes], socket.socket] | None = None

    @property
    def level(self) -> str:
        return self.isolation.level

    def _prepare(self) -> tuple[Path, dict[str, str]]:
        """The run's folder, its uid (a root grader's runs get an unused one) and its
        submission staged where that uid can read it."""
        self._temp = tempfile.TemporaryDirectory(prefix="smtp-grade-run-")
        base = Path(self._temp.name)
        base.chmod(0o755)
        if self.level != "weak" and self.isolation.root:
            self.uid = _free_uid()
        names = stage(self.files, base / "submission") if self.level != "weak" else {}
        return base, names

    def _workdir(self, base: Path) -> None:
        """Below ``full`` the program's working folder is a private folder of its uid."""
        self.workdir = base / "work"
        self.workdir.mkdir()
        if self.uid is not None:
            os.chown(self.workdir, self.uid, self.uid)
            self.workdir.chmod(0o700)

    async def listen(self) -> list[socket.socket]:
        """Listening sockets for the practice server, where the program can reach them."""
        base, names = self._prepare()
        if self.level == "full":
            self._argv = self._rewrite(names, SUBMISSION)
            return await self._spawn_full()
        self._workdir(base)
        # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on sockets that say TCP (with
        # proto 0 every reply waits out Nagle and delayed ACKs, ~40 ms a turn)
        host = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        host.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            host.bind(("127.0.0.1", self.port))
        except OSError:
            host.close()
            raise
        host.listen(64)
        self.port = host.getsockname()[1]
        self._argv = self._rewrite(names, str(base / "submission"))
        return [host]

    def _rewrite(self, names: dict[str, str], where: str) -> list[str]:
        """The command as the run sees it: its files where they were staged, ``{port}``
        the server's port."""
        out = []
        for part in self.argv:
            part = part.replace("{port}", str(self.port))
            for original, name in names.items():
                if part == original:
                    part = f"{where}/{name}"
                elif part.startswith(original.rstrip("/") + "/"):
                    part = f"{where}/{name}/" + part[len(original.rstrip("/")) + 1:]
            out.append(part)
        return out

    def program_env(self, cwd: str, path: str) -> dict[str, str]:
        env = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
        env.update(PATH=path, HOME=cwd, TMPDIR=cwd, SMTP_HOST="127.0.0.1",
                   SMTP_PORT=str(self.port), PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1")
        env.update(self.env)
        return env

    def _rlimits(self):  # noqa: ANN202 - a preexec function
        limits = self.limits
        cpu = limits.cpu_seconds or int(limits.seconds) + 1
        own_uid = self.level != "weak"

        def apply() -> None:  # in the child between fork and exec: system calls only
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
            size = limits.file_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
            if limits.memory_mb:
                memory = limits.memory_mb * 1024 * 1024
                resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
            if own_uid:
                resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
        return apply

    async def _spawn_full(self, bind: bool = True) -> list[socket.socket]:
        program = resolve_program(self._argv[0])
        if self.uid is not None and os.path.isabs(program) and not open_to_all(program):
            raise SandboxError(
                f"{program} is in a folder that only its owner can read, so the run's user "
                f"cannot start it; name an interpreter installed for all users (python3 is "
                f"looked up in {SANDBOX_PATH})")
        argv = [program, *self._argv[1:]]
        info_read, info_write = os.pipe()
        block_read, block_write = os.pipe()
        stage_dir = Path(self._temp.name) / "submission" if self._temp else None
        mb = 1024 * 1024
        command = [*_bwrap_prefix(self.uid), *_mounts(), *_interpreter_binds(program),
                   "--size", str(self.limits.scratch_mb * mb), "--tmpfs", SCRATCH,
                   "--size", str(8 * mb), "--tmpfs", "/tmp"]
        if stage_dir is not None and stage_dir.exists():
            command += ["--ro-bind", str(stage_dir), SUBMISSION]
        command += ["--chdir", SCRATCH, "--info-fd", str(info_write),
                    "--block-fd", str(block_read), "--", *argv]
        env = self.program_env(SCRATCH, SANDBOX_PATH)
        self._started = time.monotonic()
        try:
            self._process = await asyncio.create_subprocess_exec(
                *command, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE, env=env, start_new_session=True,
                pass_fds=(info_write, block_read), preexec_fn=self._rlimits())
        finally:
            os.close(info_write)
            os.close(block_read)
        self._block = block_write
        try:
            pid = await asyncio.get_running_loop().run_in_executor(None, _read_info, info_read)
        finally:
            os.close(info_read)
        if pid is None:
            error = b""
            if self._process.stderr is not None:
                with contextlib.suppress(asyncio.TimeoutError):
                    error = await asyncio.wait_for(self._process.stderr.read(2000), 2)
            raise SandboxError("bubblewrap did not start: " + error.decode(
                "utf-8", "replace").strip())
        self._inner_pid = pid
        if not bind:
            return []
        return await asyncio.get_running_loop().run_in_executor(None, self._bind_inside, pid)

    def _bind_inside(self, pid: int) -> list[socket.socket]:
        """``nsenter`` into the run's network namespace binds the server's sockets there
        and hands them back; the program can then reach them on its own loopback."""
        ports = sorted({self.port, *HARD_CODED_PORTS})
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        enter = ["nsenter", f"--target={pid}", "--net"]
        if not self.isolation.root:
            enter += ["--user", "--preserve-credentials"]
        code = _BINDER.format(fd=theirs.fileno(), ports=ports)
        with ours:
            try:
                done = subprocess.run([*enter, "--", sys.executable, "-I", "-S", "-c", code],
                                      pass_fds=(theirs.fileno(),), capture_output=True,
                                      timeout=20, check=False)
            finally:
                theirs.close()
            if done.returncode != 0:
                raise SandboxError("could not listen inside the sandbox: " + done.stderr.decode(
                    "utf-8", "replace").strip()[-300:])
            _, fds, _, _ = socket.recv_fds(ours, 16, 64)
        return [socket.socket(fileno=fd) for fd in fds]

    async def run(self) -> RunResult:
        """Start the program (or let the waiting one go) and wait for its end or the
        limit; never raises for the program's faults."""
        failed = await self.start()
        return failed or await self.finish()

    async def start(self) -> RunResult | None:
        """Let the program go; a result only if it could not be started."""
        keep = self.limits.output_kb * 1024
        if self.level == "full":
            os.write(self._block, b"1")
            os.close(self._block)
            self._block = -1
        else:
            cwd = str(self.workdir)
            argv = list(self._argv)
            path = os.environ.get("PATH", SANDBOX_PATH) if self.level == "weak" else SANDBOX_PATH
            if self.uid is not None:
                argv = ["setpriv", f"--reuid={self.uid}", f"--regid={self.uid}",
                        "--clear-groups", "--inh-caps=-all", "--no-new-privs", "--", *argv]
            self._started = time.monotonic()
            try:
                self._process = await asyncio.create_subprocess_exec(
                    *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.PIPE, cwd=cwd, env=self.program_env(cwd, path),
                    start_new_session=True, preexec_fn=self._rlimits())
            except OSError as error:
                return RunResult("not-started", None, 0.0,
                                 error=f"{self.argv[0]}: {error.strerror}")
        process = self._process
        assert process is not None
        self._drains = [asyncio.ensure_future(_drain(process.stdout, keep)),
                        asyncio.ensure_future(_drain(process.stderr, keep))]
        return None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def finish(self, stop_now: bool = False) -> RunResult:
        """Wait for the program's end (or the limit, or stop it now), end every process
        of the run, and collect what it printed."""
        process = self._process
        assert process is not None
        status = "exited"
        deadline = self._started + self.limits.seconds
        # not process.wait(): it may also wait for the pipes, which a process that outlived
        # the program holds; the return code is set as soon as the program exits
        while process.returncode is None:
            if stop_now or time.monotonic() >= deadline:
                status = "stopped" if stop_now else "timeout"
                break
            await asyncio.sleep(POLL_SECONDS)
        elapsed = time.monotonic() - self._started
        await self._end_all()
        drains = self._drains
        done, pending = await asyncio.wait(drains, timeout=1.0)
        for task in pending:
            task.cancel()
        (out, out_total), (err, err_total) = (
            task.result() if task in done else (b"", 0) for task in drains)
        code = process.returncode
        if status == "exited" and code is not None and code < 0:
            status = "signal"
        result = RunResult(status, code, elapsed, out, err, out_total, err_total)
        if self.level == "full" and code is not None and code != 0 and err.startswith(b"bwrap:"):
            result = RunResult("not-started", code, elapsed, out, err, out_total, err_total,
                               error=err.decode("utf-8", "replace").strip())
        return result

    # -- a student's server, run in the sandbox and reached from outside -------------

    async def serve(self) -> None:
        """Set up the run of a server program: its port is ``self.port`` (told in
        $SMTP_PORT and ``{port}``); ``connect()`` then reaches it where it listens."""
        base, names = self._prepare()
        if self.level == "full":
            self._argv = self._rewrite(names, SUBMISSION)
            await self._spawn_full(bind=False)
            self._connector = await asyncio.get_running_loop().run_in_executor(
                None, self._start_connector)
            return
        if not self.port:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe_socket:
                probe_socket.bind(("127.0.0.1", 0))
                self.port = probe_socket.getsockname()[1]
        self._workdir(base)
        self._argv = self._rewrite(names, str(base / "submission"))

    def _start_connector(self) -> tuple[subprocess.Popen[bytes], socket.socket]:
        """A helper inside the run's network namespace that opens connections to the
        server on request and hands them over (the grader itself stays outside)."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        enter = ["nsenter", f"--target={self._inner_pid}", "--net"]
        if not self.isolation.root:
            enter += ["--user", "--preserve-credentials"]
        helper = subprocess.Popen(
            [*enter, "--", sys.executable, "-I", "-S", "-c",
             _CONNECTOR.format(fd=theirs.fileno(), port=self.port)],
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        theirs.close()
        return helper, ours

    async def connect(self) -> socket.socket:
        """A TCP connection to the server program, from where it can be reached."""
        if self.level != "full":
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            sock.setblocking(False)
            try:
                await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", self.port))
            except OSError:
                sock.close()
                raise
            return sock
        assert self._connector is not None  # serve() started it at the level "full"
        _, channel = self._connector

        def ask() -> socket.socket:
            channel.sendall(b"c")
            message, fds, _, _ = socket.recv_fds(channel, 64, 1)
            if not fds:
                error = int(message.decode() or "111")
                raise OSError(error, os.strerror(error))
            return socket.socket(fileno=fds[0])

        return await asyncio.get_running_loop().run_in_executor(None, ask)

    async def wait_listening(self, seconds: float) -> bool:
        """True once the server program accepts a connection; False if it ended or the
        time passed first."""
        end = time.monotonic() + seconds
        while time.monotonic() < end and self.running:
            try:
                sock = await self.connect()
            except OSError:
                await asyncio.sleep(0.05)
                continue
            sock.close()
            return True
        return False

    async def _end_all(self) -> None:
        """Every process of the run gone: the namespace's first process (full), every
        process of the uid (uid), the process group (weak)."""
        process = self._process
        if process is None or self._ended:
            return
        self._ended = True  # once only: a process group's number is reused once it is empty
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        end = time.monotonic() + 10
        while process.returncode is None and time.monotonic() < end:
            await asyncio.sleep(POLL_SECONDS)
        if self.uid is not None:
            await asyncio.get_running_loop().run_in_executor(None, kill_uid, self.uid)
            if self.level == "uid":
                await asyncio.get_running_loop().run_in_executor(None, remove_files_of,
                                                                 self.uid)

    async def close(self) -> None:
        if self._block >= 0:
            os.close(self._block)
            self._block = -1
        if self._connector is not None:
            helper, channel = self._connector
            channel.close()
            helper.kill()
            await asyncio.get_running_loop().run_in_executor(None, helper.wait)
            self._connector = None
        await self._end_all()
        if self.uid is not None:
            _release_uid(self.uid)
        if self._temp is not None:
            with contextlib.suppress(OSError):
                for path in Path(self._temp.name).rglob("*"):
                    if not path.is_symlink():
                        path.chmod(0o700)
            self._temp.cleanup()
            self._temp = None


_BINDER = """
import socket, subprocess
# every IPv4 address is this namespace's own loopback: a program that names another host
# still arrives, and the grader can say which host it named
try:
    routed = subprocess.run(["ip", "route", "add", "local", "0.0.0.0/0", "dev", "lo"],
                            capture_output=True).returncode == 0
except OSError:
    routed = False
out = []
for port in {ports}:
    for family, host in ((socket.AF_INET, "0.0.0.0" if routed else "127.0.0.1"),
                         (socket.AF_INET6, "::1")):
        try:
            s = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s.bind((host, port))
            s.listen(64)
            out.append(s)
        except OSError:
            if family == socket.AF_INET:
                raise
s = socket.socket(fileno={fd})
socket.send_fds(s, [b"x"], [x.fileno() for x in out])
"""


_CONNECTOR = """
import os, socket
channel = socket.socket(fileno={fd})
while channel.recv(1):
    try:
        s = socket.create_connection(("127.0.0.1", {port}), timeout=5)
    except OSError as error:
        channel.sendall(str(error.errno or 111).encode())
        continue
    socket.send_fds(channel, [b"s"], [s.fileno()])
    s.close()
"""


def _read_info(fd: int) -> int | None:
    """bubblewrap's --info-fd: a JSON object with the sandbox's first pid."""
    data = b""
    while b"}" not in data:
        chunk = os.read(fd, 4096)
        if not chunk:
            return None
        data += chunk
    with contextlib.suppress(ValueError, KeyError, TypeError):
        return int(json.loads(data.decode())["child-pid"])
    return None


async def _drain(stream: asyncio.StreamReader | None, keep: int) -> tuple[bytes, int]:
    kept = bytearray()
    total = 0
    if stream is None:
        return b"", 0
    while chunk := await stream.read(65536):
        total += len(chunk)
        if len(kept) < keep:
            kept += chunk[: keep - len(kept)]
    return bytes(kept), total
