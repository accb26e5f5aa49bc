"""``grade client``: run the student's program in each scenario of the rubric, judge it.

Every scenario runs in its own sandbox (sandbox.py) at the level the caller chose; the
report opens with that level, the rubric that decided and the tool's version.  When
the program never started or never connected, the report says that once, at the top,
instead of one unrelated hint per check.
"""

from __future__ import annotations

import os
import shlex

from smtp_tutor import __version__
from smtp_tutor.grade.checks import FAILED, LINT_RULES, NOT_REACHED, judge
from smtp_tutor.grade.record import Connection
from smtp_tutor.grade.report import Report
from smtp_tutor.grade.rubric import Rubric
from smtp_tutor.grade.sandbox import HARD_CODED_PORTS, Isolation, SandboxError, probe
from smtp_tutor.grade.scenarios import Outcome, run_limits, run_scenario
from smtp_tutor.knowledge.catalogue import say
from smtp_tutor.knowledge.lookup import explain_note
from smtp_tutor.protocol.transcript import TOOL
from smtp_tutor.protocol.visible import visible

TRANSCRIPT_LINES = 400  # per scenario, in the report: enough to replay a dispute


def submission_files(command: list[str], submission: str | None = None) -> list[str]:
    """What the program may read: the files its command names (made absolute) and the
    submission folder, if one was given."""
    folder = os.path.abspath(submission) if submission else ""
    files = [os.path.abspath(part) for index, part in enumerate(command)
             if (index > 0 or "/" in part) and os.path.exists(part)
             and not part.startswith(("/usr/", "/bin/", "/etc/"))
             and not (folder and os.path.abspath(part).startswith(folder.rstrip("/") + "/"))]
    return list(dict.fromkeys([folder, *files] if folder else files))


def absolute_command(command: list[str]) -> list[str]:
    """Arguments naming a file here made absolute: the program runs somewhere else."""
    out = []
    for index, part in enumerate(command):
        local = (index > 0 or "/" in part) and not os.path.isabs(part) and os.path.exists(part)
        out.append(os.path.abspath(part) if local else part)
    return out


async def grade_client(command: list[str], rubric: Rubric, *, port: int = 0,
                       lang: str = "en", isolation: Isolation | None = None,
                       submission: str | None = None) -> Report:
    """Each scenario once, in rubric order, each against a fresh server."""
    isolation = isolation or probe()
    report = Report("client", rubric.title_in(lang), shlex.join(command), lang)
    report.isolation, report.isolation_why = isolation.level, isolation.why
    report.limits = [{"name": name, "value": value, "held": held}
                     for name, value, held in isolation.held(run_limits(rubric))]
    report.rubric = {"name": rubric.name, "version": rubric.version, "sha256": rubric.digest,
                     "source": os.path.basename(rubric.source)}
    report.tool = __version__
    argv = absolute_command(command)
    files = submission_files(argv, submission)
    outcomes: dict[str, Outcome] = {}
    for scenario in rubric.scenarios():
        try:
            outcomes[scenario] = await run_scenario(scenario, rubric, argv, isolation=isolation,
                                                    port=port, files=files)
        except SandboxError as error:
            report.error = say("grade", "ui.sandbox-failed", lang, error=str(error))
            return report
        except OSError as error:  # the port is taken, most likely
            report.error = say("grade", "ui.server-failed", lang, port=port,
                                error=error.strerror or str(error))
            return report
        outcome = outcomes[scenario]
        run = outcome.run
        report.runs.append({
            "scenario": scenario, "status": run.status, "returncode": run.returncode,
            "seconds": round(run.seconds, 3), "stdout_bytes": run.stdout_total,
            "stderr_bytes": run.stderr_total, "port": outcome.port,
            "connections": len(outcome.recorder.connections)
            + outcome.recorder.extra_connections})
        report.transcripts[scenario] = transcript(outcome)
    void = rubric.not_reached == "void"
    plain = outcomes.get("plain")
    report.checks = [judge(spec, outcomes[spec.scenario], lang, void=void, plain=plain)
                     for spec in rubric.checks]
    report.diagnosis = diagnose(outcomes, isolation, lang, files)
    if report.diagnosis:
        for check in report.checks:
            if not check.passed:
                check.hint = ""
    report.first_fix = report.diagnosis or first_fix(report, plain, lang)
    report.notes = [say("grade", "ui.other-connections", lang, scenario=scenario,
                         count=len(outcome.recorder.connections) - 1
                         + outcome.recorder.extra_connections)
                    for scenario, outcome in outcomes.items()
                    if len(outcome.recorder.connections) + outcome.recorder.extra_connections > 1]
    if report.first_fix and not report.diagnosis and _lint_first(plain):
        for check in report.checks:  # their generic hints would send the student astray
            if check.status == FAILED and check.reason in FOLLOW_ON:
                check.hint = say("grade", "ui.see-first-fix", lang)
    return report


# failures that a client-lint finding (a bare LF...) explains: one cause, said once
FOLLOW_ON = frozenset({"refused", "no-body", "quit-refused", "quit-no-reply", "no-quit",
                       "end-refused",
                       "no-data", "no-mail", "no-rcpt", "not-ended"})


def _lint_first(plain: Outcome | None) -> bool:
    connection = plain.recorder.main() if plain else None
    return connection is not None and any(
        note.key.removeprefix("lint-") in LINT_RULES for _, note in connection.findings())


def transcript(outcome: Outcome) -> list[str]:
    """Every kept connection of one scenario, both sides in order, safe to show."""
    lines: list[str] = []
    main = outcome.recorder.main()
    for connection in outcome.recorder.connections:
        mark = " (graded)" if connection is main else ""
        lines.append(f"# connection {connection.number}{mark}")
        lines += [entry.shown() for entry in connection.entries if entry.side != TOOL]
        if connection.dropped:
            lines.append(f"# … {connection.dropped} more lines not kept")
    if outcome.recorder.extra_connections:
        lines.append(f"# … {outcome.recorder.extra_connections} more connections not kept")
    return lines[:TRANSCRIPT_LINES]


def diagnose(outcomes: dict[str, Outcome], isolation: Isolation, lang: str,
             files: list[str]) -> str:
    """The one cause when the program never started or never connected (D7)."""
    if not outcomes or any(o.recorder.main() for o in outcomes.values()):
        return ""
    first = outcomes.get("plain") or next(iter(outcomes.values()))
    run = first.run
    tried = [address for o in outcomes.values() for address in o.recorder.elsewhere()]
    if tried:
        return say("grade", "ui.diag-elsewhere", lang, tried=", ".join(dict.fromkeys(tried)),
                    host="127.0.0.1", port=first.port)
    if run.status == "not-started":
        return say("grade", "ui.diag-not-started", lang, error=run.error)
    error = visible(run.first_error())[:300]
    if "can't open file" in error or "No such file" in error:
        held = [name for path in files if os.path.isdir(path)
                for name in sorted(os.listdir(path))[:20]]
        return say("grade", "ui.diag-not-found", lang, error=error, files=", ".join(held) or "-")
    if error.startswith(("SyntaxError", "IndentationError", "TabError")) or \
            "SyntaxError" in error:
        return say("grade", "ui.diag-syntax", lang, error=error)
    also = say("grade", "ui.diag-also-ports", lang, ports=", ".join(map(str, HARD_CODED_PORTS))) \
        if isolation.level == "full" else ""
    return say("grade", "ui.diag-never-connected", lang, host="127.0.0.1", port=first.port,
                also=also, error=error or say("grade", "ui.diag-no-error", lang))


def first_fix(report: Report, plain: Outcome | None, lang: str) -> str:
    """What to fix first: the client lint's first finding in the plain run (one bare LF
    explains every refusal after it), else the first failed check."""
    if not any(check.status == FAILED and check.max_points > 0 for check in report.checks):
        return ""
    connection: Connection | None = plain.recorder.main() if plain else None
    if connection is not None:
        findings = [note for _, note in connection.findings()
                    if note.key.removeprefix("lint-") in LINT_RULES]
        if findings:
            said, _ = explain_note(findings[0].key, findings[0].params, lang)
            return said
    for check in report.checks:
        if check.status == FAILED and not check.beyond:
            return f"{check.name}: {check.summary}"
    for check in report.checks:
        if check.status in (FAILED, NOT_REACHED) and not check.beyond:
            return f"{check.name}: {check.summary}"
    return ""
