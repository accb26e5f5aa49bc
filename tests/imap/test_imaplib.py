"""Our IMAP server with Python's imaplib: every command of the teaching subset, STARTTLS
with the world's CA, UIDs that survive a reconnection, and flags shared with POP3."""

from __future__ import annotations

import imaplib
import poplib
import re

import pytest


def connect(host, login: bool = True, select: str | None = "INBOX") -> imaplib.IMAP4:
    client = imaplib.IMAP4("127.0.0.1", host.port, timeout=10)
    if login:
        client.starttls(host.context())
        client.login("bob", "pickles")
        if select:
            client.select(select)
    return client


def flags_of(client: imaplib.IMAP4, which: str = "1:*") -> dict[int, str]:
    typ, data = client.uid("FETCH", which, "(FLAGS)")
    assert typ == "OK"
    out = {}
    for item in data:
        found = re.search(rb"UID (\d+) FLAGS \(([^)]*)\)", item)
        if found:
            out[int(found.group(1))] = found.group(2).decode()
    return out


def test_capabilities_and_starttls(mailhost):
    client = imaplib.IMAP4("127.0.0.1", mailhost.port, timeout=10)
    assert {"IMAP4REV1", "IMAP4REV2", "STARTTLS", "LOGINDISABLED"} <= set(client.capabilities)
    with pytest.raises(imaplib.IMAP4.error, match="PRIVACYREQUIRED"):
        client.login("bob", "pickles")
    client.starttls(mailhost.context())
    typ, data = client.capability()
    assert typ == "OK" and b"STARTTLS" not in data[0] and b"LOGINDISABLED" not in data[0]
    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        client.login("bob", "ketchup")
    assert client.login("bob", "pickles")[0] == "OK"
    assert client.logout()[0] == "BYE"


def test_every_command_of_the_subset(mailhost):
    client = connect(mailhost, select=None)
    typ, folders = client.list()
    assert typ == "OK" and folders == [b'(\\HasNoChildren) "/" INBOX']
    typ, status = client.status("INBOX", "(MESSAGES UNSEEN UIDNEXT UIDVALIDITY)")
    assert typ == "OK" and b"MESSAGES 3 UNSEEN 3 UIDNEXT 4" in status[0]
    typ, count = client.select("INBOX", readonly=True)
    assert (typ, count) == ("OK", [b"3"])
    client.fetch("1", "(BODY[])")
    assert flags_of(client) == {n: "\\Recent" for n in (1, 2, 3)}  # EXAMINE: no \Seen set
    client.close()
    typ, count = client.select("INBOX")
    assert (typ, count) == ("OK", [b"3"])
    assert client.response("UIDVALIDITY")[1][0].isdigit()
    typ, data = client.fetch("1", "(UID RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert typ == "OK" and data[0][1] == b"Subject: Pickles\r\n\r\n"
    size = int(re.search(rb"RFC822.SIZE (\d+)", data[0][0]).group(1))
    typ, data = client.fetch("1", "(BODY[])")
    assert len(data[0][1]) == size and data[0][1].endswith(b"\r\n.dot line\r\n")
    assert flags_of(client, "1") == {1: "\\Recent \\Seen"}  # still new to this session
    typ, data = client.uid("FETCH", "2", "(RFC822.HEADER)")
    assert b"Subject: Ketchup" in data[0][1]
    assert client.search(None, "UNSEEN") == ("OK", [b"2 3"])
    assert client.search(None, "SEEN") == ("OK", [b"1"])
    assert client.search(None, "FROM", "alice") == ("OK", [b"1 2 3"])
    assert client.search(None, "SUBJECT", "crepes") == ("OK", [b"3"])
    assert client.uid("SEARCH", None, "ALL") == ("OK", [b"1 2 3"])
    assert client.store("2", "+FLAGS", "(\\Deleted)")[0] == "OK"
    assert client.uid("STORE", "3", "+FLAGS.SILENT", "(\\Seen)") == ("OK", [None])
    assert client.uid("STORE", "1", "-FLAGS", "(\\Seen)")[0] == "OK"
    assert client.store("3", "FLAGS", "(\\Seen \\Flagged)")[0] == "OK"
    assert client.search(None, "DELETED") == ("OK", [b"2"])
    assert flags_of(client) == {1: "\\Recent", 2: "\\Deleted \\Recent",
                                3: "\\Flagged \\Recent \\Seen"}
    assert client.noop()[0] == "OK"
    assert client.expunge() == ("OK", [b"2"])
    assert client.uid("SEARCH", None, "ALL") == ("OK", [b"1 3"])
    with pytest.raises(imaplib.IMAP4.error, match="BAD"):
        client.create("Work")
    with pytest.raises(imaplib.IMAP4.error, match="BAD"):
        client.copy("1", "INBOX")
    assert client.close()[0] == "OK"
    assert client.logout()[0] == "BYE"
    names = sorted(p.name for p in (mailhost.root / "bob" / "cur").iterdir())
    assert [n.split(":", 1)[1] for n in names] == ["2,", "2,FS"]  # Dovecot's letters


def test_uids_survive_a_reconnection(mailhost):
    client = connect(mailhost)
    validity = client.response("UIDVALIDITY")[1][0]
    before = client.uid("SEARCH", None, "ALL")[1][0]
    client.store("1", "+FLAGS", "(\\Deleted)")
    client.expunge()
    client.logout()
    mailhost.deliver("Fresh")
    client = connect(mailhost)
    assert client.response("UIDVALIDITY")[1][0] == validity
    assert before == b"1 2 3" and client.uid("SEARCH", None, "ALL")[1][0] == b"2 3 4"
    typ, data = client.uid("FETCH", "4", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert data[0][1] == b"Subject: Fresh\r\n\r\n"
    client.logout()
    assert (mailhost.root / "bob" / "smtp-tutor-uidlist").read_text().startswith(f"3 V{validity.decode()} N5\n")


def test_new_mail_and_pop3_changes_reach_an_open_imap_session(mailhost):
    client = connect(mailhost)
    pop = poplib.POP3("127.0.0.1", mailhost.pop3.port, timeout=10)
    pop.stls(mailhost.context())
    pop.user("bob")
    pop.pass_("pickles")
    pop.retr(1)
    pop.dele(2)
    assert client.noop()[0] == "OK"
    assert client.response("EXPUNGE") == ("EXPUNGE", [None])  # nothing until QUIT
    pop.quit()
    mailhost.deliver("Later")
    typ, _ = client.noop()
    assert typ == "OK"
    assert client.response("EXPUNGE")[1] == [b"2"]
    assert client.response("EXISTS")[1][-1] == b"3"
    # RETR at POP3 set \Seen; \Recent stays this session's (RFC 3501 §2.3.2), "Later" too
    assert flags_of(client) == {1: "\\Recent \\Seen", 3: "\\Recent", 4: "\\Recent"}
    client.logout()


def test_imap_flags_and_expunges_are_seen_by_pop3(mailhost):
    pop = poplib.POP3("127.0.0.1", mailhost.pop3.port, timeout=10)
    pop.stls(mailhost.context())
    pop.user("bob")
    pop.pass_("pickles")
    uidl = pop.uidl()[1]
    client = connect(mailhost)
    client.store("1", "+FLAGS", "(\\Seen)")  # the file is renamed under POP3's feet
    assert pop.retr(1)[1][-1] == b".dot line"
    assert pop.uidl()[1] == uidl  # UIDL is the base name: flags do not change it
    client.store("2", "+FLAGS", "(\\Deleted)")
    client.expunge()
    with pytest.raises(poplib.error_proto, match="removed by another program"):
        pop.retr(2)
    pop.quit()
    client.logout()
    pop = poplib.POP3("127.0.0.1", mailhost.pop3.port, timeout=10)
    pop.stls(mailhost.context())
    pop.user("bob")
    pop.pass_("pickles")
    assert pop.stat()[0] == 2  # \Seen or not, POP3 lists what is there
    pop.quit()


def test_maildir_plus_plus_folders_are_listed_and_selected(mailhost):
    from smtp_tutor.server.maildir import deliver
    from tests.imap.conftest import letter

    deliver(mailhost.root / "bob", ".Archive", letter("Old news"))
    client = connect(mailhost, select=None)
    assert client.list()[1] == [b'(\\HasNoChildren) "/" INBOX', b'(\\HasNoChildren) "/" Archive']
    assert client.select("Archive") == ("OK", [b"1"])
    typ, data = client.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert data[0][1] == b"Subject: Old news\r\n\r\n"
    assert client.status("INBOX", "(MESSAGES)")[1] == [b"INBOX (MESSAGES 3)"]
    typ, data = client.select("Nowhere")
    assert typ == "NO" and data[0].startswith(b"[NONEXISTENT]")
    client.logout()


def test_namespace_enable_and_recent_through_imaplib(mailhost):
    """imaplib's own NAMESPACE and ENABLE; \\Recent goes to the first read-write session."""
    first = connect(mailhost, select=None)
    assert first.namespace() == ("OK", [b'(("" "/")) NIL NIL'])
    typ, count = first.select("INBOX")
    assert first.response("RECENT")[1] == [b"3"]
    later = connect(mailhost, select=None)
    assert later.enable("IMAP4rev2") == ("OK", [b"ENABLE completed"])
    assert later.untagged_responses.get("ENABLED") == [b"IMAP4rev2"]
    later.select("INBOX")
    assert later.response("RECENT") == ("RECENT", [None])  # RFC 9051 has no RECENT
    assert flags_of(first) == {n: "\\Recent" for n in (1, 2, 3)}
    assert flags_of(later) == {n: "" for n in (1, 2, 3)}
    first.logout()
    later.logout()


def test_authenticate_plain_through_imaplib(mailhost):
    """imaplib's AUTHENTICATE waits for "+" and answers one base64 line (RFC 9051 §6.2.2)."""
    client = connect(mailhost, login=False)
    client.starttls(mailhost.context())
    assert "AUTH=PLAIN" in client.capabilities
    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        client.authenticate("PLAIN", lambda _: b"\0bob\0ketchup")
    typ, _ = client.authenticate("PLAIN", lambda _: b"\0bob\0pickles")
    assert typ == "OK" and client.state == "AUTH"
    assert client.select("INBOX")[0] == "OK"
    client.logout()
