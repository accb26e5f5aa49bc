"""Each reference client gets the grade the rubric says, and the grader never hangs."""

from __future__ import annotations

import time

import pytest

from tests.grade.conftest import grade, textbook, verdicts

ALL = ("delivered", "envelope", "body", "quit", "exits", "clean-dialogue", "split-replies",
       "multiline-ehlo", "slow-greeting", "rcpt-550", "greeting-421", "mail-451",
       "dot-stuffing")


def test_correct_client_gets_full_marks(correct_report):
    assert verdicts(correct_report) == dict.fromkeys(ALL, True)
    assert correct_report.score == correct_report.max_score == 16
    multiline = next(c for c in correct_report.checks if c.id == "multiline-ehlo")
    assert any(line.startswith("S: 250-") for line in multiline.excerpt)


def test_single_recv_client_fails_the_split_scenario_only_where_it_should():
    got = verdicts(grade("single_recv", textbook()))
    assert got == {**dict.fromkeys(ALL, True), "split-replies": False, "rcpt-550": False,
                   "greeting-421": False, "mail-451": False, "dot-stuffing": False}


def test_single_recv_report_names_the_bug_and_its_rfc():
    report = grade("single_recv", textbook(**{"split-replies": 2}))
    check = report.checks[0]
    assert check.rfc == "RFC 5321 §4.2.1" and check.points == 0 and check.max_points == 2
    assert "before the server's reply was complete" in check.summary
    assert "recv()" in check.hint
    assert any(line.startswith("C: HELO") for line in check.excerpt)


def test_bare_lf_client():
    report = grade("bare_lf", textbook(delivered=3, **{"clean-dialogue": 1}))
    got = {c.id: c for c in report.checks}
    assert not got["delivered"].passed
    assert not got["clean-dialogue"].passed
    assert got["clean-dialogue"].rfc == "RFC 5321 §2.3.8"
    assert "bare LF" in got["clean-dialogue"].summary


def test_client_that_ignores_a_550():
    got = verdicts(grade("ignores_550", textbook(delivered=1, **{"rcpt-550": 1, "mail-451": 1})))
    assert got == {"delivered": True, "rcpt-550": False, "mail-451": False}


def test_client_that_never_quits():
    got = verdicts(grade("no_quit", textbook(delivered=1, quit=1, exits=1, **{"rcpt-550": 1})))
    assert got == {"delivered": True, "quit": False, "exits": True, "rcpt-550": True}


def test_client_that_crashes():
    report = grade("crashes", textbook(delivered=1, exits=1))
    exits = next(c for c in report.checks if c.id == "exits")
    assert not exits.passed and "RuntimeError: student bug" in exits.summary
    assert any("Traceback" in line or "RuntimeError" in line for line in exits.excerpt)


def test_client_that_loops_forever_is_stopped_at_the_limit():
    started = time.monotonic()
    report = grade("loops", textbook(seconds=1.5, exits=1, quit=1))
    assert time.monotonic() - started < 6
    exits = next(c for c in report.checks if c.id == "exits")
    assert not exits.passed and "stopped" in exits.summary
    assert report.runs[0]["status"] == "timeout"


def test_client_that_prints_megabytes_is_graded_normally():
    report = grade("chatty", textbook(delivered=1, body=1, exits=1))
    assert all(check.passed for check in report.checks)
    assert report.runs[0]["stdout_bytes"] > 2_000_000
    assert report.runs[0]["stderr_bytes"] > 2_000_000


@pytest.mark.parametrize("lang", ["vi"])
def test_report_in_vietnamese(lang):
    report = grade("no_quit", textbook(quit=1), lang=lang)
    assert report.checks[0].name == "QUIT kết thúc phiên"
    assert "QUIT" in report.checks[0].summary and "Kết nối" in report.checks[0].summary
