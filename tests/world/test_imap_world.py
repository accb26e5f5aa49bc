"""The world starts hamburger.edu's IMAP server on Bob's Maildir, beside POP3."""

from __future__ import annotations

import imaplib
import json
import ssl

from smtp_tutor.server.maildir import deliver
from smtp_tutor.world.events import Fetched


def test_the_world_serves_bobs_maildir_over_imap(world):
    assert world.imap is not None
    state = json.loads((world.config.directory / "world.json").read_text())
    assert state["imap"] == world.imap.port
    deliver(world.maildir("hamburger.edu"), "bob", b"Subject: Pickles\n\nAnd how about pickles?\n")
    client = imaplib.IMAP4("127.0.0.1", world.imap.port, timeout=10)
    client.starttls(ssl.create_default_context(cafile=str(world.ca_path)))
    client.login("bob", "pickles")
    assert client.select("INBOX") == ("OK", [b"1"])
    typ, data = client.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert data[0][1] == b"Subject: Pickles\r\n\r\n"
    assert not world.recorder.of(Fetched)  # a peek at a header is no fetch of the message
    typ, data = client.fetch("1", "(BODY[])")
    whole = data[0][1]
    assert whole.endswith(b"And how about pickles?\r\n")
    client.logout()
    # the world published the fetch, with the size the literal had
    assert world.recorder.of(Fetched) == [Fetched("imap", "bob@hamburger.edu", 1, len(whole))]


def test_the_banner_names_the_imap_server(world):
    from smtp_tutor.world.main import banner

    text = "\n".join(banner(world, "en"))
    assert f"IMAP          127.0.0.1 port {world.imap.port}" in text
    assert f"connect --imap 127.0.0.1 {world.imap.port}" in text
    assert "IMAP" in "\n".join(banner(world, "vi"))
