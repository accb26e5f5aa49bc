"""Crafted files (transcripts, lessons, mailboxes), odd numbers, slow servers, huge input
and an unwritable home: a short message, never a traceback, a hang or a memory blow-up."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree

import pytest

from smtp_tutor.lessons.parser import LessonError, parse_lesson
from smtp_tutor.protocol import ClientSession
from smtp_tutor.server.maildir import write_and_commit
from tests.conftest import ROOT, TEXTBOOK_TRANSCRIPT, run_tutor, tutor_command
from tests.safety.hostile import HOSTILE, assert_inert, assert_inert_bytes

HOSTILE_TRANSCRIPT = TEXTBOOK_TRANSCRIPT.replace("Do you like ketchup?", f"ketchup{HOSTILE}")
HOSTILE_TRANSCRIPT = HOSTILE_TRANSCRIPT.replace("S: 220 hamburger.edu", f"S: 220 hamburger.edu{HOSTILE}")


@pytest.mark.parametrize("flags", [(), ("--color", "always"), ("--json",), ("--raw",)])
def test_annotate_shows_a_crafted_transcript_inert(flags):
    result = run_tutor("annotate", *flags, stdin=HOSTILE_TRANSCRIPT.encode())
    assert result.returncode == 0
    assert_inert_bytes(result.stdout + result.stderr, styled="--color" in flags)


@pytest.mark.parametrize("fmt", ["md", "svg", "html"])
def test_export_of_a_crafted_transcript_is_inert_and_well_formed(tmp_path, fmt):
    source = tmp_path / "evil.txt"
    source.write_text(HOSTILE_TRANSCRIPT, encoding="utf-8")
    out = tmp_path / f"evil.{fmt}"
    result = run_tutor("export", str(source), "--format", fmt, "-o", str(out))
    assert result.returncode == 0, result.stderr
    content = out.read_text(encoding="utf-8")
    assert_inert(content)
    if fmt == "svg":
        ElementTree.fromstring(content)  # well-formed XML
    if fmt == "md":
        assert content.count("```") % 2 == 0


def test_a_lesson_with_control_characters_is_refused_visibly(tmp_path):
    lesson = tmp_path / "evil.lesson"
    lesson.write_text(f"title: evil{HOSTILE}\nS: 220 hi\nC: QUIT\nS: 221 bye\n", encoding="utf-8")
    for args in (("lesson", "check", str(lesson)), ("lesson", "play", str(lesson), "--offline",
                                                     "--mode", "watch")):
        result = run_tutor(*args)
        assert result.returncode != 0
        assert_inert_bytes(result.stdout + result.stderr)
        assert b"control" in result.stderr and b"Traceback" not in result.stderr


@pytest.mark.parametrize("header", ["level: \u00b2", "level: " + "9" * 5000,
                                    "server: greylist=abc", "server: greylist=\u00b2"])
def test_odd_numbers_in_a_lesson_are_problems_not_crashes(header):
    with pytest.raises(LessonError) as error:
        parse_lesson(f"{header}\nS: 220 hi\nC: QUIT\nS: 221 bye\n")
    assert error.value.problems


def test_a_pattern_built_to_backtrack_cannot_hang_a_lesson(tmp_path):
    lesson = tmp_path / "redos.lesson"
    lesson.write_text("S: 220 " + "a" * 40 + "!\nexpect: 220 /^(a+)+$/\nC: QUIT\nS: 221 bye\n")
    started = time.monotonic()
    check = run_tutor("lesson", "check", str(lesson))
    play = run_tutor("lesson", "play", str(lesson), "--offline", "--mode", "watch", timeout=30)
    assert time.monotonic() - started < 20
    assert check.returncode == 0 and b"Traceback" not in play.stderr


def test_odd_sizes_from_the_user_or_the_server_never_crash():
    session = ClientSession()
    session.receive(b"220 hi\r\n")
    session.send("EHLO x")
    session.receive("250-hi\r\n250 SIZE \u00b2\r\n".encode())
    assert session.capabilities.size_limit == 0
    for size in ("\u00b2", "9" * 5000, "-1", ""):
        notes = session.check(f"MAIL FROM:<a@b> SIZE={size}")
        assert all(note.key for note in notes)


def test_a_huge_smtplib_line_is_read_as_text():
    transcript = "send: " + "(" * 3000 + ")" * 3000 + "\nreply: b'250 ok\\r\\n'\n"
    result = run_tutor("annotate", stdin=transcript.encode())
    assert b"Traceback" not in result.stderr and result.returncode in (0, 1)


def test_a_server_that_dribbles_is_cut_off_per_reply(dribbling_server):
    host, port = dribbling_server
    started = time.monotonic()
    result = run_tutor("connect", host, str(port), "--timeout", "1", stdin=b"QUIT\n")
    elapsed = time.monotonic() - started
    assert result.returncode == 1 and elapsed < 4
    assert b"what had arrived" in result.stdout + result.stderr

def test_a_huge_piped_body_line_keeps_memory_bounded(practice):
    """A 60 MB body line: the client streams it instead of holding it (RSS from the kernel)."""
    script = (
        "import resource, subprocess, sys\n"
        "head = b'EHLO x\\nMAIL FROM:<a@crepes.fr>\\nRCPT TO:<bob@hamburger.edu>\\nDATA\\n'\n"
        "proc = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,"
        " stderr=subprocess.DEVNULL)\n"
        "proc.stdin.write(head)\n"
        "for _ in range(60):\n    proc.stdin.write(b'x' * (1 << 20))\n"
        "proc.stdin.write(b'\\n.\\nQUIT\\n'); proc.stdin.close(); proc.wait()\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    result = subprocess.run([sys.executable, "-c", script, *tutor_command(), "connect",
                             practice.host, str(practice.port)], capture_output=True, timeout=120)
    peak_kib = int(result.stdout.decode().strip())
    assert peak_kib < 120 * 1024, peak_kib


def test_an_unwritable_home_still_lets_mailbox_and_explain_work(tmp_path):
    home = tmp_path / "ro"
    home.mkdir()
    home.chmod(stat.S_IRUSR | stat.S_IXUSR)
    env = {"SMTP_TUTOR_HOME": str(home / "smtp-tutor"), "SMTP_TUTOR_CACHE": ""}
    try:
        for args in (("mailbox", "bob"), ("explain", "354")):
            result = run_tutor(*args, env=env)
            assert result.returncode == 0, result.stderr
            assert b"Traceback" not in result.stderr and b"unexpected error" not in result.stderr
    finally:
        home.chmod(stat.S_IRWXU)


def test_the_private_key_and_history_are_never_readable_by_others(practice, tutor_home):
    key = tutor_home / "tls" / "server.key"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    from smtp_tutor.repl.history import SafeFileHistory

    history = SafeFileHistory(str(tutor_home / "history-test"), lambda line: True)
    history.store_string("EHLO crepes.fr")
    assert stat.S_IMODE(os.stat(tutor_home / "history-test").st_mode) == 0o600


def test_a_failed_commit_leaves_no_orphan_in_tmp(tmp_path):
    box = tmp_path / "bob"
    (box / "tmp").mkdir(parents=True)  # no new/: the rename fails
    with pytest.raises(OSError):
        write_and_commit(str(tmp_path), [(f"{box}/tmp/one", f"{box}/new/one", b"x"),
                                         (f"{box}/tmp/two", f"{box}/new/two", b"y")])
    assert list((box / "tmp").iterdir()) == []


def test_lesson_reports_never_keep_an_auth_line_typed_at_the_wrong_step(tmp_path):
    report = tmp_path / "r.json"
    result = run_tutor("lesson", "play", "alice-bob", "--offline", "--report", str(report),
                       stdin=b"AUTH\tPLAIN\tAGJvYgBwaWNrbGVz\n:quit\n")
    assert b"AGJvYgBwaWNrbGVz" not in report.read_bytes()
    assert json.loads(report.read_text())["lesson"] == "alice-bob"
    assert result.returncode != 0


def test_every_lesson_in_the_library_is_free_of_control_characters():
    for path in (ROOT / "lessons").glob("*.lesson"):
        parse_lesson(path.read_text(encoding="utf-8"), str(path))
