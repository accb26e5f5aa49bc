"""The small things on the shell's screen (issue 24: D14, D15, D16), in a real pty."""

from __future__ import annotations

import pexpect

from tests.repl.test_keys_pty import clean, spawn, to_state, typed


def test_headers_tip_with_the_354_and_a_spaced_dot_is_not_the_end(practice):
    child = spawn(practice)
    try:
        to_state(child, ("EHLO crepes.fr", "ready"), ("MAIL FROM:<alice@crepes.fr>", "mail"),
                 ("RCPT TO:<bob@hamburger.edu>", "rcpt"))
        typed(child, "DATA\r")
        child.expect("354")
        child.expect(r"before the first body line, `:headers` writes From:")
        child.expect(r"\[data\]>")
        typed(child, ":headers\r")  # the tip can still be used: no body line yet
        child.expect(r"\[data\]>")
        typed(child, ". \r")
        child.expect("Not the end of the message")
        child.expect(r"\[data\]>")
        typed(child, ".\r")
        child.expect("250")
        child.expect(r"\[ready\]>")
        typed(child, "QUIT\r")
        child.expect("221")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)


def test_mail_form_gets_a_did_you_mean(practice):
    child = spawn(practice)
    try:
        to_state(child, ("EHLO crepes.fr", "ready"))
        typed(child, "MAIL FORM:<alice@crepes.fr>\r")
        child.expect(r"did you mean FROM\?")
        assert "space after" not in clean(child.before)
        child.expect(r"\[ready\]>")
    finally:
        child.close(force=True)


def test_tab_and_enter_in_one_read_send_what_the_screen_shows(practice):
    """D24: `NO` + Tab + Enter in one write (tmux, a paste): NOOP leaves, not `NO`."""
    child = spawn(practice)
    try:
        to_state(child, ("EHLO crepes.fr", "ready"))
        child.send("NO\t\r")
        child.expect("C: NOOP")
        child.expect("250")
        child.expect(r"\[ready\]>")
        assert "not an SMTP command" not in clean(child.before)
    finally:
        child.close(force=True)


def test_after_quit_the_builtin_shell_points_to_the_mailbox():
    """D25: as the lesson's end does, the shell on the built-in server says where the
    message went once it leaves."""
    import os

    from tests.conftest import spawn_pty, tutor_command

    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm"}
    command, *args = tutor_command()
    child = spawn_pty(command, [*args, "--lang", "en"], env=env, encoding="utf-8",
                      timeout=15, dimensions=(40, 120))
    try:
        child.expect(r"\[helo\]>")
        to_state(child, ("EHLO crepes.fr", "ready"), ("MAIL FROM:<alice@crepes.fr>", "mail"),
                 ("RCPT TO:<bob@hamburger.edu>", "rcpt"), ("DATA", "data"),
                 ("Subject: hi", "data"), ("", "data"), ("Hello Bob", "data"), (".", "ready"))
        typed(child, "QUIT\r")
        child.expect("221")
        child.expect(r"`smtp-tutor mailbox bob` shows what the practice server stored")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
