"""BDAT and PIPELINING against real servers: Postfix 3.7 and the practice server.

Exim 4.96 is not installed here, so it is not among them (the interop review's runs
against it are what the BDAT tests reproduce on Postfix)."""

from __future__ import annotations

import json

from tests.conftest import run_tutor

BDAT_SCRIPT = (b"EHLO crepes.fr\nMAIL FROM:<alice@crepes.fr>\nRCPT TO:<bob@{domain}>\n"
               b"BDAT 12\nSubject: x\nBDAT 12 LAST\nQUIT\nNOOP\nNOOP\nQUIT\n")


def run_json(host, port, script: bytes, *extra: str) -> tuple[int, list[dict]]:
    result = run_tutor("connect", host, str(port), "--json", "--timeout", "10", *extra,
                       stdin=script)
    return result.returncode, [json.loads(line) for line in result.stdout.decode().splitlines()]


def check_bdat(records: list[dict]) -> None:
    replies = [(r["answering"], r["code"]) for r in records if r["event"] == "reply"]
    assert replies[4:] == [("BDAT", 250), ("BDAT-LAST", 250), ("NOOP", 250),
                           ("QUIT", 221)]
    chunks = [r for r in records if r["event"] == "chunk"]
    assert [(c["line"], c["sent"], c["size"]) for c in chunks] == [
        ("Subject: x", 12, 12), ("QUIT", 6, 12), ("NOOP", 12, 12)]
    assert chunks[-1]["last"] is True


def test_typed_bdat_chunks_on_postfix_never_lose_step(postfix):
    code, records = run_json(*postfix, BDAT_SCRIPT.replace(b"{domain}", b"localhost"))
    assert code == 0
    check_bdat(records)


def test_typed_bdat_chunks_on_the_practice_server_land_in_the_maildir(practice):
    script = BDAT_SCRIPT.replace(b"{domain}", b"hamburger.edu")
    code, records = run_json(practice.host, practice.port, script)
    assert code == 0
    ehlo = next(r for r in records if r["event"] == "reply" and r["answering"] == "EHLO")
    assert "CHUNKING" in ehlo["extensions"]
    check_bdat(records)
    [stored] = list((practice.mailbox_dir / "bob" / "new").iterdir())
    assert stored.read_bytes().endswith(b"Subject: x\nQUIT\nNOOP\n")  # stored with LF


def test_practice_server_refuses_a_chunk_without_recipient_but_keeps_step(practice):
    script = (b"EHLO crepes.fr\nBDAT 6 LAST\nRSET\nNOOP\nQUIT\n")
    code, records = run_json(practice.host, practice.port, script)
    replies = [(r["answering"], r["code"]) for r in records if r["event"] == "reply"]
    assert replies[2:] == [("BDAT-LAST", 503), ("NOOP", 250), ("QUIT", 221)]
    assert code == 0


PIPELINE_SCRIPT = (b"EHLO crepes.fr\nMAIL FROM:<alice@crepes.fr>\nRCPT TO:<bob@{domain}>\n"
                   b"RCPT TO:<carol@example.com>\nDATA\nSubject: pipelined\n\nhi\n.\nQUIT\n")


def check_pipeline(records: list[dict]) -> None:
    group = [r for r in records if r["event"] == "sent" and r.get("group")]
    assert [r["line"].split(":")[0] for r in group] == ["MAIL FROM", "RCPT TO", "RCPT TO",
                                                         "DATA"]
    assert {r["group"] for r in group} == {1}
    assert any(r["event"] == "pipeline-group" and r["commands"] == 4 for r in records)
    replies = [r for r in records if r["event"] == "reply"][2:6]
    assert [r["answering"] for r in replies] == ["MAIL", "RCPT", "RCPT", "DATA"]
    assert replies[2]["code"] in (550, 554) and replies[3]["code"] == 354
    answers = [n["text"] for n in replies[2]["notes"] if n["key"] == "pipeline-answer"]
    assert answers and "carol@example.com" in answers[0]
    final = [r for r in records if r["event"] == "reply"][-2]
    assert final["answering"] == "end-of-data" and final["code"] == 250


def test_pipelined_group_with_one_rcpt_refused_on_postfix(postfix):
    code, records = run_json(*postfix, PIPELINE_SCRIPT.replace(b"{domain}", b"localhost"),
                             "--pipeline")
    assert code == 0
    check_pipeline(records)


def test_pipelined_group_with_one_rcpt_refused_on_the_practice_server(practice):
    code, records = run_json(practice.host, practice.port,
                             PIPELINE_SCRIPT.replace(b"{domain}", b"hamburger.edu"), "--pipeline")
    assert code == 0
    check_pipeline(records)


def test_annotate_reads_a_swaks_pipeline_transcript_without_false_warnings(tmp_path):
    transcript = tmp_path / "swaks.txt"
    transcript.write_text(
        "<-  220 hamburger.edu ESMTP Postfix\n -> EHLO crepes.fr\n<-  250-hamburger.edu\n"
        "<-  250 PIPELINING\n -> MAIL FROM:<alice@crepes.fr>\n -> RCPT TO:<bob@hamburger.edu>\n"
        " -> RCPT TO:<bob@example.com>\n -> DATA\n<-  250 2.1.0 Ok\n<-  250 2.1.5 Ok\n"
        "<-  554 5.7.1 <bob@example.com>: Relay access denied\n<-  354 End data\n -> hi\n"
        " -> .\n<-  250 2.0.0 Ok: queued as ABC\n -> QUIT\n<-  221 2.0.0 Bye\n")
    result = run_tutor("annotate", str(transcript), "--json")
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    warnings = [n for r in records for n in r.get("notes", []) if n["level"] == "warning"]
    assert warnings == []
    replies = [r["answering"] for r in records if r["event"] == "reply"]
    assert replies[2:6] == ["MAIL", "RCPT", "RCPT", "DATA"]
