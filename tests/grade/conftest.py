"""Helpers of the grade tests: the reference clients, short rubrics, a grading call."""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from pathlib import Path

import pytest

from smtp_tutor.grade.client import grade_client
from smtp_tutor.grade.report import Report
from smtp_tutor.grade.rubric import Limits, Rubric, load_rubric, parse_rubric

CLIENTS = Path(__file__).with_name("clients")


# the system's Python: a sandboxed run (another uid, only system folders) can run it,
# where this virtual environment's interpreter may live in a folder only root can read
PYTHON = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable


def client(name: str) -> list[str]:
    return [PYTHON, str(CLIENTS / f"{name}.py")]


def textbook(seconds: float = 3, **checks: float) -> Rubric:
    """The shipped rubric (dot-stuffing switched on), with short limits for tests."""
    rubric = load_rubric("textbook-lab")
    specs = list(rubric.checks) + [parse_rubric({"check": [{"id": "dot-stuffing"}]}).checks[0]]
    if checks:
        specs = [s for s in specs if s.id in checks]
    return dataclasses.replace(rubric, checks=tuple(specs),
                               limits=Limits(seconds=seconds, memory_mb=512, output_kb=64))


def grade(name: str, rubric: Rubric, lang: str = "en") -> Report:
    return asyncio.run(grade_client(client(name), rubric, port=0, lang=lang,
                                    submission=str(CLIENTS)))


def verdicts(report: Report) -> dict[str, bool]:
    return {check.id: check.passed for check in report.checks}


@pytest.fixture(scope="session")
def correct_report() -> Report:
    return grade("correct", textbook())
