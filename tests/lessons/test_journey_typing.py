"""The journey lessons typed line by line (stdin a pipe): the AUTH step the shell's way
(D1), the message in DATA (D3), the move to the next hop (D12)."""

from __future__ import annotations

import base64

from tests.conftest import run_tutor

HEAD = ["EHLO laptop", "STARTTLS", "EHLO laptop"]
TAIL = ["MAIL FROM:<alice@crepes.fr>", "RCPT TO:<chef@nomail.fr>", "RCPT TO:<bob@hamburger.edu>",
        "DATA", "Subject: Ketchup", ":show", "", "Do you like ketchup?", ":show", ".", "QUIT",
        "MX hamburger.edu", "A mx.hamburger.edu", "MX bistro.fr"]


def _play(lines: list[str], tmp_path) -> str:
    result = run_tutor("lesson", "play", "13", "--lang", "en",
                       stdin="".join(f"{line}\n" for line in lines).encode(),
                       env={"SMTP_TUTOR_HOME": str(tmp_path)}, timeout=120)
    out = result.stdout.decode() + result.stderr.decode()
    assert "Traceback" not in out
    return out


def test_auth_asked_as_the_shell_does_with_a_wrong_password_retried(tmp_path):
    auth = ["?", ":show", "AUTH PLAIN", "alice", "wrong-one", "AUTH LOGIN", "", "ketchup"]
    out = _play(HEAD + auth + TAIL, tmp_path)
    assert "Type AUTH PLAIN, then alice and ketchup when asked." in out  # ? works here
    assert "then the user name alice and the password ketchup" in out  # :show, once shown
    assert 'AUTH PLAIN sends base64("\\0alice\\0********")' in out
    assert "S: 535 5.7.8" in out and "The server refused these credentials" in out
    assert "S: 334 VXNlcm5hbWU6" in out and 'base64("alice") = YWxpY2U=' in out
    assert "S: 235 2.7.0" in out
    assert "wrong-one" not in out and base64.b64encode(b"ketchup").decode() not in out
    # DATA: :show names the lesson's next line not typed yet, never one typed already
    assert "goes on with: “From: Alice <alice@crepes.fr>”" in out
    assert "goes on with: “Subject: Ketchup”" not in out
    assert "A lone `.` ends the message (or type more lines" in out
    # the move to hop 2 is announced before its narration, and nothing gives the MX away
    hop2 = out.index("══ hop 2")
    assert hop2 < out.index("Ask as crepes.fr does") < out.index("C: MX hamburger.edu")
    assert "DNS · MX hamburger.edu? →" not in out[:out.index("C: MX hamburger.edu")]
    assert "every reply was the expected one" in out


def test_the_encoded_form_is_accepted_and_checked_by_the_server(tmp_path):
    wrong = base64.b64encode(b"\0alice\0nope").decode()
    right = base64.b64encode(b"\0alice\0ketchup").decode()
    out = _play(HEAD + [f"AUTH PLAIN {wrong}", f"AUTH PLAIN {right}"] + TAIL, tmp_path)
    assert out.count("S: 535") == 1 and "S: 235" in out
    assert wrong not in out and right not in out
    assert "every reply was the expected one" in out


def test_a_message_longer_than_the_lessons_is_fine(tmp_path):
    body = ["Subject: Long", "", "one", "two", "three", "four", "five", "six", "seven"]
    lines = HEAD + ["AUTH PLAIN", "alice", "ketchup"] + TAIL[:4] + body + TAIL[-5:]
    out = _play(lines, tmp_path)
    assert "C: seven" in out and "S: 250 2.0.0 Ok: queued" in out
    assert "Marked ✓" in out


def test_show_before_the_empty_line_says_to_press_enter(tmp_path):
    headers = ["Date: Mon, 30 Nov 2026 09:00:00 +0100", "From: Alice <alice@crepes.fr>",
               "To: Bob <bob@hamburger.edu>", "Subject: Ketchup"]
    body = [*headers, ":show", "", "Do you like ketchup?"]
    lines = HEAD + ["AUTH PLAIN", "alice", "ketchup"] + TAIL[:4] + body + TAIL[-5:]
    out = _play(lines, tmp_path)
    assert "goes on with an empty line: press Enter" in out
    assert "“”" not in out  # an empty quotation told nothing
    assert "every reply was the expected one" in out
