"""The suite leaves no process behind (issue 22): every child carries the session's mark
in its environment (tests/conftest.py), and at the end of the session any marked process
still alive is named, stopped and fails the run. These tests check the mark and the
finder themselves, and that a file left in the run's temporary folder fails the run too."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.conftest import ROOT, RUN_MARK, marked_processes


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


def test_a_folder_left_in_the_temporary_folder_fails_the_run(tmp_path):
    leaky = tmp_path / "test_leaky.py"
    leaky.write_text("import tempfile\n\n\ndef test_leaks():\n"
                     "    tempfile.mkdtemp(prefix='left-behind-')\n")
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("PYTEST_XDIST")}  # a run of its own, not a worker
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest",
                           "-p", "no:cacheprovider", str(leaky)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert "1 passed" in done.stdout, done.stdout + done.stderr
    assert done.returncode == 1 and "left-behind-" in done.stderr, done.stderr
    # the inner run's folder is in this run's temporary folder: removed, with what was left
    assert not list(Path(tempfile.gettempdir()).glob("smtp-tutor-run-*/**/left-behind-*"))
