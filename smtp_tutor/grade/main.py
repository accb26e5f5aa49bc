"""The ``grade`` command: argparse options in, a report (or a gradebook) out.

Exit status: 0 when every check passed, 1 when one failed, 2 when grading could not
run (a bad rubric, a taken port, no submissions).
"""

from __future__ import annotations

import argparse
import asyncio
import sys


def grade(options: argparse.Namespace, lang: str) -> int:
    if options.target == "server":
        return _server(options, lang)
    return _client(options, lang)


def _client(options: argparse.Namespace, lang: str) -> int:
    from smtp_tutor.grade.formats import write
    from smtp_tutor.grade.report import text
    from smtp_tutor.grade.rubric import RubricError, load_rubric

    command = list(options.program)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        sys.stderr.write(text(lang, "ui", "no-program") + "\n")
        return 2
    try:
        rubric = load_rubric(options.rubric)
    except RubricError as error:
        sys.stderr.write(text(lang, "ui", "rubric-error", error=str(error)) + "\n")
        return 2
    if options.each:
        from smtp_tutor.grade.batch import grade_class

        return grade_class(command, rubric, pattern=options.each, jobs=options.jobs,
                           out_dir=options.out, form=options.format, lang=lang)
    from smtp_tutor.grade.client import grade_client

    report = asyncio.run(grade_client(command, rubric, port=options.port, lang=lang))
    _output(report, options, write)
    if report.error:
        return 2
    return 0 if report.passed else 1


def _server(options: argparse.Namespace, lang: str) -> int:
    from smtp_tutor.grade.conformance import grade_server
    from smtp_tutor.grade.formats import write

    report = asyncio.run(grade_server(options.host, options.server_port, lang=lang,
                                      timeout=options.timeout, run_timeout=options.run_timeout,
                                      rcpt=options.rcpt or ""))
    _output(report, options, write)
    return 0 if report.passed else 1


def _output(report, options: argparse.Namespace, write) -> None:  # noqa: ANN001
    if options.output:
        with open(options.output, "w", encoding="utf-8") as stream:
            write(report, options.format, stream)
    else:
        write(report, options.format)
