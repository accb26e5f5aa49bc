"""What decides each check of ``grade client``, from what the server saw and the run.

Each judge returns a ``Verdict``: passed, failed or not reached, the reason (a key of
grade.toml's ``reason`` table, with parameters), and the lines of the dialogue that
decided it.  A check passes only on positive evidence (a program that sent nothing
passes nothing), and a check whose situation never arose (no 550 came, because an
earlier line was refused) is *not reached* and names the earlier cause, instead of
claiming what did not happen.  The client lint's findings (protocol/client_lint.py)
are reused with their own words and RFC sections from the knowledge base.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from smtp_tutor.grade.record import Connection
from smtp_tutor.grade.report import CheckResult
from smtp_tutor.grade.rubric import CheckSpec
from smtp_tutor.grade.scenarios import Outcome
from smtp_tutor.knowledge.catalogue import say
from smtp_tutor.knowledge.lookup import explain_note
from smtp_tutor.protocol.commands import mail_path, parse_command
from smtp_tutor.protocol.transcript import CLIENT, TOOL
from smtp_tutor.protocol.visible import visible
from smtp_tutor.server.watch import DATA, UNFINISHED

RFC = {
    "delivered": "RFC 5321 §4.1.1.4", "envelope": "RFC 5321 §4.1.1.2, §4.1.1.3",
    "body": "RFC 5321 §4.1.1.4", "quit": "RFC 5321 §4.1.1.10", "exits": "",
    "clean-dialogue": "RFC 5321 §2.3.8, §3.1", "split-replies": "RFC 5321 §4.2.1",
    "multiline-ehlo": "RFC 5321 §4.2.1", "slow-greeting": "RFC 5321 §3.1",
    "rcpt-550": "RFC 5321 §3.3, §4.1.1.5", "greeting-421": "RFC 5321 §3.8",
    "mail-451": "RFC 5321 §4.2.1, §4.5.4.1", "dot-stuffing": "RFC 5321 §4.5.2",
    "strict-syntax": "RFC 5321 §4.1.2",
}
PASSED, FAILED, NOT_REACHED = "passed", "failed", "not-reached"
REACTIONS = frozenset({"greeting-421", "slow-greeting", "mail-451", "rcpt-550"})
LINT_RULES = ("bare-lf", "early-talker", "no-helo", "pipelining-not-offered",
              "pipelined-after", "long-command-line", "long-text-line", "partial-reply")
MAX_EXCERPT_LINE = 200


@dataclass
class Verdict:
    passed: bool
    reason: str
    params: dict[str, object] = field(default_factory=dict)
    excerpt: list[str] = field(default_factory=list)
    rfc: str = ""
    hint: str = ""
    reached: bool = True  # False: the check's situation never arose

    @property
    def status(self) -> str:
        return PASSED if self.passed else FAILED if self.reached else NOT_REACHED


def not_reached(cause: str, excerpt: list[str] | None = None) -> Verdict:
    """The situation this check is about never came; ``cause`` says why (already in the
    reader's language)."""
    return Verdict(False, "not-reached", {"cause": cause}, excerpt or [], reached=False)


def judge(spec: CheckSpec, outcome: Outcome, lang: str, *, void: bool = False,
          plain: Outcome | None = None) -> CheckResult:
    """One check's result; ``void``: a check not reached is left out of the score."""
    verdict = JUDGES[spec.id](spec, outcome, lang)
    if spec.id == "split-replies" and not verdict.passed and verdict.reached and plain:
        verdict = _split_cause(verdict, plain, lang)
    if spec.id in REACTIONS and verdict.passed and plain is not None:
        connection = plain.recorder.main()
        if connection is None or not _held_dialogue(connection):
            # doing nothing is not a right reaction: a program that never holds a
            # dialogue earns nothing for "stopping" after a 421 (D5)
            verdict = Verdict(False, "no-dialogue-plain", {})
    # a check worth nothing is the same counted or not: say "not counted" only when it
    # changes the maximum
    counted = not (void and verdict.status == NOT_REACHED and spec.points > 0)
    hint = "" if verdict.status != FAILED else (verdict.hint or say("grade", f"check.{spec.id}.hint", lang))
    return CheckResult(
        id=spec.id, name=visible(spec.name) or say("grade", f"check.{spec.id}.name", lang),
        passed=verdict.passed, points=spec.points if verdict.passed else 0.0,
        max_points=spec.points if counted else 0.0, rfc=verdict.rfc or RFC[spec.id],
        summary=say("grade", f"reason.{verdict.reason}", lang, **verdict.params), hint=hint,
        excerpt=verdict.excerpt, status=verdict.status, beyond=spec.beyond, counted=counted,
        reason=verdict.reason)


def _split_cause(verdict: Verdict, plain: Outcome, lang: str) -> Verdict:
    """Replies in pieces and no message: if the plain run did not deliver either, the
    pieces are not the cause."""
    connection = plain.recorder.main()
    if verdict.reason == "split-not-delivered" and (
            connection is None or not _delivered(connection, plain)):
        return not_reached(say("grade", "reason.cause-plain-failed", lang), verdict.excerpt)
    return verdict


# -- helpers ----------------------------------------------------------------

def excerpt(connection: Connection, index: int, before: int = 3, after: int = 2) -> list[str]:
    out = []
    start = max(0, index - before)
    if start > 0:
        out.append("   …")
    out += [entry.shown(MAX_EXCERPT_LINE)
            for entry in connection.entries[start: index + after + 1] if entry.side != TOOL]
    return out


def _stderr(outcome: Outcome) -> list[str]:
    return [f"stderr: {visible(line)[:MAX_EXCERPT_LINE]}" for line in outcome.run.stderr_tail()]


def _no_connection(outcome: Outcome, lang: str = "en") -> Verdict:
    run = outcome.run
    if run.status == "not-started":
        return Verdict(False, "not-started", {"error": run.error})
    return Verdict(False, "no-connection", {"status": _status(run, lang)}, _stderr(outcome))


def _status(run, lang: str = "en") -> str:  # noqa: ANN001
    """How the program ended, in the report's language."""
    from smtp_tutor.knowledge.catalogue import say

    if run.status == "timeout":
        return say("grade", "ui.status-timeout", lang, seconds=f"{run.seconds:.1f}")
    if run.status == "signal":
        return say("grade", "ui.status-signal", lang, signal=str(-run.returncode))
    return say("grade", "ui.status-exit", lang, code=str(run.returncode))


def _next_command(connection: Connection, after: int) -> tuple[int, str]:
    for index, entry in connection.commands():
        if index > after:
            return index, entry.verb
    return -1, ""


def _delivered(connection: Connection, outcome: Outcome) -> bool:
    _, reply, _ = connection.body()
    return reply is not None and reply.code == "250" and bool(outcome.stored)


def _ended_badly(outcome: Outcome, lang: str = "en") -> Verdict | None:
    run = outcome.run
    if run.status == "timeout":
        return Verdict(False, "timeout", {"seconds": f"{run.seconds:.0f}"}, _stderr(outcome))
    if run.crashed:
        tail = run.stderr_tail(1)
        return Verdict(False, "crashed", {"line": tail[0] if tail else _status(run, lang)},
                       _stderr(outcome))
    return None


# -- the judges -------------------------------------------------------------

Judge = Callable[[CheckSpec, Outcome, str], Verdict]


def _cause_before(connection: Connection, verb: str, lang: str) -> str:
    """Why a command never got its moment: the first refusal before it, or it was
    never sent."""
    for index, entry in connection.commands():
        if entry.verb == verb:
            break
        reply = connection.reply_after(index)
        if reply is not None and reply.code[:1] in ("4", "5"):
            return say("grade", "reason.cause-refused", lang, verb=entry.verb or entry.text[:20],
                        reply=reply.text)
    return say("grade", "reason.cause-never-sent", lang, verb=verb)


def delivered(spec: CheckSpec, outcome: Outcome, lang: str) -> Verdict:
    connection = outcome.recorder.main()
    if connection is None:
        return _no_connection(outcome, lang)
    _, reply, end = connection.body()
    if end < 0:
        data = [i for i, e in connection.commands() if e.verb == "DATA"]
        if not data:
            last = len(connection.entries) - 1
            return Verdict(False, "no-data", {}, excerpt(connection, last, 5, 0))
        reply = connection.reply_after(data[0])
        if reply is None or reply.code != "354":
            return Verdict(False, "refused", {"verb": "DATA", "reply": reply.text if reply
                                              else "-"}, excerpt(connection, data[0], 3, 1))
        last = len(connection.entries) - 1
        sent = [e for e in connection.entries if e.side == CLIENT]
        if outcome.run.status == "timeout" and sent and sent[-1].kind in (DATA, UNFINISHED):
            # the commonest hang: recv() after the text, before the end marker
            return Verdict(False, "waited-in-data", {"line": sent[-1].text or "(empty)"},
                           excerpt(connection, last, 3, 0))
        return Verdict(False, "not-ended", {}, excerpt(connection, last))
    shown = excerpt(connection, end, 2, 1)
    if reply is not None and reply.code == "250" and outcome.stored:
        return Verdict(True, "delivered", {"reply": reply.text}, shown)
    return Verdict(False, "end-refused", {"reply": reply.text if reply else "-"}, shown)


def envelope(spec: CheckSpec, outcome: Outcome, lang: str) -> Verdict:
    connection = outcome.recorder.main()
    if connection is None:
        return _no_connection(outcome, lang)
    sender, recipients, refused = None, [], None
    for index, entry in connection.commands():
        if entry.verb not in ("MAIL", "RCPT"):
            continue
        reply = connection.reply_after(index)
        address = mail_path(parse_command(entry.text)) or ""
        if reply is None or reply.code[:1] != "2":
            refused = refused or (index, entry, reply)
            continue
        if entry.verb == "MAIL" and sender is None:
            sender = (index, address)
        elif entry.verb == "RCPT":
            recipients.append(address)
    if refused is not None and (sender is None or not recipients):
        index, entry, reply = refused
        return Verdict(False, "refused", {"verb": entry.verb, "reply": reply.text if reply
                                          else "-"}, excerpt(connection, index, 1, 1))
    if sender is None:
        return Verdict(False, "no-mail", {}, excerpt(connection, len(connection.entries) - 1))
    if not recipients:
        return Verdict(False, "no-rcpt", {}, excerpt(connection, sender[0], 1, 3))
    shown = excerpt(connection, sender[0], 0, 3)
    want_from, want_to = spec.params.get("from"), spec.params.get("to")
    if want_from and not fnmatch.fnmatch(sender[1].lower(), str(want_from).lower()):
        return Verdict(False, "wrong-from", {"got": sender[1], "want": want_from}, shown)
    if want_to and not any(fnmatch.fnmatch(r.lower(), str(want_to).lower()) for r in recipients):
        return Verdict(False, "wrong-to", {"got": ", ".join(recipients), "want": want_to}, shown)
    return Verdict(True, "envelope-ok", {"sender": sender[1] or "<>",
                                         "recipients": ", ".join(recipients)}, shown)


def wanted_text(spec: CheckSpec, outcome: Outcome) -> list[str]:
    """What the body must contain: the rubric's ``contains``, else the first line of
    ``$SMTP_BODY`` when the rubric sets it, else nothing (any text)."""
    wanted = spec.params.get("contains")
    if wanted:
        return [str(piece) for piece in ([wanted] if isinstance(wanted, str) else wanted)]
    told = outcome.env.get("SMTP_BODY", "").strip()
    return [told.splitlines()[0]] if told else []


def body(spec: CheckSpec, outcome: Outcome, lang: str) -> Verdict:
    connection = outcome.recorder.main()
    if connection is None:
        return _no_connection(outcome, lang)
    lines, _, end = connection.body()
    if end < 0:
        return Verdict(False, "no-body")
    whole = "\n".join(lines)
    for piece in wanted_text(spec, outcome):
        if piece not in whole:
            return Verdict(False, "body-missing", {"text": piece}, excerpt(connection, end, 4, 0))
    if not whole.strip():
        return Verdict(False, "body-empty", {}, excerpt(connection, end, 4, 0))
    return Verdict(True, "body-ok", {"lines": len(lines)}, excerpt(connection, end, 2, 0))


def quit_(spec: CheckSpec, outcome: Outcome, lang: str) -> Verdict:
    connection = outcome.recorder.main()
    if connection is None:
        return _no_connection(outcome, lang)
    for index, entry in connection.commands():
        if entry.verb == "QUIT":
            reply = connection.reply_after(index)
            shown = excerpt(connection, index, 1, 1)
            if reply is not None and reply.code == "221":
                return Verdict(True, "quit-ok", {}, shown)
            if reply is None:
                return Verdict(False, "quit-no-reply", {}, shown)
            return Verdict(False, "quit-refused", {"reply": reply.text}, shown)
    return Verdict(False, "no-quit", {}, excerpt(connection, len(connection.entries) - 1))


def exits(spec: CheckSpec, outcome: Outcome, lang: str) -> Verdict:
    run = outcome.run
    if run.status == "not-started":
        return Verdict(False, "not-started", {"error": run.error})
    bad = _ended_badly(outcome, lang)
    if bad is not None:
        return bad
    if run.returncode:
        return Verdict(False, "exit-status", {"code": run.returncode}, _stderr(outcome))
    if outcome.recorder.main() is None:  # ending well is only worth something after work
        return Verdict(False, "ended-unconnected", {"status": _status(run, lang)},
                       _stderr(outcome))
    return Verdict(True, "exited", {"seconds": f"{run.seconds:.2f}"})


def _held_dialogue(connection: Connection) -> bool:
    """A greeting answered by HELO or EHLO, and at least one command after it."""
    verbs = [entry.verb for _, entry in connection.commands()]
    return any(verb in ("HELO", "EHLO") for verb in verbs) and len(verbs) >= 2


def clean_dialogue(spec: CheckSpec, outcome: Outcome, lang: str) -> Verdict:
    connection = outcome.recorder.main()
    if connection is None:
        return _no_connection(outcome, lang)
    rules = spec.params.get("rules", LINT_RULES)
    found = [(i, n) for i, n in connection.findings() if n.key.removeprefix("lint-") in rules]
    if found:
        index, note = found[0]
        said, hint = explain_note(note.key, note.params, lang)
        others = [explain_note(n.key, n.params, lang)[0] for _, n in found[1:]]
        return Verdict(False, "lint", {"text": " ".join(dict.fromkeys([said, *others]))},
                       excerpt(connection, index, 2, 0), rfc=note.rfc, hint=hint)
    if not _held_dialogue(connection):
        return Verdict(False, "no-dialogue", {}, excerpt(connection, len(connection.entries) - 1))
    return Verdict(True, "clean", {})


def _partial(connection: Connection, lang: str) -> Verdict | None:
    for index, note in connection.findings():
        if note.key == "lint-partial-reply":
            said, hint = explain_note(note.key, note.params, lang)
            return Verdict(False, "partial", {"text": said},
                           _split_excerpt(connection, index, lang), hint=hint)
    return None


def _split_excerpt(connection: Connection, finding: int, lang: str) -> list[str]:
    """The reply that came in pieces and the client line that came during it, marked
    (D9): the finding is noted at the pause, before either line is recorded."""
    spoke = next((i for i in range(finding, len(connection.entries))
                  if connection.entries[i].side == CLIENT), -1)
    if spoke < 0:
        return excerpt(connection, finding, 4, 2)
    shown = excerpt(connection, spoke, 2, 0)
    if shown:
        shown[-1] += "   ← " + say("grade", "reason.split-mark", lang)
    return shown


def split_replies(spec: CheckSpec, outcome: Outcome, lang: str) -> Verdict:
    connection = outcome.recorder.main()
    if connection is None:
        return _no_connection(outcome, lang)
    partial = _partial(connection, lang)
    if partial is not None:
        return partial
    if not _delivered(connection, outcome):
        return Verdict(False, "split-not-delivered", {},
                       excerpt(connection, len(connection.entries) - 1, 4, 0))
    return Verdict(True, "split-ok", {})


def multiline_ehlo(spec: CheckSpec, outcome: Outcome, lang: str) -> Verdict:
    connection = outcome.recorder.main()
    if connection is None:
        return _no_connection(outcome, lang)
    greetings = [(i, e) for i, e in connection.commands() if e.verb in ("EHLO", "HELO")]
    if not greetings:
        return Verdict(False, "no-helo-sent", {},
                       excerpt(connection, len(connection.entries) - 1, 3, 0))
    partial = _partial(connection, lang)
    if partial is not None:
        return partial
    index, entry = greetings[0]
    reply = connection.reply_after(index)
    if reply is not None and reply.code[:1] in ("4", "5"):
        return not_reached(say("grade", "reason.cause-refused", lang, verb=entry.verb,
                                reply=reply.text), excerpt(connection, index, 0, 1))
    went_on = _next_command(connection, index)[1] != ""
    if reply is None or not reply.code.startswith("2") or not went_on:
        return Verdict(False, "helo-unanswered", {"verb": entry.verb},
                       excerpt(connection, index, 0, 3))
    if entry.verb == "HELO":
        return Verdict(True, "helo-only", {}, excerpt(connection, index, 0, 1))
    return Verdict(True, "multiline-ok", {}, excerpt(connection, index, 0, 3))


def slow_greeting(spec: CheckSpec, outcome: Outcome, lang: str) -> Verdict:
    connection = outcome.recorder.main()
    if connection is None:
        return _no_connection(outcome, lang)
    for index, note in connection.findings():
        if note.key == "lint-early-talker":
            return Verdict(False, "early", {}, excerpt(connection, index, 2, 2))
    if not connection.commands():
        return Verdict(False, "silent", {"status": _status(outcome.run, lang)})
    return Verdict(True, "waited", {"seconds": outcome.env.get("greeting", "")},
                   excerpt(connection, 0, 0, 1))


def _refusals(connection: Connection, verb: str, code: str) -> list[int]:
    """Where ``verb`` got a reply with ``code``: the scenario's fault came into play."""
    out = []
    for index, entry in connection.commands():
        if entry.verb == verb:
            reply = connection.reply_after(index)
            if reply is not None and reply.code == code:
                out.append(index)
    return out


def _broken_elsewhere(outcome: Outcome, verb: str, code: str,
                      forbidden: tuple[str, ...]) -> Verdict | None:
    """A reaction is judged on every connection: one that went on after the refusal
    fails the check, whichever connection is graded (a well-behaved second connection
    must not hide it)."""
    for connection in outcome.recorder.connections:
        for refused in _refusals(connection, verb, code):
            index, next_verb = _next_command(connection, refused)
            if next_verb in forbidden:
                reason = "data-after-refusal" if (verb, next_verb) == ("RCPT", "DATA") \
                    else "went-on"
                return Verdict(False, reason, {"verb": next_verb},
                               excerpt(connection, index, 2, 1))
    return None


def rcpt_550(spec: CheckSpec, outcome: Outcome, lang: str) -> Verdict:
    connection = outcome.recorder.main()
    if connection is None:
        return _no_connection(outcome, lang)
    broken = _broken_elsewhere(outcome, "RCPT", "550", ("DATA",))
    if broken is not None:
        return broken
    refused = _refusals(connection, "RCPT", "550")
    if not refused:
        return not_reached(_cause_before(connection, "RCPT", lang),
                           excerpt(connection, len(connection.entries) - 1, 3, 0))
    data = [i for i, e in connection.commands() if e.verb == "DATA" and i > refused[0]]
    if data:
        return Verdict(False, "data-after-refusal", {}, excerpt(connection, data[0], 3, 1))
    index, verb = _next_command(connection, refused[-1])
    if verb in ("RSET", "QUIT"):
        return Verdict(True, "stopped-ok", {"verb": verb}, excerpt(connection, index, 2, 1))
    bad = _ended_badly(outcome, lang)
    if bad is not None:
        return bad
    if not verb:
        return Verdict(False, "closed-silently", {}, excerpt(connection, refused[-1], 1, 1))
    return Verdict(False, "went-on", {"verb": verb}, excerpt(connection, index, 2, 1))


def greeting_421(spec: CheckSpec, outcome: Outcome, lang: str) -> Verdict:
    connection = outcome.recorder.main()
    if connection is None:
        return _no_connection(outcome, lang)
    for each in [connection, *outcome.recorder.others()]:  # every connection got the 421
        after = [(i, e) for i, e in each.commands() if e.verb != "QUIT"]
        if after:
            index, entry = after[0]
            return Verdict(False, "went-on-after-421", {"verb": entry.verb or entry.text[:20]},
                           excerpt(each, index, 1, 0))
    bad = _ended_badly(outcome, lang)
    if bad is not None:
        return bad
    return Verdict(True, "stopped-after-421", {"status": _status(outcome.run, lang)},
                   excerpt(connection, 0, 0, 0))


def mail_451(spec: CheckSpec, outcome: Outcome, lang: str) -> Verdict:
    connection = outcome.recorder.main()
    if connection is None:
        return _no_connection(outcome, lang)
    broken = _broken_elsewhere(outcome, "MAIL", "451", ("RCPT", "DATA"))
    if broken is not None:
        return broken
    refused = _refusals(connection, "MAIL", "451")
    if not refused:
        return not_reached(_cause_before(connection, "MAIL", lang),
                           excerpt(connection, len(connection.entries) - 1, 3, 0))
    index, verb = _next_command(connection, refused[0])
    if verb in ("RCPT", "DATA"):
        return Verdict(False, "went-on", {"verb": verb}, excerpt(connection, index, 2, 1))
    bad = _ended_badly(outcome, lang)
    if bad is not None:
        return bad
    return Verdict(True, "stopped-ok", {"verb": verb or "-"},
                   excerpt(connection, index if index >= 0 else refused[0], 2, 1))


_STRICT = re.compile(r"(?i)^(MAIL FROM|RCPT TO):<[^<>\s]*>( \S.*)?$")


def strict_syntax(spec: CheckSpec, outcome: Outcome, lang: str) -> Verdict:
    """``MAIL FROM:<a@b>`` as RFC 5321 §4.1.2 writes it: no space after the colon, the
    path in angle brackets, nothing after it but parameters.  Servers differ in what
    they forgive (Postfix takes a space, aiosmtpd a bare address), so a program that
    gets its 250 may still be wrong."""
    connection = outcome.recorder.main()
    if connection is None:
        return _no_connection(outcome, lang)
    envelope_lines = [(i, e) for i, e in connection.commands() if e.verb in ("MAIL", "RCPT")]
    if not envelope_lines:
        return not_reached(_cause_before(connection, "MAIL", lang))
    for index, entry in envelope_lines:
        if _STRICT.match(entry.text):
            continue
        _, _, rest = entry.text.partition(":")
        problems = []
        if not rest.strip().startswith("<"):
            problems.append("problem-brackets")
        if rest.startswith((" ", "\t")):
            problems.append("problem-space")
        if rest.strip().startswith("<") and rest.endswith((" ", "\t")):
            problems.append("problem-trailing")
        said = "; ".join(say("grade", f"reason.{key}", lang) for key in problems or ["problem-form"])
        return Verdict(False, "strict-bad", {"line": entry.text, "problem": said},
                       excerpt(connection, index, 0, 1))
    return Verdict(True, "strict-ok", {}, excerpt(connection, envelope_lines[0][0], 0, 1))


def dot_stuffing(spec: CheckSpec, outcome: Outcome, lang: str) -> Verdict:
    connection = outcome.recorder.main()
    if connection is None:
        return _no_connection(outcome, lang)
    want = _trim(outcome.env.get("SMTP_BODY", "").replace("\r\n", "\n").split("\n"))
    lines, reply, end = connection.body()
    if end < 0:
        return Verdict(False, "no-body")
    got = _trim(lines)
    shown = excerpt(connection, end, 6, 1)
    if want and want[0] not in got:
        return Verdict(False, "body-ignored", {"first": want[0]}, shown)
    start = got.index(want[0]) if want else 0
    got = got[start:]
    for number, wanted in enumerate(want, 1):
        line = got[number - 1] if number <= len(got) else None
        if line != wanted:
            return Verdict(False, "changed", {"n": number, "want": wanted,
                                              "got": "(end)" if line is None else line}, shown)
    if reply is None or reply.code != "250":
        return Verdict(False, "end-refused", {"reply": reply.text if reply else "-"}, shown)
    return Verdict(True, "stuffing-ok", {}, shown)


def _trim(lines: list[str]) -> list[str]:
    out = [line.rstrip("\r") for line in lines]
    while out and out[-1].strip() == "":
        out.pop()
    while out and out[0].strip() == "":
        out.pop(0)
    return out


JUDGES: dict[str, Judge] = {
    "delivered": delivered, "envelope": envelope, "body": body, "quit": quit_,
    "exits": exits, "clean-dialogue": clean_dialogue, "split-replies": split_replies,
    "multiline-ehlo": multiline_ehlo, "slow-greeting": slow_greeting, "rcpt-550": rcpt_550,
    "greeting-421": greeting_421, "mail-451": mail_451, "dot-stuffing": dot_stuffing,
    "strict-syntax": strict_syntax,
}
