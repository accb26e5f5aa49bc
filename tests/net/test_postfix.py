"""Against Postfix 3.7 and smtp-sink from Debian: explanations must hold on a real MTA."""

import json

from tests.conftest import TEXTBOOK, run_tutor


def session_json(host, port, script: bytes, *extra: str) -> tuple[int, list[dict]]:
    result = run_tutor("connect", host, str(port), "--json", *extra, stdin=script)
    return result.returncode, [json.loads(line) for line in result.stdout.decode().splitlines()]


def replies(records):
    return [r for r in records if r["event"] == "reply"]


def test_textbook_session_on_postfix(postfix):
    code, records = session_json(*postfix, TEXTBOOK)
    got = replies(records)
    assert code == 0
    assert [r["code"] for r in got] == [220, 250, 250, 250, 354, 250, 221]
    assert got[0]["lines"][0].startswith("hamburger.edu ESMTP Postfix")
    assert got[2]["enhanced"] == "2.1.0" and got[2]["explanation"].startswith("Sender accepted")
    assert got[5]["explanation"].startswith("Message accepted")
    assert any("queue ID" in w for w in got[5]["server_wording"])


def test_postfix_refusals_are_explained(postfix):
    script = (b"EHLO crepes.fr\nRCPT TO:<bob@hamburger.edu>\nMAIL FROM:<alice@crepes.fr>\nDATA\n"
              b"RCPT TO:<nosuchuser@hamburger.edu>\nRCPT TO:<someone@example.com>\nFOO bar\n"
              b"MAIL FROM alice@crepes.fr\nQUIT\n")
    code, records = session_json(*postfix, script)
    got = {(r["answering"], r["code"]): r for r in replies(records)}
    assert code == 0
    assert "needs a sender" in got[("RCPT", 503)]["explanation"]
    # Postfix answers 554 (not 503) to DATA with no recipient: explained in context.
    assert "no recipient was accepted" in got[("DATA", 554)]["explanation"]
    assert any("No recipient" in w for w in got[("DATA", 554)]["server_wording"])
    unknown = got[("RCPT", 550)]
    assert unknown["enhanced"] == "5.1.1" and "no such user" in unknown["enhanced_explanation"]
    relay = got[("RCPT", 554)]
    assert relay["enhanced"] == "5.7.1" and any("Relay refused" in w for w in relay["server_wording"])
    assert "not understand" in got[("FOO", 500)]["explanation"] or got[("FOO", 500)]["class"] == 5
    sent = [r for r in records if r["event"] == "sent"]
    predicted = {r["line"]: [n["key"] for n in r["notes"]] for r in sent}
    assert "rcpt-needs-mail" in predicted["RCPT TO:<bob@hamburger.edu>"]
    assert "unknown-command" in predicted["FOO bar"]
    assert "path-colon-missing" in predicted["MAIL FROM alice@crepes.fr"]


def test_postfix_ehlo_table_and_starttls(postfix):
    script = b"EHLO crepes.fr\nSTARTTLS\nEHLO crepes.fr\nQUIT\n"
    code, records = session_json(*postfix, script, "--insecure")
    assert code == 0
    ehlo = [r for r in replies(records) if r["answering"] == "EHLO"]
    assert set(ehlo[0]["extensions"]) >= {"PIPELINING", "SIZE", "STARTTLS", "8BITMIME", "SMTPUTF8"}
    assert ehlo[0]["extensions"]["SIZE"] == "10240000"
    [tls] = [r for r in records if r["event"] == "tls"]
    assert tls["version"].startswith("TLSv1") and tls["verified"] is False
    assert "STARTTLS" not in ehlo[1]["extensions"] and ehlo[1]["tls"] is True
    changed = [n for n in ehlo[1]["notes"] if n["key"] == "capabilities-changed"]
    assert changed and "STARTTLS" in changed[0]["text"]
    assert any(r["event"] == "message" and r["key"] == "tls-insecure" for r in records)


def test_postfix_plain_output_vietnamese(postfix):
    result = run_tutor("connect", *map(str, postfix), "--lang", "vi", stdin=TEXTBOOK)
    out = result.stdout.decode()
    assert result.returncode == 0
    assert "Thư đã được nhận để chuyển phát" in out and "Lời chào" in out


def test_smtp_sink_accepts_anything_and_its_empty_ehlo_line_is_handled(smtp_sink):
    code, records = session_json(*smtp_sink, b"EHLO crepes.fr\nQUIT\n")
    assert code == 0
    ehlo = replies(records)[1]
    assert "AUTH" in ehlo["extensions"] and "" not in ehlo["extensions"]
