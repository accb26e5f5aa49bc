"""The world's parts on their own: the zone and resolver, the queue, the DSN, the relay
client against Postfix as the next hop."""

from __future__ import annotations

import email
import email.policy
import shutil
import subprocess

import pytest

from smtp_tutor.world.dsn import EXPIRED, Failure, build_dsn, expired_status, status_of
from smtp_tutor.world.queue import MailQueue
from smtp_tutor.world.zone import PracticeResolver, load_zone, serve_zone
from tests.conftest import need


@pytest.fixture
def zone_server(loop_thread):
    server = loop_thread.run(serve_zone(load_zone()))
    yield server
    loop_thread.loop.call_soon_threadsafe(server.close)


def test_routes_from_the_practice_zone(zone_server, loop_thread):
    resolver = PracticeResolver("127.0.0.1", zone_server.port)
    ham = loop_thread.run(resolver.route("hamburger.edu"))
    assert [(e.preference, e.host) for e in ham.exchangers] == [
        (10, "mx.hamburger.edu"), (20, "backup-mx.hamburger.edu")]
    null = loop_thread.run(resolver.route("nomail.fr"))
    assert null.null_mx and not null.exchangers
    bistro = loop_thread.run(resolver.route("bistro.fr"))
    assert bistro.fallback and bistro.exchangers[0].host == "bistro.fr"
    missing = loop_thread.run(resolver.route("example.com"))
    assert missing.missing
    address, lookups = loop_thread.run(resolver.address("mx.hamburger.edu"))
    assert address == "127.0.0.1"
    txt = loop_thread.run(resolver.query("hamburger.edu", "TXT"))
    assert txt.records == ('"v=spf1 mx -all"',)
    aaaa = loop_thread.run(resolver.query("mx.hamburger.edu", "AAAA"))
    assert aaaa.records == ("::1",)


def test_the_resolver_never_asks_another_address():
    with pytest.raises(ValueError):
        PracticeResolver("8.8.8.8", 53)


def test_dig_asks_the_practice_dns(zone_server):
    need(shutil.which("dig") is not None, "dig: sudo apt-get install bind9-dnsutils")
    out = subprocess.run(["dig", "@127.0.0.1", "-p", str(zone_server.port), "+short", "MX",
                          "hamburger.edu"], capture_output=True, text=True, timeout=10).stdout
    assert "10 mx.hamburger.edu." in out


def test_queue_entries_survive_and_leftovers_are_cleaned(tmp_path):
    queue = MailQueue(tmp_path)
    entry = queue.put("alice@crepes.fr", ["bob@hamburger.edu"], b"Subject: x\r\n\r\nhi\r\n")
    (tmp_path / "ORPHAN.eml").write_bytes(b"never acknowledged")
    (tmp_path / "X.json.tmp").write_bytes(b"{")
    again = MailQueue(tmp_path)
    again.clean()
    [found] = again.entries()
    assert found == entry and again.message(found).endswith(b"hi\r\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{entry.id}.eml", f"{entry.id}.json"]
    found.tries, found.last_reply = 2, "451 4.7.1 greylisted"
    again.update(found)
    assert MailQueue(tmp_path).entries()[0].tries == 2
    again.remove(found)
    assert list(tmp_path.iterdir()) == []


def test_dsn_is_a_valid_report_even_with_hostile_text():
    original = b"Subject: hi\r\nFrom: alice@crepes.fr\r\n\r\nbody\r\n"
    dsn = build_dsn(reporting_mta="crepes.fr", original_sender="alice@crepes.fr",
                    original=original, arrival=0.0, queue_id="Q1",
                    failures=[Failure("bob@hamburger.edu", "5.7.1",
                                      "550 5.7.1 no\r\nX-Injected: yes \x1b[2J\u202e", "mx")])
    report = email.message_from_bytes(dsn, policy=email.policy.default)
    assert report.get_content_type() == "multipart/report"
    status = list(report.iter_parts())[1].get_payload()[1]
    assert status["Status"] == "5.7.1"
    assert "X-Injected" not in report and "\x1b" not in dsn.decode("ascii")
    assert status_of("451 4.7.1 greylisted") == "4.7.1" and status_of("554 nope") == "5.0.0"


def test_an_expired_recipient_keeps_the_code_of_its_last_attempt():
    """RFC 3463 §3.5 (X.4.7): the actual problem's code rather than 4.4.7 when it is known."""
    assert expired_status("451 4.7.1 Greylisted, try again later") == "4.7.1"
    assert expired_status("450 4.2.1 Mailbox busy") == "4.2.1"
    assert expired_status("451 4.4.1 mx.hamburger.edu: no practice server answers there") == "4.4.1"
    assert expired_status("450 mailbox busy") == EXPIRED == "4.4.7"  # only the class is known
    assert expired_status("connection timed out") == "4.4.7"


def test_relay_client_delivers_to_postfix(postfix, loop_thread, zone_server):
    """Postfix on 127.0.0.1:10025 plays mx.hamburger.edu; the relay drives the shared core."""
    from smtp_tutor.world.events import RelaySaid, WorldWatcher
    from smtp_tutor.world.relay import DELIVERED, FAILED, RelayClient

    class Seen(WorldWatcher):
        def __init__(self):
            self.shown = []

        def publish(self, event):
            if isinstance(event, RelaySaid):
                self.shown.extend(event.events)

    seen = Seen()
    relay = RelayClient(PracticeResolver("127.0.0.1", zone_server.port),
                        {"mx.hamburger.edu": postfix[1]}, "crepes.fr", watcher=seen,
                        insecure=True, timeout=10)
    message = (b"From: alice@crepes.fr\r\nTo: bob@hamburger.edu\r\nSubject: relay test\r\n"
               b"Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\n.leading dot\r\nhello\r\n")
    results = loop_thread.run(relay.deliver("hamburger.edu", "alice@crepes.fr",
                                            ["bob@hamburger.edu", "nosuchuser@hamburger.edu"],
                                            message))
    by = {r.recipient: r for r in results}
    assert by["bob@hamburger.edu"].outcome == DELIVERED
    assert "queued as" in by["bob@hamburger.edu"].reply
    assert by["nosuchuser@hamburger.edu"].outcome == FAILED
    assert by["nosuchuser@hamburger.edu"].reply.startswith("550 5.1.1")
    sent = [e.command.verb for e in seen.shown if hasattr(e, "command")]
    assert sent[:3] == ["EHLO", "STARTTLS", "EHLO"] and sent[-1] == "QUIT"
    assert any(type(e).__name__ == "TlsStarted" for e in seen.shown)


def test_queue_listing_columns_line_up_with_real_ids():
    """D25: the header of `smtp-tutor queue` sits over 19-character queue IDs."""
    from smtp_tutor.knowledge.catalogue import say
    from smtp_tutor.world.queue import new_id

    for lang, tries, sender in (("en", "TRIES", "SENDER"), ("vi", "LẦN", "NGƯỜI GỬI")):
        header = say("world", "queue_header", lang)
        line = say("world", "queue_line", lang, id=new_id(), tries=2, next="12:00:00",
                   sender="alice@crepes.fr", recipients="bob@hamburger.edu")
        end = header.index(tries) + len(tries)  # the count is right-aligned under it
        assert line[end - 5:end] == "    2"
        assert header.index(sender) == line.index("<alice")


def test_the_bounce_speaks_vietnamese_with_its_diacritics_in_a_7_bit_part():
    """T3: the words for a person are UTF-8, quoted-printable, and read back whole."""
    import email

    from smtp_tutor.world.dsn import Failure, build_dsn

    bounce = build_dsn(reporting_mta="crepes.fr", original_sender="alice@crepes.fr",
                       original=b"Subject: hi\r\n\r\nbody\r\n", arrival=0, queue_id="Q1",
                       failures=[Failure("nobody@hamburger.edu", "5.1.1",
                                         "550 5.1.1 <nobody@hamburger.edu>: User unknown")])
    assert max(bounce) < 128 and all(len(line) <= 78 for line in bounce.split(b"\r\n"))
    notice = email.message_from_bytes(bounce).get_payload()[0]
    assert notice.get_content_charset() == "utf-8"
    assert notice["Content-Transfer-Encoding"] == "quoted-printable"
    text = notice.get_payload(decode=True).decode("utf-8")
    assert "Đây là hệ thống thư của crepes.fr" in text and "Day la" not in text
    assert "550 5.1.1 <nobody@hamburger.edu>: User unknown" in text
