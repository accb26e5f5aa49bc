"""Running the student's program, fenced in (not a security sandbox: see README).

Its own session and process group (``start_new_session``), a wall-clock limit, an
address-space limit (``RLIMIT_AS``) and no core files, a scratch working directory,
a short list of environment variables (the grader's secrets stay out), stdin from
/dev/null, and stdout/stderr read to the end but only their first bytes kept, so a
program that prints megabytes neither blocks nor breaks the grade.  At the end the
whole group is killed (``killpg``), children and grandchildren included.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import signal
import time
from dataclasses import dataclass

PASSED_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "JAVA_HOME", "VIRTUAL_ENV",
              "CONDA_PREFIX", "GOPATH", "GOROOT", "NODE_PATH", "PYTHONPATH", "SYSTEMROOT")
DRAIN_SECONDS = 1.0  # after the end: what is still in the pipes
POLL_SECONDS = 0.005  # how often the program's end is looked for


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


def absolute_paths(argv: list[str]) -> list[str]:
    """Arguments naming a file here made absolute: the program runs in a scratch directory."""
    out = []
    for index, part in enumerate(argv):
        local = (index > 0 or "/" in part) and not os.path.isabs(part) and os.path.exists(part)
        out.append(os.path.abspath(part) if local else part)
    return out


def program_env(port: int, workdir: str, extra: dict[str, str]) -> dict[str, str]:
    env = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env.update(HOME=workdir, TMPDIR=workdir, SMTP_HOST="127.0.0.1", SMTP_PORT=str(port),
               PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return env


def _fence(memory_bytes: int):
    def apply() -> None:  # in the child, between fork and exec: system calls only
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if memory_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    return apply


async def run_program(argv: list[str], *, env: dict[str, str], cwd: str, seconds: float,
                      memory_mb: int = 512, output_kb: int = 64) -> RunResult:
    """Run ``argv`` to its end or to the limit; never raises for the program's faults."""
    keep = output_kb * 1024
    started = time.monotonic()
    try:
        process = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, cwd=cwd, env=env, start_new_session=True,
            preexec_fn=_fence(memory_mb * 1024 * 1024))
    except OSError as error:
        return RunResult("not-started", None, 0.0, error=f"{argv[0]}: {error.strerror}")
    drains = [asyncio.ensure_future(_drain(process.stdout, keep)),
              asyncio.ensure_future(_drain(process.stderr, keep))]
    status = "exited"
    try:
        # not process.wait(): it also waits for the pipes, which a child that outlives
        # the program keeps open; the return code is set as soon as the program exits
        deadline = started + seconds
        while process.returncode is None:
            if time.monotonic() >= deadline:
                status = "timeout"
                break
            await asyncio.sleep(POLL_SECONDS)
    finally:
        elapsed = time.monotonic() - started
        _kill_group(process.pid)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(process.wait(), DRAIN_SECONDS)
    done, pending = await asyncio.wait(drains, timeout=DRAIN_SECONDS)
    for task in pending:  # a grandchild that left the group holds the pipe: stop reading
        task.cancel()
    (out, out_total), (err, err_total) = (
        task.result() if task in done else (b"", 0) for task in drains)
    code = process.returncode
    if status == "exited" and code is not None and code < 0:
        status = "signal"
    return RunResult(status, code, elapsed, out, err, out_total, err_total)


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


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
