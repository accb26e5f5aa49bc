"""The suite leaves no process behind (issue 22): every child carries the session's mark
in its environment (tests/conftest.py), and at the end of the session any marked process
still alive is named, stopped and fails the run. These tests check the mark and the
finder themselves."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from tests.conftest import RUN_MARK, marked_processes


def test_children_carry_the_sessions_mark():
    out = subprocess.run([sys.executable, "-c", "import os; print(os.environ['SMTP_TUTOR_TEST_RUN'])"],
                         capture_output=True, text=True).stdout.strip()
    assert out == RUN_MARK


def test_a_process_left_running_is_found():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert child.pid in {pid for pid, _ in marked_processes()}
    finally:
        child.kill()
        child.wait()
    assert child.pid not in {pid for pid, _ in marked_processes()}


def test_children_get_ctrl_c_even_when_the_suite_ignores_it():
    """A suite run in the background ignores SIGINT; its children must not inherit that."""
    code = "import signal; print(signal.getsignal(signal.SIGINT) == signal.SIG_IGN)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False"
    assert signal.getsignal(signal.SIGINT) != signal.SIG_IGN
    assert os.environ["SMTP_TUTOR_TEST_RUN"] == RUN_MARK
