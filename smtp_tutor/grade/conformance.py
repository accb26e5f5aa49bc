"""``grade server HOST PORT``: a conformance suite for a student-written SMTP server.

From RFC 5321 §4.5.1's minimum implementation up.  Every check opens its own
connection(s) through ``Probe`` (the sans-I/O core reads the replies), so one broken
answer fails one check, not the rest.  Where the RFC allows two answers (MAIL before
HELO, 503 or 554 for DATA without recipients) both pass and the report says which.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from smtp_tutor.grade.probe import Closed, Probe
from smtp_tutor.grade.report import CheckResult, Report, check_text, text
from smtp_tutor.protocol.visible import visible

SENDER = "alice@crepes.fr"
BODY = b"From: alice@crepes.fr\r\nSubject: conformance\r\n\r\nHello from smtp-tutor.\r\n"
SMUGGLING_FORMS = {"<LF>.<LF>": b"\n.\n", "<CR><LF>.<LF>": b"\r\n.\n",
                   "<LF>.<CR><LF>": b"\n.\r\n", "<CR>.<CR>": b"\r.\r"}


@dataclass
class Target:
    host: str
    port: int
    timeout: float = 5.0
    rcpt: str = ""  # default: bob@ the domain of the greeting
    lines: list[str] = field(default_factory=list)  # the excerpt of the current check

    def probe(self) -> Probe:
        return Probe(self.host, self.port, self.timeout)


@dataclass
class Finding:
    passed: bool
    reason: str
    params: dict[str, object] = field(default_factory=dict)


Check = Callable[[Target], Awaitable[Finding]]
CHECKS: list[tuple[str, str, Check]] = []


def check(check_id: str, rfc: str) -> Callable[[Check], Check]:
    def register(function: Check) -> Check:
        CHECKS.append((check_id, rfc, function))
        return function
    return register


def _got(reply) -> str:  # noqa: ANN001
    return visible(reply.wire_lines()[-1]) if reply is not None else "-"


def _want(reply, codes: tuple[int, ...], want: str) -> Finding:  # noqa: ANN001
    if reply.code in codes:
        return Finding(True, "server-ok", {"got": _got(reply)})
    return Finding(False, "server-want", {"want": want, "got": _got(reply)})


async def _opened(target: Target, probe: Probe, hello: str = "HELO crepes.fr") -> None:
    target.lines = probe.transcript
    await probe.open()
    if hello:
        await probe.command(hello)


async def _transaction(probe: Probe, rcpt: str, body: bytes | None = BODY,
                       lower: bool = False) -> list:  # noqa: ANN001
    """MAIL, RCPT, DATA, the body, the end: the replies, the last one the end's
    (``body`` None: stop after the 354)."""
    verbs = ("mail from:", "rcpt to:", "data") if lower else ("MAIL FROM:", "RCPT TO:", "DATA")
    replies = [await probe.command(f"{verbs[0]}<{SENDER}>"),
               await probe.command(f"{verbs[1]}<{rcpt}>"), await probe.command(verbs[2])]
    if replies[-1].code != 354 or body is None:
        return replies
    await probe.write(body + b".\r\n")
    replies.append(await probe.reply())
    return replies


# -- the checks, in the report's order --------------------------------------

@check("greeting", "RFC 5321 §3.1, §4.2")
async def greeting(target: Target) -> Finding:
    async with target.probe() as probe:
        target.lines = probe.transcript
        reply = await probe.open()
        if not target.rcpt:
            domain = (reply.lines[0].split() or ["localhost"])[0] if reply.lines else "localhost"
            target.rcpt = f"bob@{domain}"
        return _want(reply, (220,), "220")


@check("ehlo", "RFC 5321 §4.1.1.1, §4.2.1")
async def ehlo(target: Target) -> Finding:
    async with target.probe() as probe:
        await _opened(target, probe, "")
        reply = await probe.command("EHLO crepes.fr")
        bad = [n for n in reply.notes if n.key in ("reply-code-mismatch", "bare-lf-reply")]
        if reply.code == 250 and bad:
            return Finding(False, "server-format", {"got": bad[0].key})
        return _want(reply, (250,), "250")


@check("helo", "RFC 5321 §4.1.1.1")
async def helo(target: Target) -> Finding:
    async with target.probe() as probe:
        await _opened(target, probe, "")
        return _want(await probe.command("HELO crepes.fr"), (250,), "250")


@check("transaction", "RFC 5321 §3.3, §4.1.1.4")
async def transaction(target: Target) -> Finding:
    async with target.probe() as probe:
        await _opened(target, probe)
        replies = await _transaction(probe, target.rcpt)
        for reply, want in zip(replies, (250, 250, 354, 250), strict=False):
            if reply.code != want:
                return Finding(False, "server-want", {"want": want, "got": _got(reply)})
        return Finding(True, "server-ok", {"got": _got(replies[-1])})


@check("sequence", "RFC 5321 §4.1.4, §3.3")
async def sequence(target: Target) -> Finding:
    async with target.probe() as probe:
        await _opened(target, probe)
        for line, codes, want in (("RCPT TO:<" + target.rcpt + ">", (503,), "503"),
                                  ("DATA", (503, 554), "503")):
            reply = await probe.command(line)
            if reply.code not in codes:
                return Finding(False, "server-want", {"want": want, "got": _got(reply)})
        await probe.command(f"MAIL FROM:<{SENDER}>")
        return _want(await probe.command("DATA"), (503, 554), "503 (or 554)")


@check("mail-before-helo", "RFC 5321 §4.1.4")
async def mail_before_helo(target: Target) -> Finding:
    async with target.probe() as probe:
        await _opened(target, probe, "")
        reply = await probe.command(f"MAIL FROM:<{SENDER}>")
        if reply.code in (250, 503):
            return Finding(True, "server-info", {"got": _got(reply)})
        return Finding(False, "server-want", {"want": "250 or 503", "got": _got(reply)})


@check("unknown-command", "RFC 5321 §4.2.4")
async def unknown_command(target: Target) -> Finding:
    async with target.probe() as probe:
        await _opened(target, probe)
        return _want(await probe.command("FOO bar"), (500, 502), "500")


@check("syntax-error", "RFC 5321 §4.1.1.1, §4.2.2")
async def syntax_error(target: Target) -> Finding:
    async with target.probe() as probe:
        await _opened(target, probe, "")
        reply = await probe.command("HELO")
        if reply.code not in (500, 501):
            return Finding(False, "server-want", {"want": "501", "got": _got(reply)})
        await probe.command("HELO crepes.fr")
        return _want(await probe.command(f"MAIL FROM {SENDER}"), (500, 501, 555), "501")


@check("rset", "RFC 5321 §4.1.1.5")
async def rset(target: Target) -> Finding:
    async with target.probe() as probe:
        await _opened(target, probe)
        await probe.command(f"MAIL FROM:<{SENDER}>")
        await probe.command(f"RCPT TO:<{target.rcpt}>")
        reply = await probe.command("RSET")
        if reply.code != 250:
            return Finding(False, "server-want", {"want": "250", "got": _got(reply)})
        return _want(await probe.command("DATA"), (503, 554), "503 (the transaction is gone)")


@check("noop", "RFC 5321 §4.1.1.9")
async def noop(target: Target) -> Finding:
    async with target.probe() as probe:
        await _opened(target, probe)
        return _want(await probe.command("NOOP"), (250,), "250")


@check("quit", "RFC 5321 §4.1.1.10")
async def quit_(target: Target) -> Finding:
    async with target.probe() as probe:
        await _opened(target, probe)
        reply = await probe.command("QUIT")
        if reply.code != 221:
            return Finding(False, "server-want", {"want": "221", "got": _got(reply)})
        try:
            await probe.reply()
        except Closed as why:
            if str(why) == "closed":
                return Finding(True, "server-ok", {"got": _got(reply)})
        return Finding(False, "server-not-closed", {"got": _got(reply)})


@check("case-insensitive", "RFC 5321 §2.4")
async def case_insensitive(target: Target) -> Finding:
    async with target.probe() as probe:
        await _opened(target, probe, "helo crepes.fr")
        replies = await _transaction(probe, target.rcpt, lower=True)
        for reply, want in zip(replies, (250, 250, 354, 250), strict=False):
            if reply.code != want:
                return Finding(False, "server-want", {"want": want, "got": _got(reply)})
        return _want(await probe.command("rset"), (250,), "250")


async def _one_message(target: Target, data: bytes) -> tuple[int, list]:  # noqa: ANN001
    """After DATA: ``data``, then QUIT; how many replies came before the 221."""
    async with target.probe() as probe:
        await _opened(target, probe)
        replies = await _transaction(probe, target.rcpt, None)
        if replies[-1].code != 354:
            return -1, replies
        await probe.write(data)
        await probe.write(b"QUIT\r\n")
        after = await probe.replies_until(221)
        return len([r for r in after if r.code != 221]), after


@check("dot-stuffing", "RFC 5321 §4.5.2")
async def dot_stuffing(target: Target) -> Finding:
    count, replies = await _one_message(
        target, b"Subject: dots\r\n\r\n..\r\n..hidden\r\nNOOP\r\n.\r\n")
    if count == 1 and replies[0].code == 250:
        return Finding(True, "server-stuffing", {"got": _got(replies[0])})
    return Finding(False, "server-stuffing-broken",
                   {"got": _got(replies[0] if replies else None), "count": count})


@check("smuggling", "RFC 5321 §4.1.1.4, §2.3.8")
async def smuggling(target: Target) -> Finding:
    ended = []
    lines: list[str] = []
    for name, form in SMUGGLING_FORMS.items():
        count, _ = await _one_message(
            target, b"Subject: smuggling\r\n\r\nline" + form + b"NOOP\r\nafter\r\n.\r\n")
        if count > 1:
            ended.append(name)
            lines += [f"   [{name}]", *target.lines[-7:]]
    target.lines = lines
    if ended:
        return Finding(False, "server-smuggled", {"forms": ", ".join(ended)})
    return Finding(True, "server-no-smuggling", {"forms": ", ".join(SMUGGLING_FORMS)})


@check("line-limits", "RFC 5321 §4.5.3.1.4, §4.5.3.1.6")
async def line_limits(target: Target) -> Finding:
    async with target.probe() as probe:
        await _opened(target, probe)
        reply = await probe.command("NOOP " + "x" * (512 - 7))  # 512 octets with CRLF
        if reply.code != 250:
            return Finding(False, "server-want", {"want": "250 (512 octets)", "got": _got(reply)})
        long_line = b"y" * 998 + b"\r\n"  # 1000 octets with CRLF
        replies = await _transaction(probe, target.rcpt, b"Subject: long\r\n\r\n" + long_line)
        return _want(replies[-1], (250,), "250 (a 1000-octet text line)")


@check("many-recipients", "RFC 5321 §4.5.3.1.8")
async def many_recipients(target: Target) -> Finding:
    async with target.probe() as probe:
        await _opened(target, probe)
        await probe.command(f"MAIL FROM:<{SENDER}>")
        for number in range(1, 101):
            reply = await probe.command(f"RCPT TO:<{target.rcpt}>")
            if reply.code != 250:
                return Finding(False, "server-recipients", {"n": number, "got": _got(reply)})
        await probe.command("RSET")
        return Finding(True, "server-ok", {"got": "100 × " + _got(reply)})


@check("two-transactions", "RFC 5321 §3.3")
async def two_transactions(target: Target) -> Finding:
    async with target.probe() as probe:
        await _opened(target, probe)
        for _ in range(2):
            replies = await _transaction(probe, target.rcpt)
            if replies[-1].code != 250:
                return Finding(False, "server-want", {"want": "250", "got": _got(replies[-1])})
        return Finding(True, "server-ok", {"got": _got(replies[-1])})


@check("postmaster", "RFC 5321 §4.5.1")
async def postmaster(target: Target) -> Finding:
    async with target.probe() as probe:
        await _opened(target, probe)
        await probe.command(f"MAIL FROM:<{SENDER}>")
        return _want(await probe.command("RCPT TO:<postmaster>"), (250, 251), "250")


@check("pipelining", "RFC 2920 §3.1")
async def pipelining(target: Target) -> Finding:
    async with target.probe() as probe:
        await _opened(target, probe, "")
        reply = await probe.command("EHLO crepes.fr")
        if "PIPELINING" not in probe.session.capabilities:
            return Finding(True, "server-skip", {"why": "PIPELINING not advertised"})
        await probe.write(f"MAIL FROM:<{SENDER}>\r\nRCPT TO:<{target.rcpt}>\r\nDATA\r\n"
                          .encode())
        codes = [(await probe.reply()).code for _ in range(3)]
        if codes != [250, 250, 354]:
            return Finding(False, "server-want", {"want": "250 250 354",
                                                  "got": " ".join(map(str, codes))})
        await probe.write(BODY + b".\r\n")
        reply = await probe.reply()
        return _want(reply, (250,), "250")


@check("concurrent", "RFC 5321 §3.1")
async def concurrent(target: Target) -> Finding:
    first, second = target.probe(), target.probe()
    try:
        await asyncio.gather(first.open(), second.open())
        for line in ("HELO crepes.fr", f"MAIL FROM:<{SENDER}>", f"RCPT TO:<{target.rcpt}>",
                     "DATA"):
            for probe in (first, second):
                await probe.command(line)
        ends = []
        for probe in (first, second):
            await probe.write(BODY + b".\r\n")
            ends.append(await probe.reply())
        target.lines = [*first.transcript[-3:], *(f"   (2) {x}" for x in second.transcript[-3:])]
        if all(reply.code == 250 for reply in ends):
            return Finding(True, "server-ok", {"got": _got(ends[-1])})
        bad = next(reply for reply in ends if reply.code != 250)
        return Finding(False, "server-want", {"want": "250", "got": _got(bad)})
    finally:
        target.lines = target.lines or [*first.transcript, *second.transcript]
        await first.close()
        await second.close()


# -- running the suite ------------------------------------------------------

async def grade_server(host: str, port: int, *, lang: str = "en", timeout: float = 5.0,
                       rcpt: str = "") -> Report:
    report = Report("server", text(lang, "ui", "server-title"), f"{host}:{port}", lang)
    target = Target(host, port, timeout, rcpt)
    for check_id, rfc, function in CHECKS:
        target.lines = []
        try:
            finding = await function(target)
        except Closed as why:
            finding = Finding(False, "server-closed" if str(why) == "closed"
                              else "server-no-reply", {"seconds": f"{timeout:g}"})
        except OSError as error:
            finding = Finding(False, "server-connect", {"error": error.strerror or str(error)})
        if check_id == "greeting" and not target.rcpt:
            target.rcpt = "postmaster"
        report.checks.append(CheckResult(
            id=check_id, name=check_text(lang, f"server-{check_id}", "name"),
            passed=finding.passed, points=1.0 if finding.passed else 0.0, max_points=1.0,
            rfc=rfc, summary=text(lang, "reason", finding.reason, **finding.params),
            hint="" if finding.passed else check_text(lang, f"server-{check_id}", "hint"),
            excerpt=list(target.lines[-12:])))
    return report
