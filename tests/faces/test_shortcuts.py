"""Issue 14 part 5: swaks-like conveniences on `connect` in scripted mode."""

import email
import email.policy
import json

import pytest

from tests.conftest import tutor_in_process

# the sessions run in this process (tutor_in_process), against real servers: what is tested
# is what they send and print; tests/faces/test_scripted.py starts the program
SCRIPT = (b"EHLO crepes.fr\nSTARTTLS\nEHLO crepes.fr\nAUTH PLAIN AGJvYgBwaWNrbGVz\n"
          b"MAIL FROM:<alice@crepes.fr>\nRCPT TO:<bob@hamburger.edu>\n"
          b"RCPT TO:<carol@hamburger.edu>\nDATA\nSubject: hi\n\nHello\n.\nQUIT\n")

# what was sent, in verbs, before the QUIT that --quit-after adds
EXPECTED = {
    "greeting": [],
    "helo": ["EHLO"],
    "tls": ["EHLO", "STARTTLS"],
    "auth": ["EHLO", "STARTTLS", "EHLO", "AUTH"],
    "mail": ["EHLO", "STARTTLS", "EHLO", "AUTH", "MAIL"],
    "rcpt": ["EHLO", "STARTTLS", "EHLO", "AUTH", "MAIL", "RCPT", "RCPT"],
    "data": ["EHLO", "STARTTLS", "EHLO", "AUTH", "MAIL", "RCPT", "RCPT", "DATA", "<end-of-data>"],
}


def records(result):
    return [json.loads(line) for line in result.stdout.decode().splitlines()]


def practice_args(practice):
    return [practice.host, str(practice.port), "--cafile", str(practice.ca_path)]


@pytest.mark.parametrize("state", list(EXPECTED))
def test_quit_after_each_state(practice, state):
    result = tutor_in_process("connect", *practice_args(practice), "--quit-after", state, "--json",
                       stdin=SCRIPT)
    assert result.returncode == 0, result.stderr.decode()
    events = records(result)
    sent = [r["line"].split()[0] for r in events if r["event"] == "sent"]
    verbs = ["<end-of-data>" if line == "." else line for line in sent]
    assert verbs == EXPECTED[state] + ["QUIT"]
    keys = [r.get("key") for r in events if r["event"] == "message"]
    assert "quit-after-reached" in keys
    assert [r["code"] for r in events if r["event"] == "reply"][-1] == 221
    delivered = list((practice.mailbox_dir / "bob" / "new").glob("*")) \
        if (practice.mailbox_dir / "bob" / "new").exists() else []
    assert bool(delivered) == (state == "data")


def test_quit_after_connect_reads_nothing(practice):
    result = tutor_in_process("connect", *practice_args(practice), "--quit-after", "connect", "--json",
                       stdin=SCRIPT)
    events = records(result)
    assert result.returncode == 0
    assert [r["event"] for r in events] == ["connected", "message"]
    assert events[1]["key"] == "quit-after-connect"


def test_quit_after_a_step_that_never_comes_says_so(practice):
    result = tutor_in_process("connect", *practice_args(practice), "--quit-after", "tls",
                       stdin=b"EHLO crepes.fr\nQUIT\n")
    assert "never got that far" in result.stdout.decode()


def test_to_twice_data_and_header_round_trip_through_the_maildir(practice, tmp_path):
    message = tmp_path / "message.txt"
    message.write_bytes(b"Subject: replaced\nX-Kept: yes\n\nFirst line\n.starts with a dot\n")
    result = tutor_in_process("connect", *practice_args(practice), "--from", "alice@crepes.fr",
                       "--to", "bob@hamburger.edu", "--to", "carol@hamburger.edu",
                       "--data", str(message), "--header", "Subject: Xin chào thế giới",
                       "--json", stdin=b"")
    assert result.returncode == 0, result.stdout.decode()[-2000:]
    events = records(result)
    sent = [r["line"] for r in events if r["event"] == "sent"]
    assert sent[:5] == ["EHLO crepes.fr", "MAIL FROM:<alice@crepes.fr>",
                        "RCPT TO:<bob@hamburger.edu>", "RCPT TO:<carol@hamburger.edu>", "DATA"]
    assert sent[-1] == "QUIT"
    assert events[0]["key"] == "shortcut-dialogue"
    for user in ("bob", "carol"):
        [stored] = (practice.mailbox_dir / user / "new").iterdir()
        parsed = email.message_from_bytes(stored.read_bytes(), policy=email.policy.default)
        assert parsed["X-Kept"] == "yes"
        assert parsed.get_all("Subject") == ["Xin chào thế giới"]
        assert parsed.get_content().replace("\r\n", "\n") == "First line\n.starts with a dot\n"


def test_built_message_and_protocols(practice, tmp_path):
    smtp = tutor_in_process("connect", *practice_args(practice), "--protocol", "smtp",
                     "--to", "bob@hamburger.edu", "--json", stdin=b"")
    sent = [r["line"] for r in records(smtp) if r["event"] == "sent"]
    assert smtp.returncode == 0 and sent[0] == "HELO crepes.fr"
    body = [r["line"] for r in records(smtp) if r["event"] == "data"]
    assert any(line.startswith("Message-ID: ") for line in body)
    esmtpsa = tutor_in_process("connect", *practice_args(practice), "--protocol", "ESMTPSA",
                        "--auth-user", "bob", "--to", "carol@hamburger.edu", "--json",
                        stdin=b"", env={"SMTP_TUTOR_PASSWORD": "pickles"})
    events = records(esmtpsa)
    sent = [r["line"] for r in events if r["event"] == "sent"]
    assert esmtpsa.returncode == 0
    assert sent[:4] == ["EHLO crepes.fr", "STARTTLS", "EHLO crepes.fr", "AUTH PLAIN ********"]
    assert 235 in [r["code"] for r in events if r["event"] == "reply"]
    assert b"pickles" not in esmtpsa.stdout and b"cGlja2xlcw" not in esmtpsa.stdout
    missing = tutor_in_process("connect", *practice_args(practice), "--protocol", "ESMTPSA",
                        "--to", "carol@hamburger.edu", stdin=b"")
    assert missing.returncode == 2 and b"SMTP_TUTOR_PASSWORD" in missing.stdout


def test_lone_dot_and_bad_header_are_refused_before_connecting(practice, tmp_path):
    message = tmp_path / "dot.txt"
    message.write_text("Subject: x\n\nbefore\n.\nafter\n")
    dot = tutor_in_process("connect", *practice_args(practice), "--to", "bob@hamburger.edu",
                    "--data", str(message), stdin=b"")
    assert dot.returncode == 2 and b"only a dot" in dot.stdout
    bad = tutor_in_process("connect", *practice_args(practice), "--to", "bob@hamburger.edu",
                    "--header", "no colon", "--lang", "vi", stdin=b"")
    assert bad.returncode == 2 and "không có dạng" in bad.stdout.decode()


def test_vietnamese_walk_of_the_new_messages(practice, tmp_path):
    from tests.test_vietnamese_walk import assert_vietnamese, run_vi

    args = practice_args(practice)
    for name, extra, stdin in (
            ("quit-after", ["--quit-after", "rcpt"], SCRIPT),
            ("quit-after connect", ["--quit-after", "connect"], SCRIPT),
            ("never reached", ["--quit-after", "tls"], b"EHLO crepes.fr\nQUIT\n"),
            ("shortcut", ["--to", "bob@hamburger.edu", "--header", "Subject: Xin chào"], b""),
            ("esmtpsa missing", ["--to", "bob@hamburger.edu", "--protocol", "ESMTPSA"], b""),
            ("servername", ["--servername", "wrong.example"],
             b"EHLO crepes.fr\nSTARTTLS\nQUIT\n"),
            ("tls-min above max", ["--tls-min", "1.3", "--tls-max", "1.2"], b"")):
        assert_vietnamese(name, run_vi("connect", *args, *extra, stdin=stdin))


def test_a_non_ascii_header_leaves_as_an_encoded_word(practice):
    """I13: `--header 'Subject: Phở'` no longer sends raw 8-bit in a header field."""
    import email
    import email.header
    import email.policy

    result = tutor_in_process("connect", practice.host, str(practice.port), "--to",
                       "bob@hamburger.edu", "--header", "Subject: Phở bò", "--lang", "en")
    out = result.stdout.decode()
    assert result.returncode == 0, out
    assert "C: Subject: =?utf-8?b?" in out and "Phở" not in out.split("C: Subject:")[1][:40]
    [stored] = [p for p in practice.mailbox_dir.rglob("*") if p.is_file() and "new" in p.parts]
    message = email.message_from_bytes(stored.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == "Phở bò"
