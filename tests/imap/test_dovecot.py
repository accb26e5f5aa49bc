"""Our IMAP client (the core, and `connect --imap`) against Dovecot from Debian, a private
instance on loopback: what our parser reads must be what Dovecot meant."""

from __future__ import annotations

import socket
import ssl

from smtp_tutor.protocol.imap.client import ImapClient, ImapResponse
from tests.conftest import run_tutor


class Wire:
    """The client core over a blocking socket: send a line, read until its tagged answer."""

    def __init__(self, port: int, ca: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.ca, self.client = ca, ImapClient()
        self.responses: list[ImapResponse] = []
        self.read()

    def read(self) -> list[ImapResponse]:
        got: list = []
        while self.client.awaiting_reply:
            data = self.sock.recv(65536)
            assert data, "Dovecot closed the connection"
            for item in self.client.receive(data):
                assert isinstance(item, ImapResponse), item
                got.append(item)
                if item.kind == "continuation":
                    return got
            if self.client.start_tls:
                self.client.discard_plaintext()
                context = ssl.create_default_context(cafile=self.ca)
                self.sock = context.wrap_socket(self.sock, server_hostname="hamburger.edu")
                self.client.tls_established()
        self.responses += got
        return got

    def send(self, line: str) -> list[ImapResponse]:
        wire, _ = self.client.send(line)
        self.sock.sendall(wire)
        return self.read()

    def more(self, data: bytes) -> list[ImapResponse]:
        self.sock.sendall(self.client.continue_with(data))
        return self.read()


def test_the_client_core_against_dovecot(dovecot):
    wire = Wire(dovecot.port, dovecot.ca)
    assert wire.responses[0].status == "OK" and "STARTTLS" in wire.client.capabilities
    assert wire.send("STARTTLS")[-1].status == "OK"
    assert wire.client.tls
    got = wire.send("LOGIN bob {7}")  # a literal: Dovecot says "+" first
    assert got[-1].kind == "continuation"
    got = wire.more(b"pickles")
    assert got[-1].status == "OK" and wire.client.state == "authenticated", got[-1].raw
    assert any(r.name == "LIST" for r in wire.send('LIST "" "*"'))
    got = wire.send("SELECT INBOX")
    exists = [r.number for r in got if r.name == "EXISTS"]
    codes = {r.code for r in got}
    assert exists == [2] and {"UIDVALIDITY", "UIDNEXT", "PERMANENTFLAGS"} <= codes
    assert got[-1].code == "READ-WRITE" and wire.client.state == "selected"
    # the session's Dovecot is shared: start from no flags, whichever test ran before
    wire.send("STORE 1:* -FLAGS.SILENT (\\Seen \\Draft \\Flagged \\Deleted \\Answered)")
    got = wire.send("FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    fetched = [r.fetch for r in got if r.name == "FETCH"]
    assert [f["BODY[HEADER.FIELDS (SUBJECT)]"] for f in fetched] == [
        b"Subject: Pickles\r\n\r\n", b"Subject: Ketchup\r\n\r\n"]
    body = [r.fetch for r in wire.send("FETCH 1 BODY.PEEK[]") if r.name == "FETCH"][0]["BODY[]"]
    assert len(body) == int(fetched[0]["RFC822.SIZE"]) and body.endswith(b".dot line\r\n")
    got = wire.send("STORE 1 +FLAGS (\\Seen)")
    flags = [r.fetch.get("FLAGS") for r in got if r.name == "FETCH"]
    assert len(flags) == 1 and b"\\Seen" in flags[0]  # Dovecot adds \\Recent (IMAP4rev1)
    assert [r.data for r in wire.send("SEARCH UNSEEN") if r.name == "SEARCH"] == [[b"2"]]
    got = wire.send("STATUS INBOX (MESSAGES UNSEEN)")
    assert [r.data for r in got if r.name == "STATUS"] == [[b"INBOX", [b"MESSAGES", b"2", b"UNSEEN", b"1"]]]
    assert wire.send("FOO")[-1].status == "BAD"
    assert wire.send("NOOP")[-1].status == "OK"
    got = wire.send("LOGOUT")
    assert got[0].status == "BYE" and got[-1].status == "OK" and wire.client.state == "logout"


def test_connect_imap_against_dovecot(dovecot):
    script = "\n".join(["CAPABILITY", "STARTTLS", "LOGIN bob pickles", "EXAMINE INBOX",
                        "FETCH 2 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])", "LOGOUT", ""])
    result = run_tutor("connect", "--imap", "127.0.0.1", str(dovecot.port), "--cafile", dovecot.ca,
                       stdin=script.encode())
    out = result.stdout.decode()
    assert result.returncode == 0, out + result.stderr.decode()
    dialogue = out.split("\n", 1)[1]  # the first line is the welcome, with an example
    assert "pickles" not in dialogue and "C: a3 LOGIN bob ********" in out
    assert "Dovecot" in out and "TLS is up" in out
    assert "S: Subject: Ketchup" in out and "[READ-ONLY]" in out
    assert "OK ends the command tagged a6" in out


def test_flags_in_file_names_mean_the_same_to_dovecot_and_to_us(dovecot):
    """The Maildir info suffix is shared ground: what Dovecot writes, our store reads, and
    a name our store gives a file, Dovecot reads as the same flags."""
    import os

    from smtp_tutor.imap.maildir import flags_of, with_flags

    wire = Wire(dovecot.port, dovecot.ca)
    wire.send("STARTTLS")
    wire.send("LOGIN bob pickles")
    wire.send("SELECT INBOX")
    wire.send("UID STORE 2 +FLAGS.SILENT (\\Flagged \\Deleted \\Answered)")
    wire.send("NOOP")
    name = next(n for n in os.listdir(dovecot.mail / "cur") if "Ketchup" in
                (dovecot.mail / "cur" / n).read_text())
    assert {"\\Flagged", "\\Deleted", "\\Answered"} <= flags_of(name)
    renamed = with_flags(name, frozenset({"\\Draft", "\\Seen"}))
    os.rename(dovecot.mail / "cur" / name, dovecot.mail / "cur" / renamed)
    got = [r.fetch for r in wire.send("UID FETCH 2 (FLAGS)") if r.name == "FETCH"]
    wire.send("NOOP")
    got += [r.fetch for r in wire.send("UID FETCH 2 (FLAGS)") if r.name == "FETCH"]
    flags = {f.decode() for f in got[-1]["FLAGS"]} - {"\\Recent"}
    assert flags == {"\\Draft", "\\Seen"}
    wire.send("UID STORE 2 FLAGS.SILENT ()")  # as found: the session's Dovecot is shared
    wire.send("LOGOUT")


def _session(port: int, ca: str) -> Wire:
    wire = Wire(port, ca)
    wire.send("STARTTLS")
    assert wire.send("LOGIN bob pickles")[-1].status == "OK"
    return wire


def test_namespace_enable_and_recent_as_dovecot_answers_them(dovecot, mailhost):
    """The same NAMESPACE, ENABLE and first-session \\Recent from Dovecot and from ours, read
    by our client and explained in both languages."""
    from smtp_tutor.imap.view import meanings

    mailhost.deliver("Pickles")
    for name, port, ca in (("dovecot", dovecot.port, dovecot.ca),
                           ("ours", mailhost.port, mailhost.ca)):
        wire = _session(port, ca)
        namespace = [r for r in wire.send("NAMESPACE") if r.name == "NAMESPACE"]
        assert len(namespace) == 1 and namespace[0].raw.startswith(b'* NAMESPACE (("'), name
        assert meanings(namespace[0], "vi") and meanings(namespace[0], "en"), name
        got = wire.send("ENABLE CONDSTORE X-NOTHING-HERE")  # an unknown name is ignored
        enabled = [r.raw for r in got if r.name == "ENABLED"]
        assert got[-1].status == "OK", name
        # Dovecot knows CONDSTORE; ours does not, and still says `* ENABLED` (RFC 9051 §6.3.1:
        # "sent even if no extensions were enabled"), which Dovecot 2.3 leaves out
        assert enabled == [b"* ENABLED CONDSTORE" if name == "dovecot" else b"* ENABLED"], name
        assert wire.send("ENABLE X-NOTHING-HERE")[-1].status == "OK", name
        got = wire.send("SELECT INBOX")
        recent = [r.number for r in got if r.name == "RECENT"]
        flags = [r.fetch["FLAGS"] for r in wire.send("FETCH 1:* (FLAGS)") if r.name == "FETCH"]
        if recent and recent[0]:  # this session was the first told: \Recent on those messages
            assert sum(b"\\Recent" in f for f in flags) == recent[0], (name, flags)
        wire.send("LOGOUT")


def test_authenticate_plain_as_dovecot_takes_it(dovecot, mailhost):
    """Our client core sends AUTHENTICATE PLAIN, waits for "+", answers the hidden line;
    Dovecot and ours both log Bob in, and refuse a wrong password the same way."""
    import base64

    for name, port, ca in (("dovecot", dovecot.port, dovecot.ca),
                           ("ours", mailhost.port, mailhost.ca)):
        wire = Wire(port, ca)
        wire.send("STARTTLS")
        wire.send("CAPABILITY")  # what was said before TLS is forgotten
        assert "AUTH=PLAIN" in wire.client.capabilities, name
        got = wire.send("AUTHENTICATE PLAIN")
        assert got[-1].kind == "continuation" and wire.client.awaiting_continuation, name
        assert wire.client.open is not None and wire.client.open.secret, name
        got = wire.more(base64.b64encode(b"\0bob\0ketchup"))
        assert got[-1].status == "NO" and got[-1].code == "AUTHENTICATIONFAILED", (name, got[-1].raw)
        got = wire.send("AUTHENTICATE PLAIN " + base64.b64encode(b"\0bob\0pickles").decode())
        assert got[-1].status == "OK" and wire.client.state == "authenticated", (name, got[-1].raw)
        assert "a4 AUTHENTICATE PLAIN ********" in [c for c in (r.answering.display for r in got
                                                     if r.answering is not None)], name
        wire.send("LOGOUT")
