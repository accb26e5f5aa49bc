"""Is what the student typed what the step asks for, as a server would see it?

A server does not care about the case of a verb, about the textbook's space after
``FROM:``, or about which local user a placeholder stands for; neither does the tutor.
Body lines after 354 are the student's own text: any line is fine except a lone ``.``
too early (it would end the message).
"""

from __future__ import annotations

import re

from smtp_tutor.lessons.model import Step
from smtp_tutor.lessons.placeholders import PLACEHOLDER, fill

_PATH = re.compile(r"^(MAIL FROM|RCPT TO)\s*:\s*", re.IGNORECASE)
_MARK = "\x00"


def canonical(line: str) -> str:
    """The line as compared: spaces collapsed, verb and keywords upper-cased."""
    text = " ".join(line.split())
    match = _PATH.match(text)
    if match:
        text = match.group(1).upper() + ":" + text[match.end():]
    verb, space, rest = text.partition(" ")
    return verb.upper() + space + rest


def _pattern(template: str, values: dict[str, str]) -> re.Pattern[str]:
    """A template's canonical form with each placeholder open to any address-like word."""
    marked = PLACEHOLDER.sub(lambda m: f"{_MARK}{m.group(1)}{_MARK}", template)
    escaped = re.escape(canonical(marked))
    open_slot = r"[^\s<>]+"
    escaped = re.sub(re.escape(_MARK) + r"[a-z_0-9]+" + re.escape(_MARK), lambda _: open_slot,
                     escaped)
    return re.compile(f"^{escaped}$", re.IGNORECASE)


def accepts(typed: str, step: Step, values: dict[str, str], *, in_data: bool) -> bool:
    """True when ``typed`` does what the step asks."""
    expected = fill(step.text, values)
    if in_data:
        if expected == ".":
            return typed == "."
        return typed != "."
    candidates = [step.text, *step.alternatives]
    return any(_pattern(candidate, values).match(canonical(typed)) for candidate in candidates) \
        or canonical(typed).lower() == canonical(expected).lower()


def verb_of(line: str) -> str:
    return line.strip().partition(" ")[0].upper()
