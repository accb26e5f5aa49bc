"""A lesson's recorded dialogue, checked and replayed through the protocol core.

The same replay serves ``lesson check`` (does every command have its reply, in
order?) and offline play (the recorded replies stand in for a server).
"""

from __future__ import annotations

from smtp_tutor.lessons.model import SERVER, Step
from smtp_tutor.lessons.placeholders import bindings, fill
from smtp_tutor.protocol import ClientSession, State


def dialogue_problems(dialogue: list[Step]) -> list[tuple[int, str]]:
    """(line, message key) for each reply that is missing or answers nothing."""
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


def reply_bytes(step: Step) -> bytes:
    """A recorded reply as a server would send it."""
    return "".join(f"{line}\r\n" for line in step.lines).encode("utf-8")
