"""The composer's message, sent to the practice server and read back from its Maildir."""

from __future__ import annotations

import email
from email import policy

from smtp_tutor.net.connection import SmtpConnection
from smtp_tutor.protocol.chunking import split_message
from smtp_tutor.protocol.compose import Draft, body_encoding, compose

SUBJECT = "Chào bạn, phở bò nhé"
ATTACHMENT = bytes(range(256)) * 3 + b"\r\n.\r\nend"


def deliver(practice, loop_thread, message: bytes, *, bdat: bool) -> bytes:
    async def run() -> None:
        connection = SmtpConnection(practice.host, practice.port, timeout=10)
        await connection.open()
        for line in ("EHLO crepes.fr", "MAIL FROM:<alice@crepes.fr> BODY=8BITMIME",
                     "RCPT TO:<bob@hamburger.edu>"):
            await connection.send(line)
        session = connection.session
        if bdat:
            chunks = split_message(message, 300)
            for number, chunk in enumerate(chunks, start=1):
                events = await connection.transmit(
                    session.send_chunk(chunk, last=number == len(chunks)))
                assert events[-1].reply.code == 250
        else:
            await connection.send("DATA")
            await connection.write(session.send_body_chunk(message))
            events = await connection.transmit(session.end_data())
            assert events[-1].reply.code == 250
        await connection.send("QUIT")
        await connection.close()

    loop_thread.run(run())
    [stored] = list((practice.mailbox_dir / "bob" / "new").iterdir())
    return stored.read_bytes().replace(b"\n", b"\r\n")  # stored with LF; as sent


def test_vietnamese_subject_is_an_encoded_word_read_back_byte_for_byte(practice, loop_thread):
    draft = Draft("Nguyễn An <alice@crepes.fr>", ["bob@hamburger.edu"], SUBJECT,
                  "Xin chào Bob,\n.Hẹn gặp ở quán phở.\n")
    composed = compose(draft, {"8BITMIME", "SMTPUTF8", "CHUNKING"}, body_8bit=True)
    head = composed.message.split(b"\r\n\r\n")[0]
    assert head.isascii()
    subject = next(line for line in head.split(b"\r\n") if line.startswith(b"Subject:"))
    assert subject.startswith(b"Subject: =?utf-8?")
    assert [n.key for n in composed.notes] == []
    assert "compose-encoded-word" in [n.key for n in composed.parts]
    stored = deliver(practice, loop_thread, composed.message, bdat=False)
    assert stored.endswith(composed.message)  # the dot-stuffed line came back unstuffed
    assert subject in stored.split(b"\r\n")
    parsed = email.message_from_bytes(stored, policy=policy.default)
    assert parsed["Subject"] == SUBJECT
    assert parsed["From"].addresses[0].display_name == "Nguyễn An"


def test_attachment_round_trip_through_bdat_chunks(practice, loop_thread):
    draft = Draft("alice@crepes.fr", ["bob@hamburger.edu"], "file", "see attached\n",
                  attachments=[("data.bin", ATTACHMENT)])
    composed = compose(draft, {"CHUNKING"})
    stored = deliver(practice, loop_thread, composed.message, bdat=True)
    assert stored.endswith(composed.message)
    parsed = email.message_from_bytes(stored, policy=policy.default)
    assert parsed.get_content_type() == "multipart/mixed"
    [attachment] = list(parsed.iter_attachments())
    assert attachment.get_filename() == "data.bin"
    assert attachment.get_content() == ATTACHMENT


def test_body_encoding_follows_what_the_server_advertised():
    assert body_encoding("plain\n", set()) == "7bit"
    assert body_encoding("Phở bò\n", {"8BITMIME"}) == "8bit"
    assert body_encoding("Café au lait, s'il vous plaît\n", set()) == "quoted-printable"
    assert body_encoding("Phở bò ở đâu\n", set()) == "base64"
    assert body_encoding("x" * 1200, {"8BITMIME"}) == "quoted-printable"


def test_warnings_before_sending():
    draft = Draft("alice@crepes.fr", ["bób@hamburger.edu"], "x", "Phở\n")
    notes = [n.key for n in compose(draft, {"8BITMIME"}).notes]
    assert notes == ["8bit-without-8bitmime", "non-ascii-without-smtputf8"]


