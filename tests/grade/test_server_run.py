"""``grade server -- COMMAND``: a student's server started in the grader's sandbox, at
every level this host gives, put through the suite and stopped whole afterwards."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest

from smtp_tutor.grade.sandbox import LEVELS, choose, probe
from smtp_tutor.grade.server_run import grade_own_server
from tests.conftest import run_tutor
from tests.grade.conftest import PYTHON

STUDENTS = Path(__file__).with_name("students")
AVAILABLE = [level for level in LEVELS if LEVELS.index(level) <= LEVELS.index(probe().level)]


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


@pytest.mark.parametrize("level", AVAILABLE)
def test_a_students_server_is_graded_in_the_sandbox_and_stopped(level):
    report = asyncio.run(grade_own_server([PYTHON, str(STUDENTS / "smtp_server.py")],
                                          choose(None, level), timeout=5, run_timeout=60))
    assert not report.error, report.error
    assert report.isolation == level and report.score == report.max_score == 20
    assert not report.diagnosis
    assert report.target.endswith("smtp_server.py")


DAEMON_SERVER = """
import os, runpy, socket, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        hold = socket.create_server(("127.0.0.1", int(sys.argv[1])))
        time.sleep(120)
    os._exit(0)
runpy.run_path(sys.argv[2], run_name="__main__")
"""


@pytest.mark.parametrize("level", [level for level in AVAILABLE if level == "uid"])
def test_a_server_that_leaves_a_daemon_behind_is_stopped_whole(level, tmp_path):
    """At uid the run's processes share the host's loopback: a daemon the server left
    (double fork, setsid) would still hold its port afterwards. It does not."""
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        held = free.getsockname()[1]
    script = tmp_path / "daemon_server.py"
    script.write_text(DAEMON_SERVER)
    report = asyncio.run(grade_own_server(
        [PYTHON, str(script), str(held), str(STUDENTS / "smtp_server.py")],
        choose(None, level), timeout=5, run_timeout=60, submission=str(STUDENTS)))
    assert report.score == 20, report.error
    assert _refused(held)


def test_a_server_that_never_listens_is_diagnosed():
    report = asyncio.run(grade_own_server([PYTHON, "-c", "import time; time.sleep(30)"],
                                          choose(None, probe().level), listen_seconds=1.5))
    assert "did not listen" in report.error and "$SMTP_PORT" in report.error


def test_a_server_that_crashes_names_its_error():
    report = asyncio.run(grade_own_server([PYTHON, "-c", "raise SystemExit('no port given')"],
                                          choose(None, probe().level), listen_seconds=3))
    assert "no port given" in report.error


def test_the_command_line_wants_a_server_or_a_command():
    result = run_tutor("grade", "server")
    assert result.returncode == 2 and b"-- python3 smtp_server.py" in result.stderr
    result = run_tutor("grade", "server", "--run-timeout", "60", "--",
                       PYTHON, str(STUDENTS / "smtp_server.py"), timeout=120)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    assert result.stdout.startswith(b"Isolation: ") and b"Score: 20/20" in result.stdout
