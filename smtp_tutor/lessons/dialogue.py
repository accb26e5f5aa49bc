"""A lesson's recorded dialogue, checked and replayed through the protocol cores.

The same replay serves ``lesson check`` (does every command have its reply, in
order?) and offline play (the recorded replies stand in for a server).  A world
lesson is checked hop by hop, each with its own core: SMTP (``ClientSession``) for
submission and relay, POP3 (``Pop3Session``) for Bob's mail program, and for DNS one
answer per question.
"""

from __future__ import annotations

from itertools import groupby

from smtp_tutor.lessons.model import DNS, IMAP, POP3, SERVER, Step
from smtp_tutor.lessons.placeholders import bindings, fill
from smtp_tutor.protocol import ClientSession, State


def dialogue_problems(dialogue: list[Step]) -> list[tuple[int, str]]:
    """(line, message key) for each reply that is missing or answers nothing."""
    problems: list[tuple[int, str]] = []
    for hop, group in groupby(dialogue, key=lambda step: step.hop):
        steps = list(group)
        kind = hop.kind if hop is not None else "smtp"
        if kind == DNS:
            problems += _dns_problems(steps)
            continue
        if steps[0].kind != SERVER:
            problems.append((steps[0].line_no, "lesson-no-greeting"))
            continue
        if kind == IMAP:
            problems += _imap_problems(steps)
            continue
        problems += _pop3_problems(steps) if kind == POP3 else _smtp_problems(steps)
    return problems


def _smtp_problems(dialogue: list[Step]) -> list[tuple[int, str]]:
    values = bindings()
    session = ClientSession()
    problems: list[tuple[int, str]] = []
    last_client: Step | None = None
    for step in dialogue:
        if step.kind == SERVER:
            if not session.awaiting_reply:
                problems.append((step.line_no, "lesson-reply-answers-nothing"))
                continue
            session.receive(reply_bytes(step))
            continue
        if session.state is State.TLS:
            session.tls_established()
        if session.awaiting_reply and last_client is not None:
            problems.append((last_client.line_no, "lesson-reply-missing"))
            return problems
        session.send(fill(step.text, values))
        last_client = step
    if session.awaiting_reply and last_client is not None and session.state is not State.CLOSED:
        problems.append((last_client.line_no, "lesson-reply-missing"))
    return problems


def _pop3_problems(dialogue: list[Step]) -> list[tuple[int, str]]:
    from smtp_tutor.protocol.pop3 import Pop3Error, Pop3Session

    values = bindings()
    session = Pop3Session()
    last_client: Step | None = None
    for step in dialogue:
        if step.kind == SERVER:
            if not session.awaiting_reply:
                return [(step.line_no, "lesson-reply-answers-nothing")]
            if any(isinstance(item, Pop3Error) for item in session.receive(reply_bytes(step))):
                return [(step.line_no, "lesson-bad-pop3-block")]
            if session.start_tls:
                session.tls_established()
            continue
        if session.awaiting_reply and last_client is not None:
            return [(last_client.line_no, "lesson-reply-missing")]
        try:
            session.send(fill(step.text, values))
        except ValueError:
            return [(step.line_no, "lesson-unknown-line")]
        last_client = step
    if session.awaiting_reply and last_client is not None:
        return [(last_client.line_no, "lesson-reply-missing")]
    return []


def _imap_problems(dialogue: list[Step]) -> list[tuple[int, str]]:
    """Replayed through the IMAP client core: tags in order (a1, a2 …), literals whose
    size is right, each command ended by its tagged line (or a "+")."""
    from smtp_tutor.protocol.imap.client import ImapClient, ImapProblem

    values = bindings()
    session = ImapClient()
    last_client: Step | None = None
    for step in dialogue:
        if step.kind == SERVER:
            if not session.awaiting_reply:
                return [(step.line_no, "lesson-reply-answers-nothing")]
            got = session.receive(reply_bytes(step))
            if any(isinstance(item, ImapProblem) for item in got) or not got or (
                    session.awaiting_reply and not session.awaiting_continuation
                    and session.greeted):
                return [(step.line_no, "lesson-bad-imap-block")]
            if session.start_tls:
                session.discard_plaintext()
                session.tls_established()
            continue
        if session.awaiting_reply and not session.awaiting_continuation and last_client is not None:
            return [(last_client.line_no, "lesson-reply-missing")]
        try:
            if session.awaiting_continuation:
                session.continue_with(fill(step.text, values).encode("utf-8"))
            else:
                session.send(fill(step.text, values))
        except ValueError:
            return [(step.line_no, "lesson-unknown-line")]
        last_client = step
    if session.awaiting_reply and last_client is not None:
        return [(last_client.line_no, "lesson-reply-missing")]
    return []


def _dns_problems(dialogue: list[Step]) -> list[tuple[int, str]]:
    """Questions (``C: MX hamburger.edu``) each followed by the zone's answer."""
    from smtp_tutor.lessons.hops import parse_query

    asked: Step | None = None
    for step in dialogue:
        if step.kind == SERVER:
            if asked is None:
                return [(step.line_no, "lesson-reply-answers-nothing")]
            asked = None
            continue
        if asked is not None:
            return [(asked.line_no, "lesson-reply-missing")]
        if parse_query(step.text) is None:
            return [(step.line_no, "lesson-bad-dns-query")]
        asked = step
    return [(asked.line_no, "lesson-reply-missing")] if asked is not None else []


def reply_bytes(step: Step) -> bytes:
    """A recorded reply as a server would send it."""
    return "".join(f"{line}\r\n" for line in step.lines).encode("utf-8")
