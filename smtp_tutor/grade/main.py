"""The ``grade`` command: argparse options in, a report (or a gradebook) out.

Exit status: 0 when every check passed, 1 when one failed, 2 when grading could not
run (a bad rubric, a taken port, no submissions, a sandbox below --require-isolation).
Outputs are written only after every process of the run is gone, readable by the
grader alone when it runs as root (a program under test never gets root's uid).
"""

from __future__ import annotations

import argparse
import asyncio
import sys


def grade(options: argparse.Namespace, lang: str) -> int:
    if options.target == "server":
        return _server(options, lang)
    if options.target == "isolation":
        return _isolation(lang)
    return _client(options, lang)


def _isolation(lang: str) -> int:
    from smtp_tutor.grade.rubric import load_rubric
    from smtp_tutor.grade.sandbox import probe
    from smtp_tutor.grade.scenarios import run_limits
    from smtp_tutor.knowledge.catalogue import say

    found = probe()
    print(say("grade", "ui.isolation-line", lang, level=found.level,
               meaning=say("grade", f"ui.level-{found.level}", lang)))
    if found.why:
        print(say("grade", "ui.isolation-why", lang, why=found.why))
    for name, value, held in found.held(run_limits(load_rubric())):
        mark = "✓" if held else "✗"
        shown = say("grade", "ui.limit-own-loopback", lang) if value == "own loopback" else value
        print(f"  {mark} {say('grade', f'ui.limit-{name}', lang)}: {shown}")
    return 0


def _client(options: argparse.Namespace, lang: str) -> int:
    from smtp_tutor.grade.formats import write
    from smtp_tutor.grade.rubric import RubricError, load_rubric
    from smtp_tutor.grade.sandbox import SandboxError, choose
    from smtp_tutor.knowledge.catalogue import say

    command = list(options.program)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        sys.stderr.write(say("grade", "ui.no-program", lang) + "\n")
        return 2
    try:
        rubric = load_rubric(options.rubric)
    except RubricError as error:
        sys.stderr.write(say("grade", "ui.rubric-error", lang, error=str(error)) + "\n")
        return 2
    try:
        isolation = choose(options.require_isolation, options.isolation)
    except SandboxError as error:
        sys.stderr.write(say("grade", "ui.isolation-refused", lang, error=str(error)) + "\n")
        return 2
    if options.each:
        from smtp_tutor.grade.batch import grade_class

        return grade_class(command, rubric, pattern=options.each, jobs=options.jobs,
                           out_dir=options.out, form=options.format, lang=lang,
                           isolation=isolation)
    from smtp_tutor.grade.client import grade_client

    report = asyncio.run(grade_client(command, rubric, port=options.port, lang=lang,
                                      isolation=isolation, submission=options.submission))
    _output(report, options, write)
    if report.error:
        return 2
    return 0 if report.passed else 1


def _server(options: argparse.Namespace, lang: str) -> int:
    from smtp_tutor.grade.conformance import grade_server
    from smtp_tutor.grade.formats import write
    from smtp_tutor.knowledge.catalogue import say

    if options.program:
        return _own_server(options, lang)
    if not options.host or options.server_port is None:
        sys.stderr.write(say("grade", "ui.no-server", lang) + "\n")
        return 2
    report = asyncio.run(grade_server(options.host, options.server_port, lang=lang,
                                      timeout=options.timeout, run_timeout=options.run_timeout,
                                      rcpt=options.rcpt or ""))
    _output(report, options, write)
    return 0 if report.passed else 1


def _own_server(options: argparse.Namespace, lang: str) -> int:
    """``grade server -- COMMAND``: the student's server, started in the sandbox."""
    from smtp_tutor.grade.formats import write
    from smtp_tutor.grade.sandbox import SandboxError, choose
    from smtp_tutor.grade.server_run import grade_own_server
    from smtp_tutor.knowledge.catalogue import say

    try:
        isolation = choose(options.require_isolation, options.isolation)
    except SandboxError as error:
        sys.stderr.write(say("grade", "ui.isolation-refused", lang, error=str(error)) + "\n")
        return 2
    report = asyncio.run(grade_own_server(
        list(options.program), isolation, lang=lang, port=options.server_port or 0,
        timeout=options.timeout, run_timeout=options.run_timeout, rcpt=options.rcpt or "",
        submission=options.submission))
    _output(report, options, write)
    if report.error:
        return 2
    return 0 if report.passed else 1


def _output(report, options: argparse.Namespace, write) -> None:  # noqa: ANN001
    from smtp_tutor.grade.formats import private_open
    from smtp_tutor.knowledge.catalogue import say

    if options.output:
        try:
            with private_open(options.output) as stream:
                write(report, options.format, stream)
        except OSError as error:  # a folder, a symbolic link, no permission...
            sys.stderr.write(say("grade", "ui.output-failed", report.lang, path=options.output,
                                  error=error.strerror or str(error)) + "\n")
            raise SystemExit(2) from None
    else:
        write(report, options.format)
