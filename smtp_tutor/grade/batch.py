"""A whole class: ``--each 'submissions/*/'`` graded in parallel, a CSV gradebook.

Every submission gets its own servers and its own scratch mailboxes; ``--jobs`` of
them run at once in one event loop.  With isolation ``full`` each run has its own
network, so a submission cannot reach another's server; below it the servers share the
host's loopback (a free port each, so ``{port}`` or ``$SMTP_PORT`` must be used), and
at ``uid`` the runs go one at a time.  Each report is written in the chosen format under
``OUT/<submission>/`` (two submissions with the same folder name get two folders), with
the transcript beside it, and ``OUT/gradebook.csv`` has one row per submission.
"""

from __future__ import annotations

import asyncio
import csv
import glob
import os
import sys
from pathlib import Path

from smtp_tutor.grade.client import grade_client
from smtp_tutor.grade.formats import private_open, render
from smtp_tutor.grade.report import Report
from smtp_tutor.grade.rubric import Rubric
from smtp_tutor.grade.sandbox import Isolation, probe
from smtp_tutor.knowledge.catalogue import say
from smtp_tutor.protocol.visible import visible

REPORT_NAMES = {"text": "report.txt", "json": "report.json", "gradescope": "results.json",
                "junit": "junit.xml"}


def submissions(pattern: str) -> list[str]:
    return sorted(path for path in glob.glob(pattern) if os.path.isdir(path))


def grade_class(command: list[str], rubric: Rubric, *, pattern: str, jobs: int, out_dir: str,
                form: str, lang: str, isolation: Isolation | None = None) -> int:
    paths = submissions(pattern)
    if not paths:
        sys.stderr.write(say("grade", "ui.no-submissions", lang, pattern=pattern) + "\n")
        return 2
    isolation = isolation or probe()
    if isolation.level == "uid":  # every process of the run's uid is killed: one at a time
        jobs = 1
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    folders = folder_names(paths)
    if (out / "gradebook.csv").is_dir():
        sys.stderr.write(say("grade", "ui.gradebook-is-folder", lang, path=str(out / "gradebook.csv"))
                         + "\n")
        return 2
    reports = asyncio.run(_grade_all(command, rubric, paths, folders, max(1, jobs), out, form,
                                     lang, isolation))
    book = out / "gradebook.csv"
    write_gradebook(book, rubric, folders, reports)
    sys.stderr.write(summary(reports, lang))
    sys.stderr.write(say("grade", "ui.gradebook", lang, path=str(book), count=len(paths)) + "\n")
    return 0


def name_of(path: str) -> str:
    return os.path.basename(os.path.normpath(path)) or "submission"


def folder_names(paths: list[str]) -> list[str]:
    """One report folder per submission, even when two have the same name
    (``a/alice`` and ``b/alice``): the second gets ``alice-2``, unless a submission is
    called that already, and none is called ``gradebook.csv``."""
    taken = {"gradebook.csv"}
    out = []
    for path in paths:
        name = visible(name_of(path)).replace("/", "_") or "submission"
        candidate, number = name, 1
        while candidate in taken:
            number += 1
            candidate = f"{name}-{number}"
        taken.add(candidate)
        out.append(candidate)
    return out


def summary(reports: list[Report], lang: str) -> str:
    """The class at a glance: how scores spread, and the checks most often failed."""
    if not reports:
        return ""
    scores = sorted(report.score for report in reports)
    top = reports[0].max_score
    failed: dict[str, int] = {}
    for report in reports:
        for check in report.checks:
            if check.status == "failed" and check.max_points > 0:
                failed[check.name] = failed.get(check.name, 0) + 1
    median = scores[len(scores) // 2]
    lines = [say("grade", "ui.summary-scores", lang, low=f"{scores[0]:g}", median=f"{median:g}",
                  high=f"{scores[-1]:g}", top=f"{top:g}", count=len(scores))]
    for name, count in sorted(failed.items(), key=lambda item: -item[1])[:5]:
        lines.append(say("grade", "ui.summary-failed", lang, name=name, count=count,
                          total=len(reports)))
    return "\n".join(lines) + "\n"


async def _grade_all(command: list[str], rubric: Rubric, paths: list[str], folders: list[str],
                     jobs: int, out: Path, form: str, lang: str,
                     isolation: Isolation) -> list[Report]:
    gate = asyncio.Semaphore(jobs)
    progress = _Progress(len(paths), lang)

    async def one(path: str, name: str) -> Report:
        async with gate:
            argv = [part.replace("{}", os.path.abspath(path)) for part in command]
            report = await grade_client(argv, rubric, port=0, lang=lang, isolation=isolation,
                                        submission=path)
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        with private_open(str(folder / REPORT_NAMES[form])) as stream:
            stream.write(render(report, form))
        with private_open(str(folder / "transcript.txt")) as stream:
            for scenario, lines in report.transcripts.items():
                stream.write(f"## {scenario}\n" + "\n".join(lines) + "\n")
        progress.advance(name, report)
        return report

    try:
        return list(await asyncio.gather(*(one(p, n) for p, n in zip(paths, folders,
                                                                      strict=True))))
    finally:
        progress.stop()


def write_gradebook(book: Path, rubric: Rubric, paths: list[str],
                    reports: list[Report]) -> None:
    descriptor = os.open(book, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["submission", "score", "max_score",
                         *(check.id for check in rubric.checks), "error", "isolation",
                         "rubric", "rubric_sha256", "tool"])
        for path, report in zip(paths, reports, strict=True):
            points = [f"{check.points:g}" for check in report.checks] or [""] * len(
                rubric.checks)
            writer.writerow([_cell(visible(name_of(path))), f"{report.score:g}",
                             f"{report.max_score:g}", *points, _cell(report.error),
                             report.isolation, f"{rubric.name} {rubric.version}".strip(),
                             rubric.digest, report.tool])


def _cell(value: str) -> str:
    """A spreadsheet must not run a submission's name as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


class _Progress:
    """A rich progress bar on a terminal; one line per submission otherwise."""

    def __init__(self, total: int, lang: str) -> None:
        self.bar = None
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            self.bar = Progress("{task.description}", BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), console=Console(stderr=True))
            self.task = self.bar.add_task(say("grade", "ui.progress", lang), total=total)
            self.bar.start()
        self.done = 0
        self.total = total

    def advance(self, name: str, report: Report) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.advance(self.task)
        else:
            sys.stderr.write(f"[{self.done}/{self.total}] {visible(name)}: "
                             f"{report.score:g}/{report.max_score:g}\n")

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
