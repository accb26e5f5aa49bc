"""A world lesson or demo whose terminal closes (SIGHUP) or that is killed (SIGTERM)
removes its temporary world: tests and students leave no directories behind."""

from __future__ import annotations

import glob
import os
import signal

import pexpect
import pytest

from tests.conftest import spawn_pty, tutor_command


def _worlds(folder) -> set[str]:
    return set(glob.glob(os.path.join(folder, "smtp-tutor-world-*")))


@pytest.mark.parametrize(("command", "ready", "number"), [
    ("lesson", r"\[helo\]>", signal.SIGHUP), ("lesson", r"\[helo\]>", signal.SIGTERM),
    ("demo", "step 0/", signal.SIGHUP)])
def test_a_closed_terminal_leaves_no_world_behind(tmp_path, command, ready, number):
    scratch = tmp_path / "tmp"  # its own TMPDIR: no other test's world is counted
    scratch.mkdir()
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm", "COLUMNS": "100",
           "LINES": "30", "SMTP_TUTOR_HOME": str(tmp_path / "home"), "TMPDIR": str(scratch)}
    program, *args = tutor_command()
    verb = ["lesson", "play"] if command == "lesson" else ["demo"]
    child = spawn_pty(program, [*args, *verb, "mx-and-relay", "--lang", "en"], env=env,
                      encoding="utf-8", timeout=20, dimensions=(30, 100))
    try:
        child.expect(ready)
        [mine] = _worlds(scratch)  # its world, started
        child.kill(number)
        child.expect(pexpect.EOF)
    finally:
        child.terminate(force=True)
    assert not os.path.exists(mine) and not _worlds(scratch)
