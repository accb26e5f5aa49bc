"""``grade server`` against the practice server, Postfix, smtp-sink and a mute server."""

from __future__ import annotations

import asyncio
import json
import re
import time

import pytest

from smtp_tutor.grade.conformance import CHECKS, RUN_TIMEOUT, grade_server
from smtp_tutor.grade.probe import REPLY_TIMEOUT, Probe
from tests.conftest import run_tutor
from tests.grade.peers import Behaviour, Dripping, MiniSMTP, Peer


def _verdicts(host, port, **options):
    report = asyncio.run(grade_server(host, port, **options))
    return report, {check.id: check.passed for check in report.checks}


def test_practice_server_passes_everything(practice):
    report, got = _verdicts(practice.host, practice.port)
    assert all(got.values()), [c.summary for c in report.checks if not c.passed]
    assert len(got) == len(CHECKS) == 20
    before = next(c for c in report.checks if c.id == "mail-before-helo")
    assert "503" in before.summary


def test_postfix_as_known(postfix):
    report, got = _verdicts(*postfix)
    failed = {name for name, ok in got.items() if not ok}
    # Postfix 3.7 ends the data at <LF>.<LF> by default (smtpd_forbid_bare_newline = no)
    assert failed == {"smuggling"}
    smuggling = next(c for c in report.checks if c.id == "smuggling")
    assert "<LF>.<LF>" in smuggling.summary and smuggling.rfc.startswith("RFC 5321 §4.1.1.4")
    assert "the NOOP sent after it ran as a command (250" in smuggling.summary  # interop.md §2
    assert "<CR>.<CR>" not in smuggling.summary.rpartition(":")[2]
    before = next(c for c in report.checks if c.id == "mail-before-helo")
    assert before.passed and "250" in before.summary  # HELO not required by default


def test_smtp_sink_as_known(smtp_sink):
    report, got = _verdicts(*smtp_sink)
    failed = {name for name, ok in got.items() if not ok}
    assert failed == {"syntax-error"}  # it accepts everything, a HELO without domain too
    syntax = next(c for c in report.checks if c.id == "syntax-error")
    assert "250" in syntax.summary


def test_a_mute_server_never_hangs_the_suite(fake_server):
    host, port = fake_server(b"220 mute.example ESMTP\r\n")
    started = time.monotonic()
    report, got = _verdicts(host, port, timeout=0.2)
    assert time.monotonic() - started < 15
    assert got["greeting"] and not got["helo"]
    assert "No reply within 0.2 s" in next(c for c in report.checks if c.id == "helo").summary


# -- in-process servers with one real server's habit each (tests/grade/peers.py) --

@pytest.fixture
def peer(loop_thread):
    """``peer(**behaviour)``: a MiniSMTP on a free loopback port, stopped after the test."""
    servers = []

    def start(**behaviour) -> Peer:
        running = Peer(Behaviour(**behaviour))
        server = loop_thread.run(loop_thread.loop.create_server(
            lambda: MiniSMTP(running), "127.0.0.1", 0))
        servers.append(server)
        running.port = server.sockets[0].getsockname()[1]
        return running

    yield start
    for server in servers:
        loop_thread.loop.call_soon_threadsafe(server.close)


def _check(report, check_id):
    return next(c for c in report.checks if c.id == check_id)


def test_a_lock_step_server_that_refuses_pipelining_gets_full_marks(peer):
    server = peer(strict_pipelining=True, commit_delay=0.1)
    report, got = _verdicts(server.host, server.port)
    assert all(got.values()), [(c.id, c.summary) for c in report.checks if not c.passed]
    assert server.violations == []  # the grader never spoke before a reply
    assert server.quits == server.connections  # nor closed before QUIT (RFC 5321 §4.1.1.10)
    assert _check(report, "pipelining").summary.startswith("Not applicable")
    assert b".\r\n.hidden\r\nNOOP" in next(m for m in server.messages if b"dots" in m)


def test_opensmtpd_like_server_is_judged_as_opensmtpd_deserves(peer):
    """interop.md I2/I3: unstuffing right, smuggling wrong, NOOP arguments refused."""
    server = peer(strict_pipelining=True, lf_ends_lines=True, refuse_noop_argument=True,
                  commit_delay=0.1)
    report, got = _verdicts(server.host, server.port)
    assert {name for name, ok in got.items() if not ok} == {"smuggling"}
    assert server.violations == []
    smuggling = _check(report, "smuggling")
    assert smuggling.summary.startswith("The look-alike end <LF>.<LF> ended the data (250")
    assert "the NOOP sent after it ran as a command (250" in smuggling.summary
    assert "<LF>.<CR><LF>" in smuggling.summary and "<CR>.<CR>" not in smuggling.summary
    assert smuggling.rfc == "RFC 5321 §4.1.1.4, §2.3.8"
    assert smuggling.excerpt[:5] == ["   [<LF>.<LF>]", "C: Subject: smuggling⏎⏎line␊.␊",
                                     "S: 250 2.0.0 Ok: queued", "C: NOOP", "S: 250 2.0.0 Ok"]
    lines = _check(report, "line-limits")
    assert "refuses NOOP arguments (500 5.5.4" in lines.summary
    assert lines.rfc.endswith("§4.1.1.9 (NOOP x)")
    stuffing = _check(report, "dot-stuffing")
    assert stuffing.excerpt[-4:] == ["C: Subject: dots⏎⏎..⏎..hidden⏎NOOP⏎.⏎",
                                     "S: 250 2.0.0 Ok: queued", "C: QUIT", "S: 221 2.0.0 Bye"]


def test_a_smuggling_server_fails_even_when_its_reply_comes_late(peer):
    """Silence for longer than the quiet wait is no proof: the replies before the 221
    to QUIT show that the data had ended at the look-alike end."""
    server = peer(lf_ends_lines=True, commit_delay=0.2)
    report, got = _verdicts(server.host, server.port, quiet=0.05)
    smuggling = _check(report, "smuggling")
    assert not smuggling.passed
    assert ("before the 221 to QUIT came 250 2.0.0 Ok: queued / 250 2.0.0 Ok / 500"
            in smuggling.summary)
    assert got["dot-stuffing"] and got["transaction"]


def test_a_slow_correct_server_passes_the_smuggling_check(peer):
    server = peer(commit_delay=0.2)
    report, got = _verdicts(server.host, server.port, quiet=0.05)
    assert all(got.values()), [(c.id, c.summary) for c in report.checks if not c.passed]
    assert "   (no reply within 0.05 s)" in _check(report, "smuggling").excerpt


def test_a_short_line_buffer_fails_the_line_check_even_when_noop_arguments_are_refused(peer):
    server = peer(refuse_noop_argument=True, max_line=256)
    report, got = _verdicts(server.host, server.port)
    lines = _check(report, "line-limits")
    assert not lines.passed and lines.summary.startswith("A 512-octet command was not read")
    assert lines.rfc == "RFC 5321 §4.5.3.1.4, §4.2"


def test_bare_aiosmtpd_gets_full_marks(bare_aiosmtpd):
    report, got = _verdicts(*bare_aiosmtpd)
    assert all(got.values()), [(c.id, c.summary) for c in report.checks if not c.passed]


@pytest.fixture
def dripping(loop_thread):
    """A server whose greeting never ends: one byte every 0.05 s, on every connection."""
    server = loop_thread.run(loop_thread.loop.create_server(
        lambda: Dripping(0.05), "127.0.0.1", 0))
    yield "127.0.0.1", server.sockets[0].getsockname()[1]
    loop_thread.loop.call_soon_threadsafe(server.close)


def test_a_dripping_server_meets_both_deadlines(dripping):
    report, got = _verdicts(*dripping, timeout=0.3, run_timeout=1.0)
    assert not any(got.values())
    greeting = _check(report, "greeting")
    # how many bytes came by then depends on the machine's load; which deadline does not
    assert greeting.summary.startswith("The reply was not whole within 0.3 s (the deadline "
                                       "for each reply, --reply-timeout); only this had come: 2")
    assert report.checks[-1].summary.startswith("Not run: the deadline for the whole run (1 s")
    assert any("--run-timeout" in c.summary for c in report.checks)


def test_no_text_of_the_suite_has_a_placeholder_left(peer, dripping):
    server = peer(strict_pipelining=True, lf_ends_lines=True, refuse_noop_argument=True,
                  max_line=256)
    for lang in ("en", "vi"):
        for host, port, options in ((server.host, server.port, {}),
                                    (*dripping, {"timeout": 0.2, "run_timeout": 0.5})):
            report, _ = _verdicts(host, port, lang=lang, **options)
            for check in report.checks:
                assert not re.search(r"[{}]| - |\?\s*$| \?[ ,.)]", check.summary), check


def test_the_deadlines_on_the_command_line(dripping):
    from smtp_tutor.cli import build_parser

    parse = build_parser("grade").parse_args
    defaults = parse(["grade", "server", "127.0.0.1", "25"])
    assert (defaults.timeout, defaults.run_timeout) == (REPLY_TIMEOUT, RUN_TIMEOUT) == (30, 300)
    assert parse(["grade", "server", "h", "25", "--timeout", "7"]).timeout == 7.0  # old name
    result = run_tutor("grade", "server", *map(str, dripping), "--reply-timeout", "0.3",
                       "--run-timeout", "1", "--format", "json", "--lang", "vi")
    assert result.returncode == 1, result.stderr
    checks = json.loads(result.stdout)["checks"]
    assert checks[0]["summary"].startswith("Phản hồi chưa trọn vẹn sau 0.3 s")
    assert checks[-1]["summary"].startswith("Không chạy: thời hạn cho cả lượt chấm (1 s")


def test_a_partial_reply_is_shown_through_visible(fake_server):
    host, port = fake_server("220 \x1b[2J\u202egnp.exe".encode())  # never ends
    report, _ = _verdicts(host, port, timeout=0.2, run_timeout=0.5)
    greeting = _check(report, "greeting")
    shown = greeting.summary + "".join(greeting.excerpt)
    assert "only this had come: 220" in greeting.summary
    assert "\x1b" not in shown and "\u202e" not in shown


def test_a_reply_in_pieces_is_marked_where_it_came():
    """The excerpt shows the order: the greeting was read in two pieces."""
    async def scenario() -> list[str]:
        first_piece_read = asyncio.Event()

        async def handle(reader, writer):
            writer.write(b"220 mini.example")
            await writer.drain()
            await first_piece_read.wait()
            writer.write(b" ESMTP\r\n")
            await reader.readline()
            writer.write(b"221 bye\r\n")
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        probe = Probe("127.0.0.1", server.sockets[0].getsockname()[1], 5)

        async def watch() -> None:
            while not probe.session.reply_incomplete:
                await asyncio.sleep(0.01)
            first_piece_read.set()

        watcher = asyncio.create_task(watch())
        async with probe:
            await probe.open()
        await watcher
        server.close()
        return probe.lines()

    assert asyncio.run(scenario()) == ["S: 220 mini.example ESMTP",
                                       "   (this reply came in 2 pieces)"]
