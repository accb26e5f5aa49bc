"""A hostile server cannot take over the student's terminal, in any output kind."""

from __future__ import annotations

import base64
import io
import json
import os
import re

from smtp_tutor.net.tls import TlsStarted
from smtp_tutor.protocol import ClientSession
from smtp_tutor.render import make_renderer
from tests.conftest import run_tutor, spawn_pty, tutor_command
from tests.safety.hostile import HOSTILE, assert_inert, assert_inert_bytes

GREETING = f"220 evil.example {HOSTILE} ready\r\n".encode()
EVERY_REPLY = (f"250-evil.example {HOSTILE}\r\n250-PIPE{HOSTILE}LINING\r\n"
               f"250 AUTH{HOSTILE} PLAIN\r\n").encode()
SCRIPT = b"EHLO crepes.fr\nNOOP\nQUIT\n"


def test_piped_plain_output_is_inert(fake_server):
    host, port = fake_server(GREETING, reply_to_each=EVERY_REPLY)
    result = run_tutor("connect", host, str(port), "--timeout", "3", stdin=SCRIPT)
    assert_inert_bytes(result.stdout + result.stderr)
    assert "\\x1b]0;pwned\\x07" in result.stdout.decode()  # shown, as marks
    assert "<U+202E>" in result.stdout.decode()


def test_color_always_keeps_its_own_colours_only(fake_server):
    host, port = fake_server(GREETING, reply_to_each=EVERY_REPLY)
    result = run_tutor("connect", host, str(port), "--timeout", "3", "--color", "always",
                       stdin=SCRIPT)
    assert b"\x1b[" in result.stdout  # rich's styling is there
    assert_inert_bytes(result.stdout + result.stderr, styled=True)


def test_json_output_is_inert_and_still_json(fake_server):
    host, port = fake_server(GREETING, reply_to_each=EVERY_REPLY)
    result = run_tutor("connect", host, str(port), "--timeout", "3", "--json", stdin=SCRIPT)
    assert_inert_bytes(result.stdout + result.stderr)
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert any(r["event"] == "reply" for r in records)


def test_a_non_smtp_banner_is_inert(fake_server):
    host, port = fake_server(f"SSH-2.0-{HOSTILE}\r\n".encode())
    result = run_tutor("connect", host, str(port), "--timeout", "3", stdin=SCRIPT)
    assert result.returncode == 1
    assert_inert_bytes(result.stdout + result.stderr)
    assert "not an SMTP reply" in result.stdout.decode()


def test_decoded_auth_challenges_are_inert(fake_server):
    challenge = base64.b64encode(HOSTILE.encode()).decode()
    host, port = fake_server(b"220 ok\r\n", reply_to_each=f"334 {challenge}\r\n".encode())
    result = run_tutor("connect", host, str(port), "--timeout", "3",
                       stdin=b"EHLO x\nAUTH LOGIN\nQUIT\n")
    assert_inert_bytes(result.stdout + result.stderr)
    assert "base64 for" in result.stdout.decode()


def test_the_shell_in_a_terminal_is_not_taken_over(fake_server, tutor_home):
    host, port = fake_server(GREETING, reply_to_each=EVERY_REPLY)
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm"}
    command, *args = tutor_command()
    child = spawn_pty(command, [*args, "connect", host, str(port), "--timeout", "3"],
                      env=env, timeout=15, dimensions=(40, 160))
    child.logfile_read = io.BytesIO()
    child.expect(rb"\[helo\]>")
    child.send(b"EHLO crepes.fr\r")
    child.expect(rb"\[ready\]>")
    seen = child.logfile_read.getvalue()
    child.terminate(force=True)
    assert b"\\x1b]0;pwned" in re.sub(rb"\x1b\[[0-9;]*m", b"", seen)  # shown as text
    for bad in (b"\x1b]0;pwned", b"\x1b]52;", b"\x1b]8;;http", b"\xc2\x9b", b"\xe2\x80\xae",
                b"\x1b[2J"):
        assert bad not in seen, bad


def test_a_certificate_subject_is_inert():
    info = TlsStarted("TLSv1.3", "TLS_AES_256_GCM_SHA384", f"CN=evil{HOSTILE}",
                      f"CN=ca{HOSTILE}", False)
    for kind in ("plain", "terminal", "json"):
        stream = io.StringIO()
        renderer = make_renderer(kind, "en", stream, color=True)
        renderer.tls(info)
        assert_inert(stream.getvalue(), styled=kind == "terminal")
        assert "CN=evil" in stream.getvalue()


def test_plaintext_after_the_220_to_starttls_is_dropped_and_said():
    session = ClientSession()
    session.receive(b"220 hi\r\n")
    session.send("EHLO crepes.fr")
    session.receive(b"250-hi\r\n250 STARTTLS\r\n")
    session.send("STARTTLS")
    events = session.receive(b"220 2.0.0 go ahead\r\n250-x\r\n250 AUTH PLAIN LOGIN\r\n")
    assert len(events) == 1
    assert any(note.key == "starttls-injection" for note in events[0].notes)
    session.tls_established()
    assert "AUTH" not in session.capabilities
