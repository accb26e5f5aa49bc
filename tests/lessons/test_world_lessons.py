"""World lessons: the hop syntax, and each lesson typed by a student in a real pty."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from smtp_tutor.lessons.library import find
from smtp_tutor.lessons.model import CLIENT, DNS, IMAP, POP3, RELAY
from smtp_tutor.lessons.parser import LessonError, parse_lesson, read_lesson
from smtp_tutor.lessons.placeholders import bindings, fill
from tests.conftest import spawn_pty, tutor_command

WORLD_LESSONS = ("mx-and-relay", "bounce", "retry-after-4xx", "pop3-fetch", "imap-read")

SMALL = """\
server: world
---
hop: submission Alice → crepes.fr (port 587)
S: 220 crepes.fr
C: QUIT
S: 221 bye
hop: dns crepes.fr → DNS
C: MX hamburger.edu
S: hamburger.edu. 300 IN MX 10 mx.hamburger.edu.
hop: pop3 Bob -> hamburger.edu (POP3)
S: +OK ready
C: LIST
S: +OK 1 message
S: 1 120
S: .
C: QUIT
S: -ERR no
expect: -ERR
"""


def _problems(text: str) -> list[str]:
    with pytest.raises(LessonError) as caught:
        parse_lesson(text)
    return [p.key for p in caught.value.problems]


def test_hops_pop3_blocks_and_dns_answers_are_read_and_checked():
    lesson = parse_lesson(SMALL)
    assert lesson.world
    hops = [step.hop for step in lesson.steps]
    assert [h.kind for h in dict.fromkeys(hops)] == ["submission", "dns", "pop3"]
    assert hops[-1].source == "Bob" and hops[-1].target == "hamburger.edu" and hops[-1].note == "POP3"
    listing = next(s for s in lesson.steps if s.lines and s.lines[0] == "+OK 1 message")
    assert listing.lines == ["+OK 1 message", "1 120", "."] and listing.code == "+OK"
    assert lesson.steps[-1].code == "-ERR" and lesson.steps[-1].expects("-ERR", "no")
    answer = next(s for s in lesson.steps if s.code == "DNS")
    assert answer.expects("DNS", "hamburger.edu.  300 IN MX 10 mx.hamburger.edu.")
    assert not answer.expects("DNS", "hamburger.edu. 300 IN MX 20 mx.hamburger.edu.")


def test_hop_mistakes_are_reported():
    assert _problems("S: 220 x\nhop: relay a → b\nC: QUIT\nS: 221 x\n") == ["lesson-hop-needs-world"]
    assert _problems("server: world\n---\nS: 220 x\nC: QUIT\nS: 221 x\n")[0] == "lesson-hop-missing"
    assert "lesson-bad-hop" in _problems("server: world\n---\nhop: ferry a to b\nS: 220 x\n")
    pop3 = "server: world\n---\nhop: pop3 Bob → h\nS: 220 not pop3\nC: QUIT\nS: +OK\n"
    assert "lesson-bad-pop3-reply" in _problems(pop3)
    dns = "server: world\n---\nhop: dns a → DNS\nC: where is bob\nS: NOERROR\n"
    assert _problems(dns) == ["lesson-bad-dns-query"]
    unended = "server: world\n---\nhop: pop3 Bob → h\nS: +OK\nC: RETR 1\nS: +OK\nS: x\nC: QUIT\nS: +OK\n"
    assert "lesson-reply-missing" in _problems(unended)
    assert "lesson-bad-expect" in _problems(SMALL.replace("expect: -ERR", "expect: 250"))


def _typed_lines(lesson_id: str) -> list[str]:
    """What the student types: every client line but the relay's, placeholders filled."""
    lesson = read_lesson(find(lesson_id))
    values = bindings()
    return [fill(step.text, values) for step in lesson.steps
            if step.kind == CLIENT and step.hop.kind != RELAY]


@pytest.mark.parametrize("lesson_id", WORLD_LESSONS)
def test_each_world_lesson_is_green_in_practice_mode(lesson_id, tmp_path):
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm", "COLUMNS": "120",
           "LINES": "40", "SMTP_TUTOR_HOME": str(tmp_path / "home"),
           "SMTP_TUTOR_CACHE": str(tmp_path / "cache")}
    command, *args = tutor_command()
    child = spawn_pty(command, [*args, "lesson", "play", lesson_id, "--lang", "en"],
                      env=env, encoding="utf-8", timeout=20, dimensions=(40, 120))
    try:
        child.expect(r"\[helo\]>")
        for line in _typed_lines(lesson_id):  # typed ahead, as a quick student does
            child.send(line + "\r")
            time.sleep(0.05)
        child.expect("every reply was the expected one")
        child.expect("Marked ✓")
    finally:
        child.terminate(force=True)


def test_lang_switches_the_lesson_and_the_world_notes_mid_way(tmp_path):
    """`:lang vi` at the prompt: what comes after, the world's notes too, is Vietnamese."""
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm", "COLUMNS": "120",
           "LINES": "40", "SMTP_TUTOR_HOME": str(tmp_path / "home"),
           "SMTP_TUTOR_CACHE": str(tmp_path / "cache")}
    command, *args = tutor_command()
    child = spawn_pty(command, [*args, "lesson", "play", "mx-and-relay", "--lang", "en"],
                      env=env, encoding="utf-8", timeout=20, dimensions=(40, 120))
    try:
        child.expect(r"\[helo\]>")
        child.send(":lang xx\r")
        child.expect("is not a language here")
        child.send(":lang vi\r")
        child.expect("Từ giờ phần giải thích dùng tiếng Việt")
        for line in _typed_lines("mx-and-relay"):
            child.send(line + "\r")
            time.sleep(0.05)
        child.expect("HÀNG ĐỢI")  # the world's queue note, said after the switch
        child.expect("Hoàn thành bài học")
        assert "QUEUE ·" not in child.before
    finally:
        child.terminate(force=True)


def test_the_lessons_teach_the_facts_the_issue_asks_for():
    text = {i: Path(find(i)).read_text(encoding="utf-8") for i in WORLD_LESSONS}
    assert "MX 0 ." in text["mx-and-relay"] and "556 5.1.10" in text["mx-and-relay"]
    assert "lower one is tried first" in text["mx-and-relay"] and "RFC 5321 §5.1" in text["mx-and-relay"]
    assert all(w in text["bounce"] for w in ("Reporting-MTA", "Final-Recipient", "Action",
                                             "Status", "Diagnostic-Code", "Return-Path: <>"))
    assert "30 minutes" in text["retry-after-4xx"] and "compresses" in text["retry-after-4xx"]
    assert "30 phút" in text["retry-after-4xx"] and "5 days" in text["retry-after-4xx"]
    assert "UPDATE" in text["pop3-fetch"] and "STLS" in text["pop3-fetch"]
    assert "EXPUNGE" in text["imap-read"] and "on the server" in text["imap-read"]
    assert "* n EXPUNGE at its next NOOP" in text["imap-read"]  # POP3 and IMAP on one Maildir
    kinds = {s.hop.kind for i in WORLD_LESSONS for s in read_lesson(find(i)).steps}
    assert {DNS, POP3, RELAY, IMAP} <= kinds


IMAP_HOP = """\
server: world
---
hop: imap Bob → hamburger.edu (IMAP)
S: * OK [CAPABILITY IMAP4rev1] ready
C: SELECT INBOX
S: * 1 EXISTS
S: * OK [UIDVALIDITY 7] ok
S: a1 OK [READ-WRITE] done
C: FETCH 1 BODY[TEXT]
S: * 1 FETCH (BODY[TEXT] {4}
S: hi
S: )
S: a2 OK done
C: CREATE Work
S: a3 BAD no
expect: BAD /not|no/
"""


def test_imap_hops_group_a_command_s_answer_and_check_tags_and_literals():
    lesson = parse_lesson(IMAP_HOP)
    servers = [s for s in lesson.steps if s.kind == "server"]
    assert [s.code for s in servers] == ["OK", "OK", "OK", "BAD"]
    assert servers[1].lines == ["* 1 EXISTS", "* OK [UIDVALIDITY 7] ok", "a1 OK [READ-WRITE] done"]
    assert servers[3].expects("BAD", "a3 BAD no") and not servers[3].expects("OK", "a3 OK")
    assert "lesson-bad-imap-block" in _problems(IMAP_HOP.replace("{4}", "{9}"))
    assert "lesson-bad-imap-block" in _problems(IMAP_HOP.replace("a2 OK done", "a7 OK done"))
    assert "lesson-bad-expect" in _problems(IMAP_HOP.replace("expect: BAD", "expect: 250"))
