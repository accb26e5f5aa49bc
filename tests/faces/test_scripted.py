"""``smtp-tutor connect`` with stdin from a file: the textbook session, plain and JSON."""

import json
import re

from tests.conftest import TEXTBOOK, run_tutor


def test_textbook_session_plain_output_explains_every_reply(practice):
    result = run_tutor("connect", practice.host, str(practice.port), stdin=TEXTBOOK)
    out = result.stdout.decode()
    assert result.returncode == 0, out + result.stderr.decode()
    assert "\x1b[" not in out  # no colour on a pipe
    replies = [line for line in out.splitlines() if line.startswith("S: ")]
    explained = [line for line in out.splitlines() if line.startswith("   = ")]
    assert [r.split()[1] for r in replies] == ["220", "250", "250", "250", "354", "250", "221"]
    assert "Sender accepted" in out and "Message accepted for delivery" in out
    assert len(explained) >= len(replies)
    assert "C: Do you like ketchup?" in out
    assert "space after `FROM:`" in out and "no header section" in out


def test_textbook_session_json_schema(practice):
    result = run_tutor("connect", practice.host, str(practice.port), "--json", stdin=TEXTBOOK)
    assert result.returncode == 0
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    kinds = [r["event"] for r in records]
    assert kinds[0] == "connected"
    replies = [r for r in records if r["event"] == "reply"]
    assert [r["code"] for r in replies] == [220, 250, 250, 250, 354, 250, 221]
    assert [r["answering"] for r in replies] == [
        "greeting", "HELO", "MAIL", "RCPT", "DATA", "end-of-data", "QUIT"]
    assert replies[2]["enhanced"] == "2.1.0" and replies[2]["explanation"].startswith("Sender")
    assert [r["state"] for r in replies] == ["helo", "ready", "mail", "rcpt", "data", "ready",
                                             "closed"]
    assert all(r["tls"] is False for r in records)
    data = [r["line"] for r in records if r["event"] == "data"]
    assert data == ["Do you like ketchup?", "How about pickles?"]


def test_vietnamese_explanations_follow_lang(practice):
    result = run_tutor("connect", practice.host, str(practice.port), stdin=TEXTBOOK,
                       env={"LANG": "vi_VN.UTF-8"})
    assert "Người gửi được chấp nhận" in result.stdout.decode()


def test_missing_quit_exits_non_zero_with_one_line_reason(practice):
    result = run_tutor("connect", practice.host, str(practice.port), stdin=b"EHLO crepes.fr\n")
    assert result.returncode == 1
    err = result.stderr.decode().strip().splitlines()
    assert len(err) == 1 and err[0].startswith("smtp-tutor: ")


def test_color_always_and_no_color(practice):
    forced = run_tutor("connect", practice.host, str(practice.port), "--color=always",
                       stdin=b"QUIT\n")
    assert b"\x1b[" in forced.stdout
    plain = run_tutor("connect", practice.host, str(practice.port), "--color=always",
                      stdin=b"QUIT\n", env={"NO_COLOR": "1"})
    colour = re.compile(rb"\x1b\[(?:\d+;)*(?:3[0-7]|9[0-7])(?:;\d+)*m")
    assert colour.search(forced.stdout)
    assert not colour.search(plain.stdout)  # NO_COLOR: bold/italic may stay, colour goes


def test_connection_refused_is_explained_without_traceback(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run_tutor("connect", "127.0.0.1", str(port), stdin=b"QUIT\n")
    text = (result.stdout + result.stderr).decode()
    assert result.returncode != 0
    assert "Connection refused" in text and "Traceback" not in text


def test_bad_port_is_a_usage_error():
    result = run_tutor("connect", "127.0.0.1", "seventy", stdin=b"")
    assert result.returncode == 2 and b"not a number" in result.stderr


def test_server_that_never_answers_times_out(fake_server):
    host, port = fake_server(b"")
    result = run_tutor("connect", host, str(port), "--timeout", "0.5", stdin=b"QUIT\n")
    text = (result.stdout + result.stderr).decode()
    assert result.returncode == 1 and "no 220 greeting came within 0.5 s" in text
    assert "Traceback" not in text


def test_dot_stuffing_on_the_wire(practice):
    script = (b"EHLO crepes.fr\nMAIL FROM:<alice@crepes.fr>\nRCPT TO:<bob@hamburger.edu>\n"
              b"DATA\nSubject: dots\n\n..two\n.hidden\nend\n.\nQUIT\n")
    result = run_tutor("connect", practice.host, str(practice.port), stdin=script)
    assert result.returncode == 0
    assert result.stdout.decode().count("(dot-stuffed)") == 2
    assert "raw ...two⏎" in result.stdout.decode()
    [stored] = (practice.mailbox_dir / "bob" / "new").iterdir()
    body = stored.read_bytes().split(b"\n\n", 1)[1]  # stored with LF (maildir(5))
    assert body.startswith(b"..two\n.hidden\nend")


def test_large_body_is_sent_and_summarised(practice):
    body = b"".join(b"line %06d of a long message\n" % i for i in range(5000))
    script = (b"EHLO crepes.fr\nMAIL FROM:<alice@crepes.fr>\nRCPT TO:<bob@hamburger.edu>\nDATA\n"
              + body + b".\nQUIT\n")
    result = run_tutor("connect", practice.host, str(practice.port), stdin=script)
    assert result.returncode == 0
    assert b"4000 more body lines" in result.stdout
    [stored] = (practice.mailbox_dir / "bob" / "new").iterdir()
    assert stored.read_bytes().endswith(b"line 004999 of a long message\n")


def test_json_summarises_the_bulk_sent_body(practice):
    body = b"".join(b"line %d\n" % n for n in range(1200))
    script = (b"EHLO x\nMAIL FROM:<alice@crepes.fr>\nRCPT TO:<bob@hamburger.edu>\nDATA\n"
              + body + b".\nQUIT\n")
    result = run_tutor("connect", practice.host, str(practice.port), "--json", stdin=script)
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    bulk = [r for r in records if r["event"] == "data-bulk"]
    assert result.returncode == 0 and bulk and bulk[0]["lines"] == 200


def test_json_never_says_connected_for_a_refused_connection():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_tutor("connect", "127.0.0.1", str(port), "--json", stdin=b"QUIT\n")
    events = [json.loads(line)["event"] for line in result.stdout.decode().splitlines()]
    assert "connected" not in events and result.returncode == 1


def test_the_closing_reason_names_the_servers_421(practice_with):
    from smtp_tutor.server.policy import Limits

    practice = practice_with(limits=Limits(max_errors=3))
    result = run_tutor("connect", practice.host, str(practice.port),
                       stdin=b"EHLO x\nFOO\nBAR\nBAZ\nQUX\nQUIT\n")
    assert result.returncode == 1
    assert b"421" in result.stderr and b"input ended" not in result.stderr


def test_a_scripted_session_never_imports_asyncio(practice):
    """The blocking driver runs the same plan: a piped session pays no event loop."""
    result = run_tutor("connect", practice.host, str(practice.port),
                       stdin=b"EHLO x\nQUIT\n", env={"PYTHONPROFILEIMPORTTIME": "1"})
    imported = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.decode().splitlines()
                if line.startswith("import time:")]
    assert result.returncode == 0 and "smtp_tutor.net.blocking" in imported
    assert "asyncio" not in imported and "prompt_toolkit" not in imported


def test_a_shell_command_in_a_script_is_said_and_not_sent(practice):
    """A session typed in the shell, replayed through a pipe: `:explain 250` is the shell's,
    never a line for the server (which would count it as an error); a body line that
    starts with a colon is the message's and is sent."""
    script = (b"EHLO x\n:explain 250\nMAIL FROM:<alice@crepes.fr>\nRCPT TO:<bob@hamburger.edu>\n"
              b"DATA\n:not a command here\n.\nQUIT\n")
    result = run_tutor("connect", practice.host, str(practice.port), stdin=script)
    out = result.stdout.decode() + result.stderr.decode()
    assert result.returncode == 0, out
    assert ":explain is a command of the interactive shell" in out
    assert "C: :explain" not in out and "500" not in out
    [stored] = (practice.mailbox_dir / "bob" / "new").iterdir()
    assert b":not a command here" in stored.read_bytes()
