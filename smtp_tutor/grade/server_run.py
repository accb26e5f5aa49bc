"""``grade server -- COMMAND``: a student's server started in the grader's sandbox and
put through the conformance suite.

The server runs at the same isolation level as a graded client (sandbox.py): with
``full`` it listens in its own network namespace and the suite reaches it through a
connector inside that namespace; below it, on the host's loopback.  It is told its port
in ``$SMTP_PORT`` (and ``{port}`` in the command); when the suite is done, every process
of the run is stopped.
"""

from __future__ import annotations

import shlex

from smtp_tutor import __version__
from smtp_tutor.grade.client import absolute_command, submission_files
from smtp_tutor.grade.conformance import RUN_TIMEOUT, grade_server
from smtp_tutor.grade.probe import REPLY_TIMEOUT
from smtp_tutor.grade.report import Report
from smtp_tutor.grade.sandbox import Isolation, RunLimits, Sandbox, SandboxError
from smtp_tutor.knowledge.catalogue import say
from smtp_tutor.protocol.visible import visible

LISTEN_SECONDS = 10.0  # how long the server program has to start listening
SERVER_PORT = 2525  # its port inside a "full" sandbox (its own network: always free)


async def grade_own_server(command: list[str], isolation: Isolation, *, lang: str = "en",
                           port: int = 0, timeout: float = REPLY_TIMEOUT,
                           run_timeout: float = RUN_TIMEOUT, rcpt: str = "",
                           submission: str | None = None,
                           listen_seconds: float = LISTEN_SECONDS) -> Report:
    """Start the server program, wait until it listens, run the suite, stop it."""
    argv = absolute_command(command)
    limits = RunLimits(seconds=run_timeout + listen_seconds + 5)
    box = Sandbox(isolation, argv, limits,
                  port=port or (SERVER_PORT if isolation.level == "full" else 0),
                  files=submission_files(argv, submission))
    try:
        try:
            await box.serve()
        except (SandboxError, OSError) as error:
            return _failed(command, isolation, lang,
                           say("grade", "ui.sandbox-failed", lang, error=str(error)))
        failed = await box.start()
        if failed is not None:
            return _failed(command, isolation, lang,
                           say("grade", "ui.diag-not-started", lang, error=failed.error))
        if not await box.wait_listening(listen_seconds):
            result = await box.finish(stop_now=True)
            said = visible(result.first_error())[:300] or say("grade", "ui.diag-no-error", lang)
            return _failed(command, isolation, lang,
                           say("grade", "ui.server-not-listening", lang, port=box.port,
                               seconds=f"{listen_seconds:g}", status=result.status,
                               error=said))
        report = await grade_server("127.0.0.1", box.port, lang=lang, timeout=timeout,
                                    run_timeout=run_timeout, rcpt=rcpt, connect=box.connect)
        report.target = shlex.join(command)
        _describe(report, isolation, limits)
        result = await box.finish(stop_now=True)
        if result.status != "stopped":  # it ended (or crashed) during the suite
            report.diagnosis = say("grade", "ui.server-ended", lang, status=result.status,
                                    error=visible(result.first_error())[:300] or "-")
        return report
    finally:
        await box.close()


def _describe(report: Report, isolation: Isolation, limits: RunLimits) -> None:
    report.isolation, report.isolation_why = isolation.level, isolation.why
    report.limits = [{"name": name, "value": value, "held": held}
                     for name, value, held in isolation.held(limits)]
    report.tool = __version__


def _failed(command: list[str], isolation: Isolation, lang: str, why: str) -> Report:
    report = Report("server", say("grade", "ui.server-title", lang), shlex.join(command), lang)
    _describe(report, isolation, RunLimits())
    report.error = why
    return report
