"""The lessons' feed of the world: events kept as the world published them, said only when
shown, in the reader's language of that moment (the demo's F3 switches it)."""

from __future__ import annotations

import io
import re

import pytest

from smtp_tutor.lessons.hops import TlsUp, WorldNote
from smtp_tutor.lessons.world_backend import CONNECT, WorldFeed
from smtp_tutor.protocol import ReplyReceived, State
from smtp_tutor.protocol.replies import Reply
from smtp_tutor.render.plain import PlainRenderer
from smtp_tutor.world import events as world
from smtp_tutor.world.view import WorldView
from tests.conftest import run_tutor

TRACE = ("Return-Path: <alice@crepes.fr>", "Received: from crepes.fr by hamburger.edu",
         "Received: from alice-laptop by crepes.fr")
# one of each kind the world publishes but the relay's own dialogue, as a lesson would show it
SAID = [
    world.RcptChecked("bob@hamburger.edu", "hamburger.edu", "MX 10 mx.hamburger.edu"),
    world.Queued("18A2F3", "/q/18A2F3.eml", "alice@crepes.fr", ("bob@hamburger.edu",)),
    world.PickedUp("18A2F3", 1, ("bob@hamburger.edu",)),
    world.Deferred("18A2F3", "451 4.7.1 greylisted", 30, 0.75, 2400),
    world.GaveUp("18A2F3", 90),
    world.Refused("18A2F3", "nobody@hamburger.edu", "550 5.1.1 no such user"),
    world.Bounced("18A2F3", "alice@crepes.fr", "18A2F4"),
    world.NotBounced("18A2F4"),
    world.Done("18A2F3"),
    world.Routed("hamburger.edu", ((10, "mx.hamburger.edu"), (20, "backup-mx.hamburger.edu"))),
    world.Routed("nomail.fr", (), null_mx=True),
    world.Routed("example.com", (), missing=True),
    world.Routed("bistro.fr", ((0, "bistro.fr"),), fallback=True),
    world.AddressFound("mx.hamburger.edu", "127.0.0.1", "A 127.0.0.1", 2525),
    world.AddressFound("backup-mx.hamburger.edu", None, "A NXDOMAIN", None),
    world.BodySent(812, 14),
    world.ConnectionFailed("mx.hamburger.edu", "451 4.4.2 mx.hamburger.edu: connection-refused"),
    world.RelayTls("mx.hamburger.edu", "verified"),
    world.RelayTls("mx.hamburger.edu", "unverified", "hostname mismatch"),
    world.RelayTls("mx.hamburger.edu", "clear", "alert handshake failure"),
    world.Delivered("hamburger.edu", "bob", "/mail/bob/new/1", TRACE),
    world.Delivered("crepes.fr", "alice", "/mail/alice/new/2", TRACE[:2], local=True),
    world.ReaderRefused("pop3", 100),
    world.ReaderFailed("pop3", "OSError: disk full"),
    world.ReaderRefused("imap", 100),
    world.ReaderFailed("imap", "OSError: disk full"),
    world.Fetched("imap", "bob@hamburger.edu", 2, 640),
    world.Fetched("pop3", "bob@hamburger.edu", 1, 612),
]


def _reply(code: int, text: str) -> ReplyReceived:
    return ReplyReceived(Reply(code, (text,)), None, State.GREETING)


def test_the_feed_is_not_the_console_and_keeps_events_not_text():
    assert WorldView not in WorldFeed.__mro__
    feed = WorldFeed()
    greeting = _reply(220, "mx.hamburger.edu ESMTP")
    route, address, fetched = SAID[9], SAID[13], SAID[-1]
    for event in (SAID[1], route, address, fetched,
                  world.RelayConnecting("mx.hamburger.edu", "127.0.0.1", 2525),
                  world.RelaySaid((greeting,)), SAID[-8]):
        feed.publish(event)
    # (the POP3 hop shows its RETR itself: the lessons leave the fetch out)
    assert list(feed.items) == [WorldNote(SAID[1]), CONNECT, greeting, WorldNote(SAID[-8])]
    # the relay's DNS answers wait for the relay hop: the DNS hop asks them itself first
    assert feed.release() == [WorldNote(route), WorldNote(address)]
    assert feed.drain() == [WorldNote(SAID[1])]  # up to the relay's connection
    assert not any(isinstance(item, str) for item in [*feed.items, *feed.held])


@pytest.mark.parametrize("event", SAID, ids=lambda event: type(event).__name__)
def test_every_event_is_said_in_both_languages_from_the_same_object(event):
    note = WorldNote(event)
    english, vietnamese = note.shown("en"), note.shown("vi")
    assert len(english) == len(vietnamese)
    # (a failed connection is said by the reply that says why: the same in every language)
    assert english != vietnamese or isinstance(event, world.ConnectionFailed)
    for (en, en_style), (vi, vi_style) in zip(english, vietnamese, strict=True):
        assert en and vi and en_style == vi_style and "{" not in en + vi
    for value in event.sentence().params.values():  # the facts, whatever the language
        if isinstance(value, str) and value:
            assert value in english[0][0] and value in vietnamese[0][0], value


def test_a_note_follows_the_language_of_the_renderer_that_shows_it():
    """The demo draws its stored events again after F3: the same note, the other language."""
    notes = [WorldNote(SAID[1]), WorldNote(SAID[20]), TlsUp("pop3"), TlsUp("imap")]
    said = {}
    for lang in ("en", "vi", "en"):
        out = io.StringIO()
        PlainRenderer(lang, out).show_all(notes)
        said.setdefault(lang, out.getvalue())
        assert said[lang] == out.getvalue()  # back to English: the same English again
    assert "QUEUE · 18A2F3" in said["en"] and "HÀNG ĐỢI · 18A2F3" in said["vi"]
    assert "Stored in /mail/bob/new/1" in said["en"] and "Đã lưu vào /mail/bob/new/1" in said["vi"]
    for line in TRACE:  # the trace is quoted from the message, in no language
        assert f"│ {line}" in said["en"] and f"│ {line}" in said["vi"]
    assert "STLS" in said["en"] and "STARTTLS" in said["vi"]


def test_the_console_and_the_feed_read_the_same_events_independently():
    """Both watch one world event; the console prints at once, the feed keeps the event."""
    out = io.StringIO()
    console, feed = WorldView(PlainRenderer("en", out)), WorldFeed()
    for watcher in (console, feed):
        watcher.publish(SAID[20])
    printed = out.getvalue()
    assert "hop 3 · hamburger.edu → bob's mailbox" in printed  # the console's own heading
    assert "Stored in /mail/bob/new/1" in printed and "│ Received: from crepes.fr" in printed
    [note] = feed.items
    shown = [text for text, _ in note.shown("en")]
    assert not any("hop 3" in text for text in shown)  # the lesson heads its hops itself
    assert shown[0] in printed and all(text in printed for text in shown[1:])


def test_a_live_world_lesson_shows_the_worlds_events_in_english():
    """Lesson 13 watched against the running world: the queue, DNS and delivery notes, said
    when shown (its Vietnamese twin is tests/lessons/test_journey_vi.py)."""
    result = run_tutor("lesson", "play", "13", "--mode", "watch", "--pace", "0.001", "--lang", "en")
    out = result.stdout.decode()
    assert result.returncode == 0, out[-2000:] + result.stderr.decode()
    assert re.search(r"QUEUE · \w+ written to .*\.eml and flushed to disk \(`fsync`\)", out), out[-2000:]
    assert "DNS · crepes.fr looks up hamburger.edu before it says yes to RCPT" in out
    relay = out.index("══ hop 3 · relay")
    assert out.index("DNS · MX hamburger.edu? → 10 mx.hamburger.edu, 20 backup") > relay
    assert out.index("DNS · A/AAAA mx.hamburger.edu? → A 127.0.0.1") > relay
    assert "   │ Return-Path: <alice@crepes.fr>" in out[out.index("Stored in "):]
