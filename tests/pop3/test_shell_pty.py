"""The POP3 shell typed in a real terminal: a password never appears on the screen,
in the scrollback or in the history (D17)."""

from __future__ import annotations

from tests.pop3.conftest import ca_file
from tests.pty_screen import PtyScreen


def test_a_password_is_never_drawn_nor_recalled(pop3):
    server, _, _ = pop3
    term = PtyScreen("connect", "--pop3", "127.0.0.1", str(server.port), "--cafile", ca_file())
    try:
        term.wait("pop3>")
        term.type("STLS\r")
        term.wait("TLS is up")
        term.type("USER bob\r")
        term.wait("send PASS for bob")
        term.type("PASS\r")  # alone: asked for, hidden
        term.wait("Password (hidden):")
        term.type("wrongpass\r")
        term.wait("invalid user name or password")
        term.type("USER bob\r")
        term.wait("+OK send PASS for bob", count=2)  # this USER's reply, not the first
        term.reading()
        term.type("PASS pickles")  # typed in full: drawn as stars while typed
        term.wait("pop3> PASS *******")
        term.type("\r")
        term.wait("bob's maildrop has")
        term.reading()  # a key typed before the prompt is back, the terminal echoes
        term.type("\x1b[A")  # the up arrow recalls USER, never the PASS line
        term.wait("pop3> USER bob")
        term.type("\x1b[A")  # nor the password typed when asked for (wrongpass)
        term.wait_cursor_line("pop3> PASS")
        term.type("\x15:explain\r")  # alone: the last reply, PASS's +OK
        term.wait("PASS: the password")
        term.type("QUIT\r")
        term.wait("signing off")
        assert term.ended() == 0
    finally:
        term.close()
    assert "pickles" not in term.raw and "wrongpass" not in term.raw
