"""A lesson is passed only when the student typed it; the report tells skips; watch takes any key."""

import json
import os
import time

import pexpect
import pytest

from tests.conftest import spawn_pty, tutor_command, tutor_in_process, wait_raw

# piped plays and listings run in this process (tutor_in_process); the watch-mode tests
# below start the program in a terminal
TEXTBOOK = ["HELO crepes.fr", "MAIL FROM:<alice@crepes.fr>", "RCPT TO:<bob@hamburger.edu>", "DATA",
            "Do you like ketchup?", "How about pickles?", ".", "QUIT"]


@pytest.fixture
def home(tmp_path):
    """A student of their own: progress.json starts empty."""
    path = tmp_path / "home"
    path.mkdir()
    return {"SMTP_TUTOR_HOME": str(path), "SMTP_TUTOR_CACHE": str(path / "cache")}


def finished(home: dict) -> dict:
    listing = tutor_in_process("lesson", "list", env=home).stdout.decode().splitlines()
    return {line[7:].split()[0]: line[1] == "✓" for line in listing[1:]}  # " ✓ 12. id"


def play(home: dict, lines: list[str], *args: str):
    stdin = "".join(f"{line}\n" for line in lines).encode()
    return tutor_in_process("lesson", "play", "alice-bob", "--lang", "en", *args, stdin=stdin, env=home)


def test_typing_every_line_passes_and_marks_the_lesson(home, tmp_path):
    report = tmp_path / "r.json"
    result = play(home, TEXTBOOK, "--report", str(report))
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr
    assert "Tries: 8 · hints: 0 · lines shown: 0 · steps skipped: 0" in out
    assert "Marked ✓" in out
    data = json.loads(report.read_text())
    assert data["passed"] is True and data["skipped"] == 0
    assert finished(home)["alice-bob"] is True


def test_a_skipped_step_is_reported_and_the_lesson_is_not_passed(home, tmp_path):
    report = tmp_path / "r.json"
    lines = TEXTBOOK[:1] + [":skip"] + TEXTBOOK[2:]
    out = play(home, lines, "--report", str(report)).stdout.decode()
    assert "every reply was the expected one" in out
    assert "steps skipped: 1" in out and "Not marked ✓: 1 step" in out
    data = json.loads(report.read_text())
    assert data["passed"] is False and data["replies_as_expected"] is True
    assert data["skipped"] == 1
    mail = next(s for s in data["steps"] if s["expected"].startswith("MAIL"))
    assert mail["skipped"] is True and mail["tries"] == []
    assert finished(home)["alice-bob"] is False


@pytest.mark.parametrize("args", [["--mode", "watch"], ["--mode", "watch", "--offline"], ["--offline"]])
def test_watching_or_playing_offline_never_marks_a_lesson(home, args):
    result = play(home, TEXTBOOK, *args)
    assert result.returncode == 0, result.stderr
    assert "marked ✓" in result.stdout.decode()  # the run says why it is not
    assert finished(home)["alice-bob"] is False


def test_offline_never_claims_a_server_or_a_mailbox(home):
    out = play(home, [], "--mode", "watch", "--offline").stdout.decode()
    assert "the lesson's reply is 220" in out
    assert "the server answered" not in out and "smtp-tutor mailbox" not in out
    assert "no server ran and no mailbox changed" in out


@pytest.mark.parametrize("target", ["/nonexistent/x.json", "{tmp}"])
def test_a_report_that_cannot_be_written_stops_before_the_lesson(home, tmp_path, target):
    target = target.format(tmp=tmp_path)  # a folder is not a file either
    started = time.monotonic()
    result = play(home, [], "--mode", "watch", "--report", target)
    err = result.stderr.decode().strip()
    assert result.returncode == 2
    assert result.stdout == b"" and len(err.splitlines()) == 1 and "cannot write the report" in err
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("pace", ["-5", "0", "nan"])
def test_pace_must_be_more_than_zero(pace):
    result = tutor_in_process("lesson", "play", "alice-bob", "--mode", "watch", "--pace", pace)
    assert result.returncode == 2 and b"--pace" in result.stderr and b"Traceback" not in result.stderr


def test_lesson_list_fits_the_longest_id_and_translates_level():
    out = tutor_in_process("lesson", "list").stdout.decode().splitlines()
    listing = out[1:-1]  # the last line says how to play one
    assert "`smtp-tutor lesson play alice-bob`" in out[-1]
    columns = {line.index(" level ") for line in listing}
    assert len(columns) == 1  # persistent-connection no longer pushes its row out
    numbers = [int(line[3:5]) for line in listing]
    assert numbers == sorted(numbers)
    vi = tutor_in_process("lesson", "list", "--lang", "vi").stdout.decode()
    assert " cấp 1 " in vi and " level " not in vi


def test_check_of_a_missing_file_names_no_line_zero():
    result = tutor_in_process("lesson", "check", "/nonexistent.lesson")
    assert result.returncode == 1 and b":0:" not in result.stderr


def test_watch_mode_advances_on_any_key_without_enter(home):
    env = {**os.environ, **home, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm"}
    command, *args = tutor_command()
    child = spawn_pty(command, [*args, "lesson", "play", "alice-bob", "--mode", "watch",
                                    "--lang", "en"], env=env, encoding="utf-8", timeout=15,
                      dimensions=(40, 120))
    try:
        child.expect(r"any key: next step, q: quit")
        wait_raw(child)  # the line is written before the key is read
        child.send(" ")  # space, no Enter
        child.expect("C: HELO crepes.fr")
        child.expect(r"any key: next step")
        wait_raw(child)
        child.send("x")  # a letter is not echoed and also advances
        child.expect("C: MAIL FROM")
        child.expect(r"any key: next step")
        wait_raw(child)
        child.send("\x1b[C")  # an arrow is one key, not three
        child.expect("C: RCPT TO")
        child.expect(r"any key: next step")
        wait_raw(child)
        child.send("q")
        child.expect(r"Lesson stopped at step \d+ of \d+; it starts again from the beginning "
                     r"next time\.")
        child.expect(pexpect.EOF)
        assert "x" not in child.before
    finally:
        child.terminate(force=True)


def test_watch_mode_in_vietnamese_says_any_key(home):
    env = {**os.environ, **home, "TERM": "xterm"}
    command, *args = tutor_command()
    child = spawn_pty(command, [*args, "lesson", "play", "1", "--mode", "watch", "--lang", "vi"],
                      env=env, encoding="utf-8", timeout=15, dimensions=(40, 120))
    try:
        child.expect("phím bất kỳ: bước tiếp theo")
        wait_raw(child)
        child.send("\x03")  # Ctrl-C quits cleanly
        child.expect(pexpect.EOF)
        assert "Traceback" not in child.before
    finally:
        child.terminate(force=True)
