"""The shell at every key a beginner presses, in a real pseudo-terminal."""

from __future__ import annotations

import time

import pexpect
import pytest

from smtp_tutor.server.policy import Limits
from tests.repl.shell import ANSI, spawn_shell


def spawn(practice, *extra: str):
    return spawn_shell(practice, *extra, columns=140)


def typed(child, text: str) -> None:
    for index in range(0, len(text), 4):
        child.send(text[index:index + 4])
        time.sleep(0.01)


def to_state(child, *lines_and_states) -> None:
    for line, state in lines_and_states:
        typed(child, line + "\r")
        child.expect(rf"\[{state}\]>")


def reading(child, state: str) -> None:
    """Until the next prompt (in ``state``) reads keys: prompt_toolkit turns bracketed
    paste on as a prompt starts. (``[state]>`` alone may be the line just accepted,
    drawn once more as it leaves.)"""
    child.expect(r"\x1b\[\?2004h")
    child.expect(rf"\[{state}\]>")


def clean(text: str) -> str:
    return ANSI.sub("", text or "")  # the shared pattern, for text read at any point


@pytest.fixture
def shell(practice):
    child = spawn(practice)
    yield child
    child.terminate(force=True)


def test_ctrl_c_while_a_reply_is_pending_stops_the_wait_not_the_shell(shell, monkeypatch):
    # the practice server runs in this process: its "slow" recipient answers after 2.5 s,
    # not 5 (the indicator shows after 0.3 s; Ctrl-C lands well before the reply)
    monkeypatch.setattr("smtp_tutor.server.handler.SLOW_SECONDS", 2.5)
    to_state(shell, ("EHLO crepes.fr", "ready"), ("MAIL FROM:<alice@crepes.fr>", "mail"))
    typed(shell, "RCPT TO:<slow@hamburger.edu>\r")
    shell.expect("C: RCPT TO:<slow@hamburger.edu>")  # shown as it leaves
    shell.expect("waiting for the reply")  # the indicator
    shell.sendintr()
    shell.expect("Stopped waiting")
    shell.expect(r"\[mail\]>")
    shell.expect("250 2.1.5", timeout=10)  # the late reply is shown when it comes
    assert shell.isalive()


def test_ctrl_c_and_ctrl_d_at_the_auth_prompts_cancel_with_a_star(shell):
    to_state(shell, ("EHLO crepes.fr", "ready"))
    typed(shell, "STARTTLS\r")
    shell.expect("TLS is on")
    to_state(shell, ("EHLO crepes.fr", "ready"))
    typed(shell, "AUTH LOGIN\r")
    shell.expect("username:")
    shell.sendintr()
    shell.expect(r"C: \*")
    shell.expect("501")
    shell.expect(r"\[ready\]>")
    typed(shell, "AUTH PLAIN\r")
    shell.expect("username:")
    shell.sendcontrol("d")
    shell.expect("nothing was sent")
    shell.expect(r"\[ready\]>")
    typed(shell, "AUTH LOGIN\r")
    shell.expect("username:")
    typed(shell, "*\r")  # a literal star cancels too
    shell.expect(r"C: \*")
    shell.expect("501")
    assert shell.isalive()


def test_ctrl_d_in_data_asks_and_never_sends_a_half_written_message(practice):
    shell = spawn(practice)
    to_state(shell, ("EHLO crepes.fr", "ready"), ("MAIL FROM:<alice@crepes.fr>", "mail"),
             ("RCPT TO:<bob@hamburger.edu>", "rcpt"), ("DATA", "data"))
    typed(shell, "Subject: oops, I want to abort\r")
    reading(shell, "data")
    shell.sendcontrol("d")
    shell.expect("Abandon this message")
    typed(shell, "n\r")
    shell.expect("The message is kept")
    reading(shell, "data")
    shell.sendcontrol("d")
    shell.expect("Abandon this message")
    typed(shell, "y\r")
    shell.expect("Message abandoned")
    shell.expect(pexpect.EOF)
    assert not (practice.mailbox_dir / "bob" / "new").exists() or \
        not list((practice.mailbox_dir / "bob" / "new").iterdir())


def test_a_paste_of_three_lines_goes_out_line_by_line(shell):
    shell.send("\x1b[200~EHLO crepes.fr\rMAIL FROM:<alice@crepes.fr>\rRCPT TO:<bob@hamburger.edu>\r"
               "\x1b[201~")
    shell.expect(r"\[rcpt\]>")
    text = clean(shell.before)
    for line in ("C: EHLO crepes.fr", "C: MAIL FROM:<alice@crepes.fr>",
                 "C: RCPT TO:<bob@hamburger.edu>", "250 2.1.5"):
        assert line in text
    assert "bare CR or LF" not in text


def test_an_unsolicited_421_is_printed_when_it_arrives(practice_with):
    practice = practice_with(limits=Limits(idle_timeout=1.0))
    shell = spawn(practice)
    shell.expect("421 4.4.2", timeout=10)  # no key pressed
    shell.expect("unsolicited|answers no command")
    shell.expect("connection is closed")
    shell.expect(pexpect.EOF)


def test_completion_does_not_double_spaces_or_undo_itself(shell):
    shell.send("EH\t")  # typed and Tab in one write, as over SSH: the Tab is not lost
    shell.expect(r"EHLO(\x1b\[C| )")  # completed on the screen (a space, or the cursor past it)
    typed(shell, " crepes.fr\r")
    shell.expect("C: EHLO crepes.fr")
    assert "EHLO  crepes" not in clean(shell.before)
    shell.expect(r"\[ready\]>")
    typed(shell, "MAIL FROM:<alice@crepes.fr>\r")
    shell.expect(r"\[mail\]>")
    typed(shell, "RC")
    shell.send("\t")
    shell.expect("PT TO:<")  # RC completed
    shell.send("\t")  # a second Tab goes on from RCPT TO:<, it does not go back to RC
    shell.expect(r"alice@crepes\.fr")  # the addresses, in a menu
    shell.send("\t")  # the addresses: the first is chosen
    shell.expect(r"alice@crepes\.fr>")
    typed(shell, "\r")
    shell.expect(r"C: RCPT TO:<\S+>")


@pytest.mark.parametrize(("key", "reply"), [(" ", "250"), ("\t", "500 5.5.2")])
def test_ctrl_v_types_the_next_key_as_it_is_and_only_that_one(shell, key, reply):
    """Ctrl-V (quoted insert, as in bash) then Space or Tab: that key goes into the line
    (a Tab does not complete: the server gets it, and a tab is not the SP that must
    follow a verb), and the key after it is an ordinary key again: Enter sends the line."""
    typed(shell, "NOOP")
    shell.send("\x16")
    shell.send(key)
    typed(shell, "x\r")
    shell.expect("C: NOOP")
    shell.expect(f"S: {reply}")
    shell.expect(r"\[helo\]>")
