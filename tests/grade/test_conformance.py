"""``grade server`` against the practice server, Postfix, smtp-sink and a mute server."""

from __future__ import annotations

import asyncio
import time

from smtp_tutor.grade.conformance import CHECKS, grade_server


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
