"""`connect --imap` typed in a real terminal: tags added, completion, a literal after "+",
and a password never drawn, never in the scrollback, never recalled."""

from __future__ import annotations

from tests.pty_screen import PtyScreen


def test_the_imap_shell_in_a_terminal(mailhost):
    term = PtyScreen("connect", "--imap", "127.0.0.1", str(mailhost.port), "--cafile", mailhost.ca)
    try:
        term.wait("imap>")
        term.type("STARTT")
        term.wait("imap> STARTT")  # drawn by the prompt: then Tab and Enter, in one write
        term.type("\t\r")  # completion from the command list
        term.wait("TLS is up")
        term.type("LOGIN bob\r")  # no password: asked for, hidden
        term.wait("Password (hidden):")
        term.type("wrongpass\r")
        term.wait("AUTHENTICATIONFAILED")
        term.type("LOGIN bob {7}\r")  # a literal: the shell waits for "+", then asks
        term.wait("literal>")
        term.type("pickles\r")
        term.wait("a3 OK")
        term.type("x9 SELECT INBOX\r")  # a tag of the student's own
        term.wait("x9 OK [READ-WRITE]")
        term.type("LOGIN bob pickles")  # typed in full: drawn as stars while typed
        term.wait("imap> LOGIN bob *******")
        term.type("\x15FETCH 1 (FLAGS)\r")
        term.wait("* 1 FETCH (FLAGS (\\Recent))")  # first to select it (RFC 3501 §2.3.2)
        term.reading()  # a key typed before the prompt is back, the terminal echoes
        term.type("\x1b[A")
        term.wait_cursor_line("imap> FETCH 1 (FLAGS)")
        term.type("\x1b[A")  # the up arrow recalls SELECT, never a LOGIN line with a secret
        term.wait_cursor_line("imap> x9 SELECT INBOX")
        term.type("\x1b[A")  # nor a password typed when asked, nor a literal's octets
        term.wait_cursor_line("imap> LOGIN bob")
        term.type("\x15:explain\r")  # alone: the last reply, FETCH's tagged OK
        term.wait("FETCH: read parts of messages")
        term.type("LOGOUT\r")
        term.wait("LOGOUT completed")
        assert term.ended() == 0
    finally:
        term.close()
    assert "pickles" not in term.raw.replace("LOGIN bob pickles): the shell", "")
    assert "wrongpass" not in term.raw
