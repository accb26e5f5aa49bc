"""A report in four shapes: text (rich on a terminal, plain when piped), JSON,
Gradescope's ``results.json`` and JUnit XML.

Every string from the student's side went through ``visible()`` when the report was
made; JUnit adds XML escaping and drops what XML 1.0 cannot hold at all.
"""

from __future__ import annotations

import json
import re
import sys
from typing import IO

from smtp_tutor.grade.report import CheckResult, Report
from smtp_tutor.knowledge.catalogue import say
from smtp_tutor.protocol.visible import visible

FORMATS = ("text", "json", "gradescope", "junit")
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def private_open(path: str) -> IO[str]:
    """An output file readable by its owner only (a root grader's outputs stay root's)."""
    import os

    # O_NOFOLLOW: a symbolic link planted where the output goes (a world-writable
    # folder, a run at isolation uid) must not make a root grader write somewhere else
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    return os.fdopen(descriptor, "w", encoding="utf-8")


def render(report: Report, form: str, *, color: bool = False) -> str:
    if form == "json":
        return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
    if form == "gradescope":
        return json.dumps(gradescope(report), ensure_ascii=False, indent=2) + "\n"
    if form == "junit":
        return junit(report)
    return plain(report)


def write(report: Report, form: str, stream: IO[str] | None = None) -> None:
    """To a terminal in colour (rich), anywhere else as text without escapes."""
    out = stream or sys.stdout
    if form == "text" and out.isatty():
        _rich(report, out)
    else:
        out.write(render(report, form))


def _number(value: float) -> str:
    return f"{value:g}"


def _mark(lang: str, status: str) -> str:
    if status == "passed":
        return "✓ " + say("grade", "ui.passed", lang)
    if status == "not-reached":
        return "– " + say("grade", "ui.not-reached", lang)
    return "✗ " + say("grade", "ui.failed", lang)


def _groups(report: Report) -> list[tuple[str, list[CheckResult]]]:
    """The rubric's checks, then those "beyond the handout" under their own heading."""
    main = [check for check in report.checks if not check.beyond]
    beyond = [check for check in report.checks if check.beyond]
    return [("", main)] + ([(say("grade", "ui.beyond", report.lang), beyond)] if beyond else [])


def _check_lines(check: CheckResult, lang: str) -> list[str]:
    counted = "" if check.counted else "  " + say("grade", "ui.void", lang)
    lines = [f"{_mark(lang, check.status)}  {_number(check.points)}/"
             f"{_number(check.max_points)}  {check.name}"
             + (f"  ({check.rfc})" if check.rfc else "") + counted,
             f"    {check.summary}"]
    if check.hint:
        lines.append(f"    {say('grade', 'ui.hint', lang)}: {check.hint}")
    lines.extend(f"      {line}" for line in check.excerpt)
    return lines


def plain(report: Report) -> str:
    lang = report.lang
    heading = say("grade", f"ui.report-{report.kind}", lang)
    who = say("grade", "ui.program" if report.kind == "client" else "ui.server", lang)
    lines = [*report.headline(), f"{heading}: {visible(report.title)}",
             f"{who}: {visible(report.target)}", ""]
    if report.error:
        return "\n".join([*lines, report.error, ""])
    if report.diagnosis:
        lines += [say("grade", "ui.diagnosis", lang) + ": " + report.diagnosis, ""]
    elif report.first_fix:
        lines += [say("grade", "ui.first-fix", lang) + ": " + report.first_fix, ""]
    for title, checks in _groups(report):
        if title:
            lines += ["", title]
        for check in checks:
            lines += _check_lines(check, lang)
    lines += ["", f"{say('grade', 'ui.score', lang)}: {_number(report.score)}/"
              f"{_number(report.max_score)}", ""]
    return "\n".join(lines)


def _rich(report: Report, stream: IO[str]) -> None:
    from rich.console import Console
    from rich.padding import Padding
    from rich.text import Text

    console = Console(file=stream, highlight=False, emoji=False)
    lang = report.lang
    for head in report.headline():  # (not `line`: a Text below)
        console.print(Text(head, style="dim"))
    heading = say("grade", f"ui.report-{report.kind}", lang)
    console.print(Text(f"{heading}: {visible(report.title)}", style="bold"))
    who = say("grade", "ui.program" if report.kind == "client" else "ui.server", lang)
    console.print(Text(f"{who}: {visible(report.target)}", style="dim"))
    console.print()
    if report.error:
        console.print(Text(report.error, style="bold red"))
        return
    if report.diagnosis or report.first_fix:
        label = "diagnosis" if report.diagnosis else "first-fix"
        console.print(Text(say("grade", f"ui.{label}", lang) + ": " + (report.diagnosis or
                                                              report.first_fix), style="bold"))
        console.print()
    styles = {"passed": "bold green", "failed": "bold red", "not-reached": "bold yellow"}
    for title, checks in _groups(report):
        if title:
            console.print()
            console.print(Text(title, style="bold"))
        for check in checks:
            line = Text()
            line.append(_mark(lang, check.status), style=styles.get(check.status, ""))
            line.append(f"  {_number(check.points)}/{_number(check.max_points)}  ")
            line.append(check.name, style="bold")
            if check.rfc:
                line.append(f"  {check.rfc}", style="cyan")
            if not check.counted:
                line.append("  " + say("grade", "ui.void", lang), style="dim")
            console.print(line)
            console.print(Padding(Text(check.summary), (0, 0, 0, 4)))
            if check.hint:
                console.print(Padding(Text(f"{say('grade', 'ui.hint', lang)}: {check.hint}",
                                           style="yellow"), (0, 0, 0, 4)))
            for excerpt in check.excerpt:  # a long line wraps under itself, indented
                style = "blue" if excerpt.startswith("S:") else "magenta" if \
                    excerpt.startswith("C:") else "dim"
                console.print(Padding(Text(excerpt, style=style), (0, 0, 0, 6)))
    console.print()
    total = Text(f"{say('grade', 'ui.score', lang)}: {_number(report.score)}/"
                 f"{_number(report.max_score)}", style="bold")
    console.print(total)


def gradescope(report: Report) -> dict[str, object]:
    """Gradescope's autograder results format (``/autograder/results/results.json``)."""
    lang = report.lang
    tests = []
    for check in report.checks:
        output = [check.summary]
        if check.status == "not-reached":
            output.insert(0, say("grade", "ui.not-reached", lang))
        if check.hint:
            output.append(f"{say('grade', 'ui.hint', lang)}: {check.hint}")
        if check.rfc:
            output.append(f"{say('grade', 'ui.see', lang)} {check.rfc}")
        output.extend(check.excerpt)
        name = check.name + (f" ({say('grade', 'ui.beyond-short', lang)})" if check.beyond else "")
        tests.append({"name": name, "score": check.points,
                      "max_score": check.max_points, "status": "passed" if check.passed
                      else "failed", "output": "\n".join(output), "visibility": "visible"})
    top = [*report.headline()]
    if report.diagnosis:
        top.append(say("grade", "ui.diagnosis", lang) + ": " + report.diagnosis)
    elif report.first_fix:
        top.append(say("grade", "ui.first-fix", lang) + ": " + report.first_fix)
    if report.error:
        top.append(report.error)
    result: dict[str, object] = {"score": report.score, "tests": tests,
                                 "visibility": "visible", "stdout_visibility": "hidden",
                                 "output": "\n".join(top)}
    return result


def junit(report: Report) -> str:
    import xml.etree.ElementTree as ET

    failures = sum(check.status == "failed" for check in report.checks)
    skipped = sum(check.status == "not-reached" for check in report.checks)
    suite = ET.Element("testsuite", name=_xml(f"smtp-tutor grade {report.kind}"),
                       tests=str(len(report.checks)), failures=str(failures), errors=str(
                           int(bool(report.error))), skipped=str(skipped))
    properties = ET.SubElement(suite, "properties")
    for name, value in (("isolation", report.isolation), ("rubric", report.rubric.get(
            "name", "")), ("rubric_sha256", report.rubric.get("sha256", "")),
            ("tool", report.tool), ("diagnosis", report.diagnosis),
            ("first_fix", report.first_fix)):
        if value:
            ET.SubElement(properties, "property", name=name, value=_xml(value))
    if report.error:
        case = ET.SubElement(suite, "testcase", classname="smtp-tutor", name="grade")
        ET.SubElement(case, "error", message=_xml(report.error))
    for check in report.checks:
        case = ET.SubElement(suite, "testcase", classname=_xml(f"smtp-tutor.{report.kind}"),
                             name=_xml(check.name))
        ET.SubElement(case, "properties").append(ET.Element(
            "property", name="score", value=f"{_number(check.points)}/"
            f"{_number(check.max_points)}"))
        details = "\n".join([check.summary, *(f"{say('grade', 'ui.hint', report.lang)}: "
                                              f"{check.hint}" for _ in [1] if check.hint),
                             check.rfc, *check.excerpt])
        if check.status == "not-reached":
            ET.SubElement(case, "skipped", message=_xml(check.summary))
        elif not check.passed:
            failure = ET.SubElement(case, "failure", message=_xml(check.summary))
            failure.text = _xml(details)
        else:
            ET.SubElement(case, "system-out").text = _xml(details)
    ET.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, "unicode") + "\n"


def _xml(value: str) -> str:
    """Visible, and only characters XML 1.0 allows (ElementTree escapes the rest)."""
    return _NOT_XML.sub(lambda m: f"<U+{ord(m.group()):04X}>", visible(value))
