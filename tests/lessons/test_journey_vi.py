"""T19: the journey lessons in Vietnamese carry no English prose (hop headings included),
played offline, watched live and typed live in the practice world.

Two checks on every output: no English function word (``assert_vietnamese``), and no ASCII
word of three letters or more that the committed allowlist (tests/vi_allowlist.toml: verbs,
reply codes, header field names, RFC numbers, host names …) does not name
(``foreign_words``).  The typed run asks for every hint with ``?``, so the hints, the
prompts' own questions, the world's notes (DNS, queue, TLS, relay) and the server texts the
lesson explains are all read in Vietnamese.
"""

from __future__ import annotations

import pytest

from tests.test_vietnamese_walk import assert_vietnamese, foreign_words, run_vi

SUBMISSION = ["?", "EHLO alice-laptop", "?", "STARTTLS", "?", "EHLO alice-laptop",
              "?", "AUTH PLAIN", "alice", "ketchup", "?", "MAIL FROM:<alice@crepes.fr>"]
TYPED = {
    13: [*SUBMISSION, "?", "RCPT TO:<chef@nomail.fr>", "?", "RCPT TO:<bob@hamburger.edu>",
         "?", "DATA", "?", "Subject: Ketchup", "", "Do you like ketchup?", "?", ".", "?", "QUIT",
         "?", "MX hamburger.edu", "?", "A mx.hamburger.edu", "?", "MX bistro.fr"],
    14: [*SUBMISSION, "?", "RCPT TO:<nobody@hamburger.edu>", "?", "DATA", "Subject: Hello?", "",
         "Is anybody there?", ".", "?", "QUIT", "?", "STLS", "?", "USER alice@crepes.fr",
         "?", "PASS", "ketchup", "?", "RETR 1", "?", "DELE 1", "?", "QUIT"],
    15: [*SUBMISSION, "?", "RCPT TO:<bob@hamburger.edu>", "?", "DATA", "Subject: Patience", "",
         "Good things come to those who retry.", ".", "?", "QUIT"],
    16: [*SUBMISSION, "?", "RCPT TO:<bob@hamburger.edu>", "?", "DATA", "Subject: Pickles", "",
         "And how about pickles?", ".", "?", "QUIT", "?", "CAPA", "?", "STLS", "?", "USER bob",
         "?", "PASS", "pickles", "?", "STAT", "?", "LIST", "?", "RETR 1", "?", "DELE 1",
         "?", "QUIT"],
}


def assert_allowlisted(name: str, out: str) -> None:
    assert_vietnamese(name, out)
    hits = foreign_words(out)
    assert not hits, f"{name}:\n" + "\n".join(hits)


@pytest.mark.parametrize("number", range(13, 17))
def test_journey_watch_offline_in_vietnamese(number):
    out = run_vi("lesson", "play", str(number), "--offline", "--mode", "watch", "--pace", "0.001")
    assert "chặng 1" in out
    assert_allowlisted(f"lesson {number} offline", out)


@pytest.mark.parametrize("number", range(13, 17))
def test_journey_watch_live_in_vietnamese(number):
    out = run_vi("lesson", "play", str(number), "--mode", "watch", "--pace", "0.001")
    assert "(cổng 587)" in out and "HÀNG ĐỢI ·" in out  # the world spoke, in Vietnamese
    assert_allowlisted(f"lesson {number} live", out)


@pytest.mark.parametrize("number", range(13, 17))
def test_journey_typed_live_in_vietnamese(number, tmp_path):
    """Practice mode against the world, every line typed (stdin a pipe), every hint asked."""
    typed = "".join(f"{line}\n" for line in TYPED[number]).encode()
    out = run_vi("lesson", "play", str(number), stdin=typed, env={"SMTP_TUTOR_HOME": str(tmp_path)})
    assert "Traceback" not in out
    assert "Hoàn thành bài học: mọi phản hồi đều đúng như dự kiến." in out, out[-2000:]
    assert "Đã đánh dấu ✓" in out
    assert_allowlisted(f"lesson {number} typed", out)


def test_journey_asked_for_answers_and_a_wrong_password_in_vietnamese(tmp_path):
    """`:show` (at a command, at AUTH, in DATA) and a refused password: their texts too."""
    typed = ["?", ":show", "EHLO alice-laptop", "STARTTLS", "EHLO alice-laptop", ":show",
             "AUTH PLAIN", "alice", "wrong-one", "AUTH LOGIN", "", "ketchup",
             *TYPED[13][TYPED[13].index("MAIL FROM:<alice@crepes.fr>"):TYPED[13].index("DATA") + 1],
             ":show", "Subject: Ketchup", "", ":show", ".", "QUIT", "MX hamburger.edu",
             "A mx.hamburger.edu", "MX bistro.fr"]
    out = run_vi("lesson", "play", "13", stdin="".join(f"{line}\n" for line in typed).encode(),
                 env={"SMTP_TUTOR_HOME": str(tmp_path)})
    assert "S: 535" in out and "Chưa đánh dấu ✓" in out, out[-2000:]
    assert "tiếp tục với: “" in out  # the lesson's own next line of the message, quoted
    assert_allowlisted("lesson 13 :show", out)


@pytest.mark.parametrize("number", [17, 18])
def test_smtputf8_and_imap_lessons_watched_live_in_vietnamese(number):
    """Lessons 17 (SMTPUTF8) and 18 (IMAP, against the world's IMAP server) live as well."""
    out = run_vi("lesson", "play", str(number), "--mode", "watch", "--pace", "0.001")
    assert "Hoàn thành bài học" in out, out[-2000:]
    assert_allowlisted(f"lesson {number} live", out)
