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


def _class(tmp_path, layout: dict[str, str]) -> None:
    for name, source in layout.items():
        folder = tmp_path / "submissions" / name
        folder.mkdir(parents=True)
        (folder / "client.py").write_text((CLIENTS / f"{source}.py").read_text())


def _each(tmp_path, pattern: str, out, jobs: int, rubric) -> subprocess.CompletedProcess:
    return run_tutor("grade", "client", "--rubric", str(rubric), "--each", pattern,
                     "--jobs", str(jobs), "--out", str(out), "--", PYTHON, "{}/client.py",
                     timeout=120)


def test_two_submissions_with_the_same_folder_name_keep_two_reports(tmp_path):
    rubric = tmp_path / "rubric.toml"
    rubric.write_text(SHORT)
    for group, source in (("a", "correct"), ("b", "ignores_550")):
        folder = tmp_path / group / "alice"
        folder.mkdir(parents=True)
        (folder / "client.py").write_text((CLIENTS / f"{source}.py").read_text())
    out = tmp_path / "grades"
    result = _each(tmp_path, str(tmp_path / "*" / "alice/"), out, 2, rubric)
    assert result.returncode == 0, result.stderr
    reports = sorted(p.parent.name for p in out.glob("*/report.txt"))
    assert reports == ["alice", "alice-2"]
    texts = {(out / name / "report.txt").read_text() for name in reports}
    assert len(texts) == 2  # neither overwrote the other
    assert all((out / name / "transcript.txt").stat().st_mode & 0o077 == 0 for name in reports)


def test_the_same_class_gets_the_same_grades_at_any_jobs(tmp_path):
    """Five submissions, three of a correct client and two of one that ignores a 550,
    graded at --jobs 1 and --jobs 8 on this machine's cores: the same scores, and a
    summary at the end."""
    rubric = tmp_path / "rubric.toml"
    rubric.write_text(SHORT)
    _class(tmp_path, {f"s{n:02}": ("ignores_550" if n % 2 else "correct") for n in range(5)})
    books = []
    for jobs in (1, 8):
        out = tmp_path / f"grades-{jobs}"
        result = _each(tmp_path, str(tmp_path / "submissions" / "*/"), out, jobs, rubric)
        assert result.returncode == 0, result.stderr
        assert b"5 submissions: lowest 2, median 3, highest 3 of 3" in result.stderr
        assert b"failed most" in result.stderr
        rows = csv.DictReader((out / "gradebook.csv").read_text(encoding="utf-8").splitlines())
        books.append({row["submission"]: (row["score"], row["rubric"], row["isolation"])
                      for row in rows})
    assert books[0] == books[1]
    assert {score for score, _, _ in books[0].values()} == {"2", "3"}


def test_require_isolation_refuses_a_weaker_sandbox():
    result = run_tutor("grade", "client", "--require-isolation", "full", "--isolation", "weak",
                       "--", "true")
    assert result.returncode == 2 and b"below the required full" in result.stderr
    assert b"Traceback" not in result.stderr


def test_grade_isolation_says_what_this_machine_gives():
    result = run_tutor("grade", "isolation")
    assert result.returncode == 0
    assert result.stdout.startswith(b"Isolation: ") and b"processes" in result.stdout


def test_report_folders_never_collide_and_the_gradebook_is_never_a_folder(tmp_path):
    from smtp_tutor.grade.batch import folder_names

    names = folder_names(["x/a/alice", "x/b/alice", "x/c/alice-2", "x/d/gradebook.csv"])
    assert names == ["alice", "alice-3", "alice-2", "gradebook.csv-2"] or \
        len(set(names)) == 4 and "gradebook.csv" not in names
    rubric = tmp_path / "rubric.toml"
    rubric.write_text(SHORT)
    (tmp_path / "grades" / "gradebook.csv").mkdir(parents=True)
    _class(tmp_path, {"an": "correct"})
    result = _each(tmp_path, str(tmp_path / "submissions" / "*/"), tmp_path / "grades", 1,
                   rubric)
    assert result.returncode == 2 and b"is a folder" in result.stderr
    assert b"Traceback" not in result.stderr


def test_an_output_path_that_is_a_symbolic_link_is_refused(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / "results.json").symlink_to(victim)
    rubric = tmp_path / "rubric.toml"
    rubric.write_text(SHORT)
    result = run_tutor("grade", "client", "--rubric", str(rubric), "--format", "gradescope",
                       "--output", str(tmp_path / "results.json"), "--",
                       PYTHON, str(CLIENTS / "correct.py"))
    assert result.returncode == 2 and victim.read_text() == "keep me"
    assert b"cannot write" in result.stderr and b"Traceback" not in result.stderr
