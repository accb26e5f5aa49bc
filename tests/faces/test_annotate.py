"""``smtp-tutor annotate``: transcripts printed by real tools, explained offline."""

import json
import subprocess
import sys

from tests.conftest import TEXTBOOK_TRANSCRIPT as TEXT
from tests.conftest import tutor_in_process

# annotate runs in this process (tutor_in_process); the tools whose output it reads
# (swaks, openssl s_client, Postfix) are real programs

TEXTBOOK_TRANSCRIPT = TEXT.encode()



def explained(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("   = ")]


def test_textbook_notation_is_explained_in_context(tmp_path):
    path = tmp_path / "session.txt"
    path.write_bytes(TEXTBOOK_TRANSCRIPT)
    result = tutor_in_process("annotate", str(path), "--lang", "en")
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    assert "Sender accepted" in out and "Recipient accepted" in out
    assert "Message accepted for delivery: the server is now responsible" in out
    assert "no header section" in out and "Textbook vs today" in out
    assert len(explained(out)) == 7


def test_vietnamese_from_stdin():
    result = tutor_in_process("annotate", "--lang", "vi", stdin=TEXTBOOK_TRANSCRIPT)
    out = result.stdout.decode()
    assert result.returncode == 0
    assert "thành công" in out and "máy chủ" in out


def test_a_real_swaks_run_with_starttls_and_auth(practice, swaks):
    run = subprocess.run(
        [swaks, "--server", f"{practice.host}:{practice.port}", "--from", "alice@crepes.fr",
         "--to", "bob@hamburger.edu", "--tls", "--tls-ca-path", str(practice.ca_path),
         "--auth", "LOGIN", "--auth-user", "alice", "--auth-password", "ketchup"],
        capture_output=True, timeout=60)
    assert run.returncode == 0, run.stdout.decode()
    result = tutor_in_process("annotate", "--lang", "en", stdin=run.stdout)
    out = result.stdout.decode()
    assert result.returncode == 0
    assert "from here the dialogue was encrypted" in out
    assert "added AUTH; removed STARTTLS" in out
    assert "base64 for “Password:”" in out  # the practice server says what Postfix says
    assert "ketchup" not in out and "a2V0Y2h1cA" not in out  # the password stays hidden
    assert "Authentication succeeded" in out and "Goodbye" in out


def test_real_smtplib_debug_output(practice):
    script = (
        "import smtplib, sys\n"
        f"s = smtplib.SMTP('{practice.host}', {practice.port})\n"
        "s.set_debuglevel(1)\n"
        "s.ehlo('crepes.fr')\n"
        "s.sendmail('alice@crepes.fr', ['bob@hamburger.edu', 'nobody@hamburger.edu'],"
        " b'Subject: hi\\r\\n\\r\\n.dot\\r\\n')\n"
        "s.quit()\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    result = tutor_in_process("annotate", "--json", stdin=run.stderr)
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    replies = [(r["code"], r["answering"]) for r in records if r["event"] == "reply"]
    assert replies == [(250, "EHLO"), (250, "MAIL"), (250, "RCPT"), (550, "RCPT"), (354, "DATA"),
                       (250, "end-of-data"), (221, "QUIT")]
    assert any(r["event"] == "message" and r["key"] == "transcript-no-greeting" for r in records)
    data = [r for r in records if r["event"] == "data"]
    assert data[-1]["line"] == ".dot" and data[-1]["stuffed"] is True


def test_a_postfix_refusal_seen_through_swaks(postfix, swaks):
    run = subprocess.run(
        [swaks, "--server", f"{postfix[0]}:{postfix[1]}", "--from", "alice@crepes.fr",
         "--to", "nobody@example.org", "--quit-after", "RCPT"], capture_output=True, timeout=60)
    result = tutor_in_process("annotate", "--lang", "en", stdin=run.stdout)
    out = result.stdout.decode()
    assert "S: 554 5.7.1" in out and "relay" in out.lower()


def test_nothing_to_annotate_and_unreadable_files_get_a_hint(tmp_path):
    result = tutor_in_process("annotate", stdin=b"Trying 127.0.0.1...\n")
    assert result.returncode == 1 and "No SMTP dialogue" in result.stdout.decode()
    assert "swaks" in result.stdout.decode()
    result = tutor_in_process("annotate", str(tmp_path / "missing.txt"))
    assert result.returncode == 2 and "Cannot read" in result.stdout.decode()
    assert b"Traceback" not in result.stderr


def test_swaks_tls_startup_failed_is_kept(practice, swaks, tmp_path):
    """swaks verifying against a CA that did not sign the practice certificate: its
    `*** TLS startup failed` line must reach the annotation (I12), not be dropped."""
    import trustme

    other_ca = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    run = subprocess.run(
        [swaks, "--server", f"{practice.host}:{practice.port}", "--from", "alice@crepes.fr",
         "--to", "bob@hamburger.edu", "--tls", "--tls-verify", "--tls-ca-path", str(other_ca)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)  # swaks 2>&1
    assert b"*** TLS startup failed" in run.stdout, run.stdout.decode()
    out = tutor_in_process("annotate", "--lang", "en", stdin=run.stdout).stdout.decode()
    assert "the TLS handshake failed here" in out
    assert out.index("Go ahead with TLS") < out.index("the TLS handshake failed here")
    vi = tutor_in_process("annotate", "--lang", "vi", stdin=run.stdout).stdout.decode()
    assert "bắt tay TLS đã thất bại" in vi


def test_swaks_implicit_tls_is_recognised(loop_thread, practice, swaks):
    import asyncio

    from aiosmtpd.handlers import Sink
    from aiosmtpd.smtp import SMTP

    from smtp_tutor.server.certs import server_context

    context = server_context(practice.ca_path.with_name("server.pem"),
                             practice.ca_path.with_name("server.key"))

    async def start():
        loop = asyncio.get_running_loop()
        return await loop.create_server(lambda: SMTP(Sink(), loop=loop), "127.0.0.1", 0,
                                        ssl=context)

    server = loop_thread.run(start())
    try:
        port = server.sockets[0].getsockname()[1]
        run = subprocess.run(
            [swaks, "--server", f"127.0.0.1:{port}", "--from", "alice@crepes.fr",
             "--to", "bob@hamburger.edu", "--tlsc", "--quit-after", "EHLO"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        assert b"=== TLS started" in run.stdout, run.stdout.decode()
    finally:
        loop_thread.loop.call_soon_threadsafe(server.close)
    out = tutor_in_process("annotate", "--lang", "en", stdin=run.stdout).stdout.decode()
    assert "implicit TLS (port 465)" in out
    assert out.index("implicit TLS") < out.index("220")
