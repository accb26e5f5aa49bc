"""One scenario: a fresh practice server set up for it, the program run once against it.

The server is ``smtp_tutor.server.app.start_server`` with a ``TeachingFaults`` knob or
two (policy.py) and a ``Recorder`` watching; nothing here speaks SMTP itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from smtp_tutor.grade.record import Recorder
from smtp_tutor.grade.rubric import DEFAULT_DOT_BODY, Rubric
from smtp_tutor.grade.runner import RunResult, absolute_paths, program_env, run_program
from smtp_tutor.server.app import ServerConfig, start_server
from smtp_tutor.server.policy import Limits, TeachingFaults

STUDENT_MAILBOX = "student"  # where a message to any address is stored
REFUSED_GREETING = "421 4.3.2 hamburger.edu Service not available, closing transmission channel"
REFUSED_MAIL = "451 4.3.0 Temporary local problem, try again later"
REFUSED_RCPT = "550 5.1.1 <{address}>: Recipient address rejected: User unknown"
SETTLE_SECONDS = 1.0  # after the program ends: the server finishes its side


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
    elif scenario == "mail-451":
        knobs["replies"] = {"MAIL": REFUSED_MAIL}
    elif scenario == "rcpt-550":
        knobs["replies"] = {"RCPT": REFUSED_RCPT}
    return TeachingFaults(**knobs)  # type: ignore[arg-type]


def env_for(scenario: str, rubric: Rubric) -> dict[str, str]:
    env = dict(rubric.env)
    if scenario == "dot-stuffing":
        body = next((c.params.get("body") for c in rubric.checks if c.id == "dot-stuffing"),
                    None)
        env["SMTP_BODY"] = str(body or DEFAULT_DOT_BODY)
    return env


@dataclass
class Outcome:
    scenario: str
    run: RunResult
    recorder: Recorder
    stored: list[bytes] = field(default_factory=list)  # messages in the Maildirs
    env: dict[str, str] = field(default_factory=dict)


async def run_scenario(scenario: str, rubric: Rubric, command: list[str], *, port: int = 0,
                       host: str = "127.0.0.1") -> Outcome:
    """Start the server (``port`` 0: a free one), run the program, stop the server."""
    limits = rubric.limits
    with tempfile.TemporaryDirectory(prefix="smtp-grade-") as scratch:
        recorder = Recorder()
        config = ServerConfig(
            host=host, port=port, mailbox_dir=Path(scratch) / "mail",
            limits=Limits(idle_timeout=limits.seconds + 5), faults=faults_for(scenario, rubric),
            watchers=[recorder])
        running = await start_server(config)
        try:
            env = env_for(scenario, rubric)
            argv = absolute_paths([part.replace("{port}", str(running.port)) for part in command])
            workdir = Path(scratch) / "work"
            workdir.mkdir()
            run = await run_program(
                argv, env=program_env(running.port, str(workdir), env), cwd=str(workdir),
                seconds=limits.seconds, memory_mb=int(limits.memory_mb),
                output_kb=int(limits.output_kb))
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(recorder.all_closed.wait(), SETTLE_SECONDS)
        finally:
            await running.stop()
        stored = [path.read_bytes() for path in sorted((Path(scratch) / "mail").glob("*/new/*"))]
        return Outcome(scenario, run, recorder, stored, env)

