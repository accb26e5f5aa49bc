"""The command line of ``grade``: one client, a class with --each, lazy imports, rubric errors."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

from tests.conftest import run_tutor
from tests.grade.conftest import CLIENTS, PYTHON

HEAVY = ("prompt_toolkit", "rich", "asyncio", "aiosmtpd")
SHORT = """
title = "short"
[limits]
seconds = 3
[[check]]
id = "delivered"
points = 2
[[check]]
id = "rcpt-550"
points = 1
"""


def test_grade_help_imports_nothing_heavy():
    for args in (["grade", "--help"], ["grade", "client", "--help"]):
        code = (f"import sys; sys.argv=['smtp-tutor', *{args!r}]\n"
                "from smtp_tutor.cli import main\ntry:\n    main()\nexcept SystemExit: pass\n"
                f"print('HEAVY', [m for m in {HEAVY!r} if m in sys.modules])")
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert "HEAVY []" in result.stdout, result.stdout + result.stderr


def test_grade_one_client_as_gradescope_json(tmp_path):
    rubric = tmp_path / "rubric.toml"
    rubric.write_text(SHORT)
    result = run_tutor("grade", "client", "--port", "0", "--rubric", str(rubric), "--format",
                       "gradescope", "--", PYTHON, str(CLIENTS / "correct.py"))
    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout)
    assert results["score"] == 3 and [t["score"] for t in results["tests"]] == [2, 1]


def test_grade_text_report_plain_when_piped_and_exit_status(tmp_path):
    rubric = tmp_path / "rubric.toml"
    rubric.write_text(SHORT)
    result = run_tutor("grade", "client", "--port", "0", "--rubric", str(rubric), "--lang", "vi",
                       "--", PYTHON, str(CLIENTS / "ignores_550.py"))
    assert result.returncode == 1
    out = result.stdout.decode()
    assert "\x1b[" not in out and "Điểm: 2/3" in out and "CHƯA ĐẠT" in out


def test_grade_a_class_with_each(tmp_path):
    rubric = tmp_path / "rubric.toml"
    rubric.write_text(SHORT)
    for name, source in (("an", "correct"), ("binh", "ignores_550"), ("=cuong", "crashes")):
        folder = tmp_path / "submissions" / name
        folder.mkdir(parents=True)
        (folder / "client.py").write_text((CLIENTS / f"{source}.py").read_text())
    out = tmp_path / "grades"
    result = run_tutor("grade", "client", "--rubric", str(rubric), "--each",
                       str(tmp_path / "submissions" / "*/"), "--jobs", "2", "--out", str(out),
                       "--format", "junit", "--", PYTHON, "{}/client.py")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader((out / "gradebook.csv").read_text(encoding="utf-8").splitlines()))
    scores = {row["submission"]: row["score"] for row in rows}
    assert scores == {"'=cuong": "0", "an": "3", "binh": "2"}
    assert (out / "an" / "junit.xml").exists()
    assert b"gradebook.csv (3 submissions)" in result.stderr


def test_bad_rubric_is_a_clear_error(tmp_path):
    rubric = tmp_path / "rubric.toml"
    rubric.write_text('[[check]]\nid = "delivred"\n')
    result = run_tutor("grade", "client", "--rubric", str(rubric), "--", "true")
    assert result.returncode == 2 and b"delivred" not in result.stdout
    assert b"id must be one of" in result.stderr and b"Traceback" not in result.stderr
