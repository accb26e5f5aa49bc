"""Lines cut to the terminal's width by word, with a hanging indent, in cells.

rich wraps by word too, but it measures the whole line and splits a word longer than
the width; a student copies commands off this screen, so here a command never breaks:
a `backquoted` span, or a run that starts with a program name (``smtp-tutor connect
…``, ``dig @127.0.0.1 …``) up to a double space or a parenthesis, stays on one line
(alone on its line if need be, even past the edge).  Widths are counted in terminal
cells (wcwidth): Vietnamese with combining marks is narrower than its code points, CJK
and emoji wider.  With no width (output not a terminal) nothing is cut.
"""

from __future__ import annotations

import re

from wcwidth import wcswidth

PROGRAMS = ("smtp-tutor", "dig", "swaks", "openssl", "nc", "telnet", "python3", ". .venv",
            ".venv/bin/")
_UNITS = re.compile(r"[^\s`]*`[^`]*`[^\s`]*|\S+")  # `a command`, with its punctuation
_SPEAKER = re.compile(r"^(\s*[SC]: )")  # a dialogue line: its continuation under the text
_COLUMNS = re.compile(r"^(\s*\S+(?: \S+){0,3}\s{2,})(?=\S)")  # "label   description"


def terminal_width(stream=None) -> int | None:  # noqa: ANN001 - a text stream
    """The width of the terminal ``stream`` (stdout) shows on; None when not a terminal."""
    import shutil
    import sys

    stream = stream or sys.stdout
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    return shutil.get_terminal_size().columns


def for_stream(text: str, stream=None) -> str:  # noqa: ANN001 - a text stream
    """``text`` (lines ending in newlines) as the terminal behind ``stream`` (stderr by
    default) should show it: each line cut by word, continuations under the text after a
    ``smtp-tutor: `` prefix; unchanged when ``stream`` is not a terminal."""
    import sys

    width = terminal_width(stream or sys.stderr)
    if width is None:
        return text
    out = []
    for line in text.splitlines():
        prefix = "smtp-tutor: " if line.startswith("smtp-tutor: ") else ""
        if prefix:
            body = wrap(line[len(prefix):], width, first=len(prefix), indent=len(prefix))
            out += [prefix + body[0], *body[1:]]
        else:
            out += hanging(line, width)
    return "".join(line + "\n" for line in out)


def cells(text: str) -> int:
    """Terminal cells ``text`` takes (a character wcwidth does not know counts as 1)."""
    width = wcswidth(text)
    return width if width >= 0 else sum(max(wcswidth(c), 1) for c in text)


def _units(text: str) -> list[str]:
    """Words, with each command kept whole: `…` spans and program runs."""
    units: list[str] = []
    position = 0
    while position < len(text):
        rest = text[position:]
        skipped = len(rest) - len(rest.lstrip(" "))
        position += skipped
        rest = rest[skipped:]
        if not rest:
            break
        run = _program_run(rest)
        if run:
            units.append(run)
            position += len(run)
            continue
        match = _UNITS.match(rest)
        assert match is not None
        units.append(match.group(0))
        position += match.end()
    return units


def _program_run(rest: str) -> str:
    if not rest.startswith(PROGRAMS):
        return ""
    end = len(rest)
    for stop in ("  ", " (", "; ", ", then", "`"):
        found = rest.find(stop)
        if found > 0:
            end = min(end, found)
    return rest[:end].rstrip(" .,;:") if end == len(rest) else rest[:end].rstrip()


def wrap(text: str, width: int | None, *, first: int = 0, indent: int = 0) -> list[str]:
    """``text`` in lines of at most ``width`` cells: the first line has ``first`` cells
    taken already (a lead printed before it), the others start after ``indent`` spaces
    (included in the lines returned).  ``width`` None: one line, uncut."""
    if width is None or cells(text) + first <= width:
        return [text]
    lines: list[str] = []
    current, used = "", first
    for unit in _units(text):
        size = cells(unit)
        if current and used + 1 + size > width:
            lines.append(current)
            current, used = " " * indent + unit, indent + size
        elif current:
            current, used = f"{current} {unit}", used + 1 + size
        else:
            current, used = (" " * indent if lines else "") + unit, used + size
    if current:
        lines.append(current)
    return lines


def hanging(line: str, width: int | None) -> list[str]:
    """One screen line cut to ``width``: continuations start under its text, or under
    the description of a "label   description" line (help, banners, lists)."""
    if width is None or cells(line) <= width:
        return [line]
    match = _SPEAKER.match(line) or _COLUMNS.match(line)
    lead = match.group(1) if match and cells(match.group(1)) <= width // 2 else \
        line[:len(line) - len(line.lstrip(" "))]
    body = line[len(lead):]
    indent = cells(lead)
    lines = wrap(body, width, first=indent, indent=indent)
    return [lead + lines[0], *lines[1:]]
