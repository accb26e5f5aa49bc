"""Scripted mode in step with real servers whatever they do (issue 24: I1, I7, I14)."""

import json

from tests.conftest import tutor_in_process

# the sessions run in this process (tutor_in_process), against real servers (aiosmtpd,
# Postfix): what is tested is what they send and print, not the start

def _replies(stdout: bytes) -> list[tuple[int, str, str]]:
    records = [json.loads(line) for line in stdout.decode().splitlines()]
    return [(r["code"], r["answering"], " ".join(r["lines"])) for r in records if r["event"] == "reply"]


def test_bdat_to_aiosmtpd_that_never_advertised_chunking_stays_in_step(bare_aiosmtpd):
    """The interop review's reproduction: aiosmtpd answers BDAT and the "chunk" line as
    commands; every later reply must still answer its own command, and 221 ends it."""
    host, port = bare_aiosmtpd
    script = (b"EHLO crepes.fr\nMAIL FROM:<alice@crepes.fr>\nRCPT TO:<bob@hamburger.edu>\n"
              b"BDAT 12 LAST\nHello ther\nNOOP\nRSET\nQUIT\n")
    result = tutor_in_process("connect", host, str(port), "--json", "--timeout", "10", stdin=script)
    replies = _replies(result.stdout)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    answered = [(code, answering) for code, answering, _ in replies[4:]]
    assert answered == [(500, "BDAT-LAST"), (500, "HELLO"), (250, "NOOP"), (250, "RSET"),
                        (221, "QUIT")]
    assert 'BDAT' in replies[4][2] and 'HELLO' in replies[5][2]
    plain = tutor_in_process("connect", host, str(port), "--timeout", "10", stdin=script).stdout.decode()
    assert "opened no chunk" in plain


def test_refused_data_skips_the_body_to_the_lone_dot_and_says_so(practice):
    script = (b"EHLO crepes.fr\nMAIL FROM:<alice@crepes.fr>\nDATA\nSubject: pipe\n\nhello\n"
              b".\nQUIT\n")
    result = tutor_in_process("connect", practice.host, str(practice.port), stdin=script)
    out = result.stdout.decode()
    assert result.returncode == 0, out + result.stderr.decode()
    sent = [line for line in out.splitlines() if line.startswith("C: ")]
    assert sent == ["C: EHLO crepes.fr", "C: MAIL FROM:<alice@crepes.fr>", "C: DATA", "C: QUIT"]
    assert "the 3 body lines up to the lone “.” were not sent" in out


def test_refused_data_with_pipeline_sends_nothing_of_the_body(practice):
    script = b"EHLO crepes.fr\nMAIL FROM:<alice@crepes.fr>\nDATA\nhello\n.\nQUIT\n"
    result = tutor_in_process("connect", practice.host, str(practice.port), "--pipeline", stdin=script)
    out = result.stdout.decode()
    assert result.returncode == 0, out
    assert "C: hello" not in out and "the 1 body line up to the lone “.” was not sent" in out


def test_postfix_521_after_a_bad_bdat_is_the_end_at_once(postfix):
    host, port = postfix
    result = tutor_in_process("connect", host, str(port), "--timeout", "10",
                       stdin=b"EHLO crepes.fr\nBDAT abc\nNOOP\nQUIT\n")
    out = result.stdout.decode()
    assert "S: 521 5.5.4 Syntax: BDAT count [LAST]" in out, out
    assert "C: NOOP" not in out  # the close is known with the 521, not at the next command
    assert result.returncode == 1 and "521" in result.stderr.decode()


def test_pipeline_to_a_server_without_pipelining_says_it_falls_back(bare_aiosmtpd):
    host, port = bare_aiosmtpd
    result = tutor_in_process("connect", host, str(port), "--pipeline",
                       stdin=b"EHLO crepes.fr\nMAIL FROM:<alice@crepes.fr>\nRSET\nQUIT\n")
    out = result.stdout.decode()
    assert result.returncode == 0, out
    assert out.count("did not advertise PIPELINING, so each command goes alone") == 1


def test_postfix_data_after_bdat_is_predicted_and_explained(postfix):
    host, port = postfix
    script = (b"EHLO crepes.fr\nMAIL FROM:<alice@crepes.fr>\nRCPT TO:<bob@hamburger.edu>\n"
              b"BDAT 12\nHello ther\nDATA\nRSET\nQUIT\n")
    out = tutor_in_process("connect", host, str(port), "--timeout", "10", stdin=script).stdout.decode()
    assert "S: 503 5.5.1 Error: DATA after BDAT" in out, out
    before, _, after = out.partition("S: 503 5.5.1 Error: DATA after BDAT")
    assert "one transaction uses BDAT or DATA, never both, so DATA gets 503" in before
    assert "one transaction uses BDAT or DATA, never both (RFC 3030)" in after
    assert "accepted recipient" not in after.split("C: RSET")[0]


def test_postfix_discarded_chunk_is_not_user_not_local(postfix):
    host, port = postfix
    script = (b"EHLO crepes.fr\nMAIL FROM:<alice@crepes.fr>\nRCPT TO:<nosuch@hamburger.edu>\n"
              b"BDAT 12\nHello ther\nBDAT 0 LAST\nQUIT\n")
    out = tutor_in_process("connect", host, str(port), "--timeout", "10", stdin=script).stdout.decode()
    assert "S: 551 5.0.0 Discarded 0 bytes after earlier error" in out, out
    assert "User not local" not in out
    assert "a client must not send more chunks" in out  # said before BDAT 0 LAST left


def test_scripted_mode_sends_nothing_after_a_221(postfix):
    """I14: Postfix answers a header-like command with 221 and hangs up: nothing more
    leaves, with or without --pipeline."""
    host, port = postfix
    for extra in ((), ("--pipeline",)):
        result = tutor_in_process("connect", host, str(port), "--timeout", "10", *extra,
                           stdin=b"EHLO crepes.fr\nFrom: alice\nNOOP\nRSET\nQUIT\n")
        out = result.stdout.decode()
        assert "S: 221 2.7.0 Error: I can break rules, too. Goodbye." in out, out
        # with --pipeline NOOP left in the same write as `From: alice`, before the 221
        assert ("C: NOOP" not in out or extra) and "C: RSET" not in out and "C: QUIT" not in out


def test_an_unadvertised_chunk_left_unfilled_still_follows_the_server(bare_aiosmtpd):
    """The script's BDAT size is larger than the lines after it: the tool listens for
    aiosmtpd's at-once 500 before sending octets, so `hello` and QUIT leave as commands."""
    host, port = bare_aiosmtpd
    script = (b"EHLO crepes.fr\nMAIL FROM:<alice@crepes.fr>\nRCPT TO:<bob@hamburger.edu>\n"
              b"BDAT 100 LAST\nhello\nQUIT\n")
    result = tutor_in_process("connect", host, str(port), "--json", "--timeout", "10", stdin=script)
    replies = _replies(result.stdout)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    assert [(code, answering) for code, answering, _ in replies[4:]] == [
        (500, "BDAT-LAST"), (500, "HELLO"), (221, "QUIT")]


def test_postfix_after_helo_reads_an_unadvertised_chunk_and_the_tool_follows(postfix):
    """HELO advertises nothing, yet Postfix reads BDAT's chunk: no refusal comes, so the
    octets follow and the one reply after them answers the chunk."""
    host, port = postfix
    script = (b"HELO crepes.fr\nMAIL FROM:<alice@crepes.fr>\nRCPT TO:<bob@hamburger.edu>\n"
              b"BDAT 5 LAST\nabc\nQUIT\n")
    result = tutor_in_process("connect", host, str(port), "--json", "--timeout", "10", stdin=script)
    replies = _replies(result.stdout)
    assert result.returncode == 0, result.stdout.decode()
    assert [(code, answering) for code, answering, _ in replies[4:]] == [
        (250, "BDAT-LAST"), (221, "QUIT")]
    assert "5 bytes queued" in replies[4][2]
