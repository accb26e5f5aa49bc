"""``grade server HOST PORT``: a conformance suite for a student-written SMTP server.

From RFC 5321 §4.5.1's minimum implementation up.  Every check opens its own
connection(s) through ``Probe`` (the sans-I/O core reads the replies), so one broken
answer fails one check, not the rest.  Where the RFC allows two answers (MAIL before
HELO, 503 or 554 for DATA without recipients) both pass and the report says which.

The suite keeps the rules it checks: it sends a command only after the reply to the
one before has been read (RFC 5321 §4.2: one reply per command), except in the
PIPELINING check when the server advertised it.  Verdicts rest on replies that came,
in order, or on silence where a correct server must be silent; never on how many
replies happened to arrive in a race.  Two deadlines bound a run: one per reply, one
for the whole suite.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from smtp_tutor.grade.probe import REPLY_TIMEOUT, Closed, Connector, Probe, excerpt_line
from smtp_tutor.grade.report import CheckResult, Report
from smtp_tutor.knowledge.catalogue import say
from smtp_tutor.protocol import Reply
from smtp_tutor.protocol.transcript import NOTE, Line
from smtp_tutor.protocol.visible import visible

SENDER = "alice@crepes.fr"
BODY = b"From: alice@crepes.fr\r\nSubject: conformance\r\n\r\nHello from smtp-tutor.\r\n"
SMUGGLING_FORMS = {"<LF>.<LF>": b"\n.\n", "<CR><LF>.<LF>": b"\r\n.\n",
                   "<LF>.<CR><LF>": b"\n.\r\n", "<CR>.<CR>": b"\r.\r"}
RUN_TIMEOUT = 300.0  # seconds for the whole suite (--run-timeout)
QUIET = 0.5  # seconds of silence that show a server is still reading the data
CLOSE_WAIT = 5.0  # seconds for the close after 221
EXCERPT = 12  # lines of dialogue shown per check (the smuggling check: its forms)


@dataclass
class Target:
    host: str
    port: int
    timeout: float = REPLY_TIMEOUT
    rcpt: str = ""  # default: bob@ the domain of the greeting
    lines: list[Line] = field(default_factory=list)  # the excerpt of the current check
    quiet: float = QUIET
    connect: Connector | None = None  # a server in a sandbox: how to reach it

    def probe(self, number: int = 1) -> Probe:
        return Probe(self.host, self.port, self.timeout, connect=self.connect, number=number)


@dataclass
class Finding:
    passed: bool
    reason: str
    params: dict[str, object] = field(default_factory=dict)
    rfc: str = ""  # the clause this verdict rests on, when narrower than the check's


Check = Callable[[Target], Awaitable[Finding]]
CHECKS: list[tuple[str, str, Check]] = []


def check(check_id: str, rfc: str) -> Callable[[Check], Check]:
    def register(function: Check) -> Check:
        CHECKS.append((check_id, rfc, function))
        return function
    return register


def _got(reply: Reply) -> str:
    return visible(reply.wire_lines()[-1])


def _want(reply: Reply, codes: tuple[int, ...], want: str) -> Finding:
    if reply.code in codes:
        return Finding(True, "server-ok", {"got": _got(reply)})
    return Finding(False, "server-want", {"want": want, "got": _got(reply)})


async def _opened(target: Target, probe: Probe, hello: str = "HELO crepes.fr") -> None:
    target.lines = probe.transcript
    await probe.open()
    if hello:
        await probe.command(hello)


async def _transaction(probe: Probe, rcpt: str, body: bytes | None = BODY,
                       lower: bool = False) -> list[Reply]:
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

@check("greeting", "RFC 5321 §3.1, §4.3.2")
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
            rfc = "RFC 5321 §2.3.8" if bad[0].key == "bare-lf-reply" else "RFC 5321 §4.2.1"
            return Finding(False, "server-format", {"got": bad[0].key}, rfc=rfc)
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


@check("syntax-error", "RFC 5321 §4.1.1.1, §4.1.4, §4.2.2")
async def syntax_error(target: Target) -> Finding:
    async with target.probe() as probe:
        await _opened(target, probe, "")
        reply = await probe.command("HELO")
        if reply.code not in (500, 501):
            return Finding(False, "server-want", {"want": "501", "got": _got(reply)},
                           rfc="RFC 5321 §4.1.1.1, §4.2.2")
        await probe.command("HELO crepes.fr")
        finding = _want(await probe.command(f"MAIL FROM {SENDER}"), (500, 501, 555), "501")
        finding.rfc = "" if finding.passed else "RFC 5321 §4.1.4, §4.2.2"
        return finding


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
            await probe.reply(min(target.timeout, CLOSE_WAIT))
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


async def _after_quit(probe: Probe) -> list[Reply]:
    """QUIT (sent after the last reply was read), and every reply before its 221: a
    server answers in order, so a reply here belongs to a line sent before QUIT."""
    await probe.write(b"QUIT\r\n", shown="QUIT")
    replies = await probe.replies_until(221)
    return [reply for reply in replies if reply.code != 221]


async def _data_open(target: Target, probe: Probe) -> Reply:
    """HELO, MAIL, RCPT, DATA: the reply to DATA (354 when the data may follow)."""
    await _opened(target, probe)
    return (await _transaction(probe, target.rcpt, None))[-1]


@check("dot-stuffing", "RFC 5321 §4.5.2")
async def dot_stuffing(target: Target) -> Finding:
    async with target.probe() as probe:
        opened = await _data_open(target, probe)
        if opened.code != 354:
            return Finding(False, "server-want", {"want": "354", "got": _got(opened)})
        await probe.write(b"Subject: dots\r\n\r\n..\r\n..hidden\r\nNOOP\r\n.\r\n")
        end = await probe.reply()
        extra = await _after_quit(probe)
        if extra:
            return Finding(False, "server-stuffing-broken",
                           {"got": _got(end), "count": 1 + len(extra),
                            "extra": " / ".join(_got(reply) for reply in extra)})
        if end.code != 250:
            return _want(end, (250,), "250")
        return Finding(True, "server-stuffing", {"got": _got(end)})


async def _smuggle(target: Target, form: bytes) -> tuple[str, dict[str, object], list[Line]]:
    """One look-alike end in its own session: its outcome, what decided it, the lines.

    "kept": silence after the look-alike end, then one reply to the real end and
    221 to QUIT (the server kept reading data).  "refused": an error reply to it and
    no 250 to the NOOP after it.  "ran": the NOOP after it got a 250.  "ended": a 2xx
    to it ("ended-quiet": and no reply to the NOOP).  "late": silence at first, but
    more replies than one before QUIT's 221.
    """
    async with target.probe() as probe:
        opened = await _data_open(target, probe)
        first = len(probe.transcript)
        if opened.code != 354:
            return "no-data", {"got": _got(opened)}, probe.transcript
        await probe.write(b"Subject: smuggling\r\n\r\nline" + form)
        early = await probe.reply_within(target.quiet)
        if early is None:
            outcome, params = await _kept_reading(probe)
        else:
            outcome, params = await _after_early_end(probe, target, early)
        return outcome, params, probe.transcript[first:]


async def _kept_reading(probe: Probe) -> tuple[str, dict[str, object]]:
    """No reply to the look-alike end yet: finish the message, then QUIT.  One reply
    before QUIT's 221 is due (to the real end); more show the data ended earlier."""
    await probe.write(b"NOOP\r\nafter\r\n.\r\n")
    end = await probe.reply()
    extra = await _after_quit(probe)
    if extra:
        return "late", {"replies": " / ".join(_got(r) for r in (end, *extra))}
    return "kept", {"got": _got(end)}


async def _after_early_end(probe: Probe, target: Target,
                           early: Reply) -> tuple[str, dict[str, object]]:
    """A reply came to the look-alike end: does the next line run as a command?"""
    await probe.write(b"NOOP\r\n", shown="NOOP")
    try:
        noop = await probe.reply_within(target.quiet)
    except Closed:
        noop = None
    params: dict[str, object] = {"got": _got(early)}
    if noop is not None:
        params["noop"] = _got(noop)
    if noop is not None and noop.code == 250:
        return "ran", params
    if early.code >= 400:
        return "refused", params
    return ("ended" if noop is not None else "ended-quiet"), params


@check("smuggling", "RFC 5321 §4.1.1.4, §2.3.8")
async def smuggling(target: Target) -> Finding:
    bad: dict[str, tuple[str, dict[str, object], list[Line]]] = {}
    shown_first: list[Line] = []
    for name, form in SMUGGLING_FORMS.items():
        outcome, params, shown = await _smuggle(target, form)
        if outcome == "no-data":
            target.lines = shown
            return Finding(False, "server-want", {"want": "354", **params})
        if outcome in ("ran", "ended", "ended-quiet", "late"):
            bad[name] = (outcome, params, shown)
        shown_first = shown_first or [Line(NOTE, f"[{name}]"), *shown]
    if not bad:
        target.lines = shown_first
        return Finding(True, "server-no-smuggling",
                       {"forms": ", ".join(SMUGGLING_FORMS), "quiet": f"{target.quiet:g}"})
    target.lines = [line for name, (_, _, shown) in bad.items()
                    for line in (Line(NOTE, f"[{name}]"), *shown)]
    first = next(iter(bad))
    outcome, params, _ = bad[first]
    return Finding(False, f"server-smuggled-{outcome}",
                   {"forms": ", ".join(bad), "first": first, "quiet": f"{target.quiet:g}",
                    **params})


@check("line-limits", "RFC 5321 §4.5.3.1.4, §4.5.3.1.6")
async def line_limits(target: Target) -> Finding:
    """The 512-octet line is a NOOP argument: its length is free.  ``NOOP x`` first
    tells what this server answers to any argument, so the long line is judged
    against that answer, and a refused argument is named as its own cause."""
    async with target.probe() as probe:
        await _opened(target, probe)
        short = await probe.command("NOOP x")
        long = await probe.command("NOOP " + "x" * (512 - 7))  # 512 octets with CRLF
        after = await probe.command("NOOP")
        if after.code != 250 or long.code != short.code:
            return Finding(False, "server-line-split",
                           {"short": _got(short), "got": _got(long), "after": _got(after)},
                           rfc="RFC 5321 §4.5.3.1.4, §4.2")
        long_line = b"y" * 998 + b"\r\n"  # 1000 octets with CRLF
        replies = await _transaction(probe, target.rcpt, b"Subject: long\r\n\r\n" + long_line)
        if replies[-1].code != 250:
            return Finding(False, "server-want", {"want": "250 (a 1000-octet text line)",
                                                  "got": _got(replies[-1])},
                           rfc="RFC 5321 §4.5.3.1.6")
        if short.code != 250:
            return Finding(True, "server-line-noop-argument", {"got": _got(short)},
                           rfc="RFC 5321 §4.5.3.1.4, §4.5.3.1.6; §4.1.1.9 (NOOP x)")
        return Finding(True, "server-lines-ok", {"long": _got(long), "got": _got(replies[-1])})


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


@check("two-transactions", "RFC 5321 §4.1.4, §4.1.1.4")
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


@check("pipelining", "RFC 2920 §3.2")
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


@check("concurrent", "RFC 5321 §4.5.4.2")
async def concurrent(target: Target) -> Finding:
    first, second = target.probe(), target.probe(2)
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
        target.lines = [*first.transcript[-3:], *second.transcript[-3:]]
        if all(reply.code == 250 for reply in ends):
            return Finding(True, "server-ok", {"got": _got(ends[-1])})
        bad = next(reply for reply in ends if reply.code != 250)
        return Finding(False, "server-want", {"want": "250", "got": _got(bad)})
    finally:
        target.lines = target.lines or [*first.transcript, *second.transcript]
        await first.close()
        await second.close()


# -- running the suite ------------------------------------------------------

async def grade_server(host: str, port: int, *, lang: str = "en",
                       timeout: float = REPLY_TIMEOUT, run_timeout: float = RUN_TIMEOUT,
                       rcpt: str = "", quiet: float = QUIET,
                       connect: Connector | None = None) -> Report:
    """Every check against HOST:PORT, each on its own connection(s).

    ``timeout`` bounds each reply, ``run_timeout`` the whole suite: once it has
    passed, the check under way and the ones left fail and say so.
    """
    report = Report("server", say("grade", "ui.server-title", lang), f"{host}:{port}", lang)
    target = Target(host, port, timeout, rcpt, quiet=min(quiet, timeout), connect=connect)
    deadline = asyncio.get_running_loop().time() + run_timeout
    for check_id, rfc, function in CHECKS:
        target.lines = []
        finding = await _run_one(function, target, deadline, run_timeout)
        if check_id == "greeting" and not target.rcpt:
            target.rcpt = "postmaster"
        report.checks.append(_result(lang, check_id, finding.rfc or rfc, finding, target.lines))
    return report


async def _run_one(function: Check, target: Target, deadline: float,
                   run_timeout: float) -> Finding:
    """One check, its failures turned into findings that name their cause."""
    seconds: dict[str, object] = {"seconds": f"{run_timeout:g}"}
    if asyncio.get_running_loop().time() >= deadline:
        return Finding(False, "server-not-run", seconds)
    try:
        async with asyncio.timeout_at(deadline):
            return await function(target)
    except Closed as why:
        return _closed(why)
    except TimeoutError:
        target.lines = [*target.lines, Line(NOTE, f"(the run's deadline of {run_timeout:g} s passed)")]
        return Finding(False, "server-run-deadline", seconds)
    except OSError as error:
        return Finding(False, "server-connect", {"error": error.strerror or str(error)})


def _closed(why: Closed) -> Finding:
    cause = str(why)
    if cause == "closed":
        return Finding(False, "server-closed")
    if cause == "no reply":
        return Finding(False, "server-no-reply", {"seconds": f"{why.seconds:g}"})
    if cause == "incomplete reply":
        return Finding(False, "server-reply-deadline",
                       {"seconds": f"{why.seconds:g}", "partial": why.partial})
    return Finding(False, "server-unreadable", {"why": cause})


def _result(lang: str, check_id: str, rfc: str, finding: Finding,
            lines: list[Line]) -> CheckResult:
    return CheckResult(
        id=check_id, name=say("grade", f"check.server-{check_id}.name", lang),
        passed=finding.passed, points=1.0 if finding.passed else 0.0, max_points=1.0,
        rfc=rfc, summary=say("grade", f"reason.{finding.reason}", lang, **finding.params),
        hint="" if finding.passed else say("grade", f"check.server-{check_id}.hint", lang),
        excerpt=[excerpt_line(line) for line in (lines if check_id == "smuggling" else lines[-EXCERPT:])])
