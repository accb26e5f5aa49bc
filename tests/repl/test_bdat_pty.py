"""BDAT and PIPELINING typed in the shell, in a real pseudo-terminal (RFC 3030, RFC 2920)."""

from __future__ import annotations

import os

import pexpect

from tests.conftest import spawn_pty, tutor_command
from tests.repl.test_keys_pty import spawn, to_state, typed


def spawn_plain(host: str, port: int):
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm"}
    command, *args = tutor_command()
    child = spawn_pty(command, [*args, "connect", host, str(port), "--timeout", "10"],
                      env=env, encoding="utf-8", timeout=15, dimensions=(40, 140))
    child.expect(r"\[helo\]>")
    return child


def bdat_in_the_shell(child, recipient: str) -> None:
    to_state(child, ("EHLO crepes.fr", "ready"), ("MAIL FROM:<alice@crepes.fr>", "mail"),
             (f"RCPT TO:<{recipient}>", "rcpt"))
    typed(child, "BDAT 20 LAST\r")
    child.expect(r"\[bdat: 20 octets to go\]>")
    typed(child, "Subject: hi\r")  # 13 octets
    child.expect("13 of 20 octets")
    child.expect(r"\[bdat: 7 octets to go\]>")
    typed(child, "QUIT\r")  # octets, not a command: 6
    child.expect(r"\[bdat: 1 octet to go\]>")
    typed(child, "x\r")  # 3 octets: only 1 fits
    child.expect("Chunk complete")
    child.expect("2 octets of this line were not sent")
    child.expect("250 2.0.0")
    child.expect(r"\[ready\]>")
    typed(child, "NOOP\r")
    child.expect("250")
    child.expect(r"\[ready\]>")


def test_bdat_typed_in_the_shell_on_the_practice_server(practice):
    child = spawn(practice)
    try:
        bdat_in_the_shell(child, "bob@hamburger.edu")
        typed(child, ":pipeline\r")
        typed(child, "MAIL FROM:<alice@crepes.fr>\r")
        typed(child, "RCPT TO:<bob@hamburger.edu>\r")
        typed(child, "RCPT TO:<carol@example.com>\r")
        typed(child, ":end\r")
        child.expect("Pipelined group 1: 3 commands")
        child.expect("550 5.7.1")
        child.expect("carol@example.com.*group 1")
        child.expect(r"\[rcpt\]>")
        typed(child, ":quit\r")
        child.expect("221")
        child.expect(pexpect.EOF)
    finally:
        child.terminate(force=True)
    [stored] = list((practice.mailbox_dir / "bob" / "new").iterdir())
    assert stored.read_bytes().endswith(b"Subject: hi\nQUIT\nx")  # stored with LF


def test_bdat_typed_in_the_shell_on_postfix(postfix):
    child = spawn_plain(*postfix)
    try:
        bdat_in_the_shell(child, "bob@localhost")
        typed(child, ":quit\r")
        child.expect("221")
        child.expect(pexpect.EOF)
    finally:
        child.terminate(force=True)


def test_bdat_to_a_server_without_chunking_opens_no_chunk_and_says_why(bare_aiosmtpd):
    """aiosmtpd never advertised CHUNKING: it answers BDAT at once (500), so the shell
    must not wait for octets: it says why, and the next line is a command (I1)."""
    child = spawn_plain(*bare_aiosmtpd)
    try:
        to_state(child, ("EHLO crepes.fr", "ready"), ("MAIL FROM:<alice@crepes.fr>", "mail"),
                 ("RCPT TO:<bob@hamburger.edu>", "rcpt"))
        typed(child, "BDAT 12 LAST\r")
        child.expect("never advertised CHUNKING")
        typed(child, "\r")  # the prefilled line: send it anyway
        child.expect('500 Error: command "BDAT" not recognized')
        child.expect("opened no chunk")
        child.expect(r"\[rcpt\]>")
        typed(child, "NOOP\r")
        child.expect("250 OK")
        child.expect(r"\[rcpt\]>")
        typed(child, "QUIT\r")
        child.expect("221")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)


def test_between_chunks_the_prompt_says_so_and_data_is_predicted_refused(practice):
    """I5: after a chunk without LAST only BDAT (or RSET) may follow (RFC 3030 §2)."""
    child = spawn(practice)
    try:
        to_state(child, ("EHLO crepes.fr", "ready"), ("MAIL FROM:<alice@crepes.fr>", "mail"),
                 ("RCPT TO:<bob@hamburger.edu>", "rcpt"))
        typed(child, "BDAT 5\r")
        child.expect(r"\[bdat: 5 octets to go\]>")
        typed(child, "abc\r")
        child.expect("250")
        child.expect(r"\[bdat: next chunk\]>")
        typed(child, "DATA\r")
        child.expect("one transaction uses BDAT or DATA, never both")
        child.expect(r"\[bdat: next chunk\]>")
        child.sendcontrol("u")  # not sent: finish with the last chunk instead
        typed(child, "BDAT 0 LAST\r")
        child.expect("250")
        child.expect(r"\[ready\]>")
    finally:
        child.close(force=True)
