"""One scenario: a fresh practice server set up for it, the program run once against it.

The server is ``smtp_tutor.server.app.start_server`` with a ``TeachingFaults`` knob or
two (policy.py) and a ``Recorder`` watching; nothing here speaks SMTP itself.  The
program runs in a ``Sandbox`` (sandbox.py) whose level the caller chose; the server
listens where the sandbox says the program can reach it.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from smtp_tutor.grade.record import Recorder
from smtp_tutor.grade.rubric import DEFAULT_DOT_BODY, Rubric
from smtp_tutor.grade.sandbox import Isolation, RunLimits, RunResult, Sandbox
from smtp_tutor.server.app import ServerConfig, start_server
from smtp_tutor.server.policy import Limits, TeachingFaults

STUDENT_MAILBOX = "student"  # where a message to any address is stored
REFUSED_GREETING = "421 4.3.2 hamburger.edu Service not available, closing transmission channel"
REFUSED_MAIL = "451 4.3.0 Temporary local problem, try again later"
REFUSED_RCPT = "550 5.1.1 <{address}>: Recipient address rejected: User unknown"
SETTLE_SECONDS = 1.0  # after the program ends: the server finishes its side
LINGER_SECONDS = 1.0  # after the 421: what the client still sends is watched this long


def faults_for(scenario: str, rubric: Rubric) -> TeachingFaults:
    timing = rubric.timing
    knobs: dict[str, object] = {"any_recipient": STUDENT_MAILBOX}
    if scenario == "split":
        knobs["split_seconds"] = timing.split_seconds
    elif scenario == "multiline":
        knobs["line_seconds"] = timing.line_seconds
    elif scenario == "slow-greeting":
        knobs["greeting_seconds"] = timing.greeting_seconds
    elif scenario == "greeting-421":
        knobs["refuse_greeting"] = REFUSED_GREETING
        knobs["refuse_linger"] = min(LINGER_SECONDS, rubric.limits.seconds / 2)
    elif scenario == "mail-451":
        knobs["replies"] = {"MAIL": REFUSED_MAIL}
    elif scenario == "rcpt-550":
        knobs["replies"] = {"RCPT": REFUSED_RCPT}
    # each knob's value has its field's type, which a dict of mixed values cannot say
    return TeachingFaults(**knobs)  # type: ignore[arg-type]


def env_for(scenario: str, rubric: Rubric) -> dict[str, str]:
    env = dict(rubric.env)
    if scenario == "dot-stuffing":
        body = next((c.params.get("body") for c in rubric.checks if c.id == "dot-stuffing"),
                    None)
        env["SMTP_BODY"] = str(body or DEFAULT_DOT_BODY)
    return env


def run_limits(rubric: Rubric) -> RunLimits:
    limits = rubric.limits
    return RunLimits(seconds=limits.seconds, memory_mb=int(limits.memory_mb),
                     processes=int(limits.processes), file_mb=int(limits.file_mb),
                     cpu_seconds=int(limits.cpu_seconds), scratch_mb=int(limits.scratch_mb),
                     output_kb=int(limits.output_kb))


@dataclass
class Outcome:
    scenario: str
    run: RunResult
    recorder: Recorder
    stored: list[bytes] = field(default_factory=list)  # messages in the Maildirs
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0  # where the server listened ($SMTP_PORT)


async def run_scenario(scenario: str, rubric: Rubric, command: list[str], *,
                       isolation: Isolation, port: int = 0,
                       files: list[str] | None = None) -> Outcome:
    """Start the server where the sandboxed program can reach it, run the program, stop
    the server; every process of the run is gone when this returns."""
    env = env_for(scenario, rubric)
    limits = run_limits(rubric)
    with tempfile.TemporaryDirectory(prefix="smtp-grade-") as scratch:
        recorder = Recorder()
        box = Sandbox(isolation, command, limits, port=port or (1025 if isolation.level ==
                                                                 "full" else 0),
                      files=list(files or []), env=env)
        try:
            sockets = await box.listen()
            config = ServerConfig(
                host="127.0.0.1", port=box.port, mailbox_dir=Path(scratch) / "mail",
                limits=Limits(idle_timeout=limits.seconds + 5),
                faults=faults_for(scenario, rubric), watchers=[recorder], sockets=sockets)
            running = await start_server(config)
            try:
                run = await box.run()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(recorder.all_closed.wait(), SETTLE_SECONDS)
            finally:
                await running.stop()
        finally:
            await box.close()
        stored = [path.read_bytes() for path in sorted((Path(scratch) / "mail").glob("*/new/*"))]
        return Outcome(scenario, run, recorder, stored, env, box.port)
