"""A session typed in the REPL, written down as a lesson (``:save-lesson``).

The transcript already holds masked secrets (``********``); here they become the
practice account's placeholders, so the recorded lesson plays back and still never
contains a password.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from smtp_tutor.protocol.transcript import Line

_AUTH = re.compile(r"^AUTH\s+(\S+)(\s+\S+)?$", re.IGNORECASE)
MASK = "********"


def lesson_text(lines: list[Line], lesson_id: str, persona: str) -> str:
    """A lesson file's text from the dialogue's lines (``transcript.Line``)."""
    out = [
        "# Recorded with :save-lesson. Add en:/vi: narration above the steps you want to explain;",
        "# `smtp-tutor lesson check FILE` says what is wrong, `lesson play FILE` plays it.",
        f"id: {lesson_id}",
        f"title: Recorded session ({lesson_id})",
        "level: 1",
        f"persona: {persona}",
        "---",
    ]
    mechanism, answers = "", 0
    for line in lines:
        side, text = line.side, line.text
        if side == "C":
            match = _AUTH.match(text)
            if match:
                mechanism, answers = match.group(1).upper(), 0
                if match.group(2) and MASK in match.group(2):
                    text = f"AUTH {mechanism} {{auth_plain}}"
            elif text == MASK:
                answers += 1
                text = _answer(mechanism, answers)
        out.append(f"{side}: {text}".rstrip(" "))
    return "\n".join(out) + "\n"


def _answer(mechanism: str, number: int) -> str:
    if mechanism == "LOGIN":
        return "{user_b64}" if number == 1 else "{pass_b64}"
    return "{auth_plain}"


def lesson_id_for(path: str) -> str:
    import os

    stem = os.path.splitext(os.path.basename(path))[0].lower()
    cleaned = re.sub(r"[^a-z0-9-]+", "-", stem).strip("-")
    return cleaned or "recorded"
