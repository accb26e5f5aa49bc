"""The instructor's board: one line per student, cut to the terminal's size.

Everything shown passes ``visible()`` (names from the roster, lint keys, dialogue lines a
client chose); no information is carried by colour alone (every state is a word, colour
only doubles it) and ``NO_COLOR`` turns colour off.  The board never shows a secret:
the snapshot it reads holds none.
"""

from __future__ import annotations

import os
import time
import unicodedata
from typing import Any

from smtp_tutor.knowledge.catalogue import say
from smtp_tutor.protocol.visible import visible

BOLD, REVERSE, RESET = "\x1b[1m", "\x1b[7m", "\x1b[0m"
_MARK = "\x00"  # inside render only: the selected row (visible() makes any NUL a client sent "␀")
STUCK_AFTER = 300.0  # seconds without progress that the board marks with "!"


def color_wanted(is_tty: bool) -> bool:
    return is_tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}"


def fit(text: str, width: int) -> str:
    """``text`` made visible, cut or padded to ``width`` cells."""
    text = unicodedata.normalize("NFC", visible(text))
    if len(text) > width:
        text = text[:max(0, width - 1)] + "…" if width > 0 else ""
    return text + " " * (width - len(text))


def order(students: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    if sort == "name":
        return list(students)
    # stuck longest first among those who started; then those who have not started yet;
    # last those who have sent a message (not stuck)
    def rank(student: dict[str, Any]) -> tuple[int, float]:
        group = 2 if student["reached"] == "sent" else 1 if student["reached"] == "none" else 0
        return group, -student["since_progress"]
    return sorted(students, key=rank)


def mistake(key: str, lang: str) -> str:
    """The lint's first finding, in a few words of the reader's language that fit the
    notes column at 80x24 (the board stores its key; tests/classroom check the width)."""
    try:
        return say("classroom", f"mistake_{key.removeprefix('lint-')}", lang)
    except KeyError:
        return key


def advice(key: str, lang: str, width: int) -> list[str]:
    """The first finding as a sentence and what to do about it (the lint's hint in
    messages.toml), wrapped to ``width``: the dialogue view has the room."""
    import textwrap

    from smtp_tutor.knowledge.catalogue import pick
    from smtp_tutor.knowledge.store import load

    entry = load("messages").get(key)
    text = say("classroom", "dialogue_mistake", lang, mistake=mistake(key, lang),
               hint=pick(entry, lang)["hint"] if entry else "")
    return textwrap.wrap(text.strip(), max(20, width)) or [text]


def notes(student: dict[str, Any], lang: str) -> str:
    parts = [mistake(student["first_mistake"], lang)] if student["first_mistake"] else []
    for flag in student["flags"]:
        if flag == "guessed":
            parts.append(say("classroom", "flag_guessed", lang, count=student["failed_logins"]))
        else:
            parts.append(say("classroom", f"flag_{flag}", lang))
    if student["locked"]:
        parts.append(say("classroom", "flag_locked", lang, count=student["locked"]))
    if student.get("lessons"):
        parts.append(say("classroom", "flag_lessons", lang, count=len(student["lessons"]),
                         names=", ".join(student["lessons"])))
    if student["own_program"]:
        parts.append(say("classroom", "flag_own", lang, count=student["own_program"]))
    return " · ".join(parts)


def render(board: dict[str, Any], *, width: int = 80, height: int = 24, lang: str = "en",
           sort: str = "stuck", anonymous: bool = False, color: bool = False,
           selected: str | None = None, _mark: str = "") -> str:
    """The board as text of at most ``height`` lines of at most ``width`` cells;
    ``selected``: the username marked ▶ (the live board's keys; a mark, not a colour)."""
    width = max(40, width)
    if selected is not None:  # one column for the mark
        return "\n".join(("▶" if line.startswith(_MARK) else " ") + line.removeprefix(_MARK)
                         for line in render(board, width=width - 1, height=height, lang=lang,
                                            sort=sort, anonymous=anonymous, color=color,
                                            selected=None, _mark=selected).split("\n"))
    students = board["students"]
    wide = width >= 120
    name_w = 28 if wide else 16
    id_w = 10 if wide and not anonymous else 0
    fixed = [(say("classroom", "col_on", lang), 6), (say("classroom", "col_reached", lang), 9),
             (say("classroom", "col_sent", lang), 5), (say("classroom", "col_received", lang), 5),
             (say("classroom", "col_stuck", lang), 7)]
    notes_w = width - name_w - (id_w + 1 if id_w else 0) - sum(w + 1 for _, w in fixed) - 1
    connected = sum(1 for s in students if s["connected"])
    title = say("classroom", "board_title", lang, domain=board["domain"], host=board["host"],
                port=board["port"], connected=connected, students=len(students),
                connections=board["connections"], unattributed=board["unattributed"])
    head = fit(say("classroom", "col_student", lang), name_w) + " "
    if id_w:
        head += fit(say("classroom", "col_id", lang), id_w) + " "
    head += "".join(fit(text, w) + " " for text, w in fixed) + fit(say("classroom", "col_notes", lang),
                                                                  notes_w)
    lines = [fit(title, width), head.rstrip()]
    rows = order(students, sort)
    room = max(1, height - 3)
    shown = rows if len(rows) <= room else rows[:room - 1]
    for student in shown:
        name = (say("classroom", "anonymous", lang, number=student["number"]) if anonymous
                else student["name"])
        stuck = student["since_progress"]
        stuck_text = "" if student["reached"] == "sent" else clock(stuck)
        if stuck_text and stuck >= STUCK_AFTER:
            stuck_text += "!"
        on = say("classroom", "on_yes" if student["connected"] else "on_no", lang)
        if student["connected"] > 1:
            on += f"×{student['connected']}"
        line = fit(name, name_w) + " "
        if id_w:
            line += fit(student["student_id"], id_w) + " "
        line += " ".join([fit(on, 6), fit(say("classroom", f"reached_{student['reached']}", lang), 9),
                          fit(str(student["sent"]), 5), fit(str(student["received"]), 5),
                          fit(stuck_text, 7)]) + " "
        line += fit(notes(student, lang), notes_w)
        line = line.rstrip()
        if color and student["locked"]:
            line = REVERSE + line + RESET
        elif color and stuck_text.endswith("!"):
            line = BOLD + line + RESET
        if student["username"] == _mark:
            line = _MARK + line
        lines.append(line)
    if len(shown) < len(rows):
        lines.append(fit(say("classroom", "board_more", lang, count=len(rows) - len(shown)), width))
    footer = say("classroom", "board_footer", lang, sort=say("classroom", f"sort_{sort}", lang),
                 time=time.strftime("%H:%M:%S", time.localtime(board["time"])),
                 fingerprint=board["fingerprint"][:23] + "…")
    lines.append(fit(footer, width).rstrip())
    if color:
        lines[0] = BOLD + lines[0].rstrip() + RESET
    return "\n".join(lines[:height])


def visible_order(board: dict[str, Any], sort: str, height: int) -> list[str]:
    """The usernames in the order the board shows them (the keys move along it)."""
    return [s["username"] for s in order(board["students"], sort)][:max(1, height - 4)]


def dialogue(board: dict[str, Any], username: str, lang: str, width: int = 80, *,
             anonymous: bool = False) -> str:
    """The last lines of one student's dialogue (AUTH answers already hidden)."""
    for student in board["students"]:
        if student["username"] == username:
            name = (say("classroom", "anonymous", lang, number=student["number"]) if anonymous
                    else student["name"])
            lines = [say("classroom", "dialogue_title", lang, name=name)]
            said = [_unnamed(line, student) if anonymous else line for line in student["dialogue"]]
            lines += [fit(line, width).rstrip() for line in said]
            if student["first_mistake"]:
                lines += ["", *advice(student["first_mistake"], lang, width)]
            return "\n".join(lines)
    return ""


def _unnamed(line: str, student: dict[str, Any]) -> str:
    """A dialogue line for the projector in anonymous mode: the student's name, id, account
    and address (in MAIL FROM, EHLO, AUTH's user) shown as "…"."""
    import re

    known = sorted({str(student.get(key) or "") for key in ("email", "name", "student_id",
                                                           "username")} - {""}, key=len, reverse=True)
    words = [re.escape(word) for word in known if len(word) >= 3]
    return re.sub("|".join(words), "…", line, flags=re.IGNORECASE) if words else line
