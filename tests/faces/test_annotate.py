"""``smtp-tutor annotate``: transcripts printed by real tools, explained offline."""

import json
import subprocess
import sys

from tests.conftest import TEXTBOOK_TRANSCRIPT as TEXT
from tests.conftest import run_tutor

TEXTBOOK_TRANSCRIPT = TEXT.encode()



def explained(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("   = ")]


def test_textbook_notation_is_explained_in_context(tmp_path):
    path = tmp_path / "session.txt"
    path.write_bytes(TEXTBOOK_TRANSCRIPT)
    result = run_tutor("annotate", str(path), "--lang", "en")
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    assert "Sender accepted" in out and "Recipient accepted" in out
    assert "Message accepted for delivery: the server is now responsible" in out
    assert "no header section" in out and "Textbook vs today" in out
    assert len(explained(out)) == 7


def test_vietnamese_from_stdin():
    result = run_tutor("annotate", "--lang", "vi", stdin=TEXTBOOK_TRANSCRIPT)
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
    result = run_tutor("annotate", "--lang", "en", stdin=run.stdout)
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
    result = run_tutor("annotate", "--json", stdin=run.stderr)
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
    result = run_tutor("annotate", "--lang", "en", stdin=run.stdout)
    out = result.stdout.decode()
    assert "S: 554 5.7.1" in out and "relay" in out.lower()


def test_nothing_to_annotate_and_unreadable_files_get_a_hint(tmp_path):
    result = run_tutor("annotate", stdin=b"Trying 127.0.0.1...\n")
    assert result.returncode == 1 and "No SMTP dialogue" in result.stdout.decode()
    assert "swaks" in result.stdout.decode()
    result = run_tutor("annotate", str(tmp_path / "missing.txt"))
    assert result.returncode == 2 and "Cannot read" in result.stdout.decode()
    assert b"Traceback" not in result.stderr
