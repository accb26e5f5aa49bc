"""A whole class: ``--each 'submissions/*/'`` graded in parallel, a CSV gradebook.

Every submission gets its own servers (a free port each, so ``{port}`` or
``$SMTP_PORT`` must be used) and its own scratch mailboxes; ``--jobs`` of them run at
once in one event loop.  Each report is written in the chosen format under
``OUT/<submission>/``, and ``OUT/gradebook.csv`` has one row per submission.
"""

from __future__ import annotations

import asyncio
import csv
import glob
import os
import sys
from pathlib import Path

from smtp_tutor.grade.client import grade_client
from smtp_tutor.grade.formats import render
from smtp_tutor.grade.report import Report, text
from smtp_tutor.grade.rubric import Rubric
from smtp_tutor.protocol.visible import visible

REPORT_NAMES = {"text": "report.txt", "json": "report.json", "gradescope": "results.json",
                "junit": "junit.xml"}


def submissions(pattern: str) -> list[str]:
    return sorted(path for path in glob.glob(pattern) if os.path.isdir(path))


def grade_class(command: list[str], rubric: Rubric, *, pattern: str, jobs: int, out_dir: str,
                form: str, lang: str) -> int:
    paths = submissions(pattern)
    if not paths:
        sys.stderr.write(text(lang, "ui", "no-submissions", pattern=pattern) + "\n")
        return 2
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    reports = asyncio.run(_grade_all(command, rubric, paths, max(1, jobs), out, form, lang))
    book = out / "gradebook.csv"
    write_gradebook(book, rubric, paths, reports)
    sys.stderr.write(text(lang, "ui", "gradebook", path=str(book), count=len(paths)) + "\n")
    return 0


def name_of(path: str) -> str:
    return os.path.basename(os.path.normpath(path)) or "submission"


async def _grade_all(command: list[str], rubric: Rubric, paths: list[str], jobs: int,
                     out: Path, form: str, lang: str) -> list[Report]:
    gate = asyncio.Semaphore(jobs)
    progress = _Progress(len(paths), lang)

    async def one(path: str) -> Report:
        async with gate:
            argv = [part.replace("{}", os.path.abspath(path)) for part in command]
            report = await grade_client(argv, rubric, port=0, lang=lang)
        folder = out / name_of(path)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / REPORT_NAMES[form]).write_text(render(report, form), encoding="utf-8")
        progress.advance(name_of(path), report)
        return report

    try:
        return list(await asyncio.gather(*(one(path) for path in paths)))
    finally:
        progress.stop()


def write_gradebook(book: Path, rubric: Rubric, paths: list[str],
                    reports: list[Report]) -> None:
    with open(book, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["submission", "score", "max_score",
                         *(check.id for check in rubric.checks), "error"])
        for path, report in zip(paths, reports, strict=True):
            points = [f"{check.points:g}" for check in report.checks] or [""] * len(
                rubric.checks)
            writer.writerow([_cell(visible(name_of(path))), f"{report.score:g}",
                             f"{rubric.max_score:g}", *points, _cell(report.error)])


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
            self.task = self.bar.add_task(text(lang, "ui", "progress"), total=total)
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
