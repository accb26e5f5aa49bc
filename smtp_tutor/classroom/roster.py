"""Reading a class roster: CSV rows of student id, name and an optional email (UTF-8)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

HEADER_WORDS = {"id", "student id", "student_id", "idnumber", "mssv", "mã sv", "mã sinh viên"}
RESERVED = ("postmaster", "abuse", "alice", "bob", "carol")  # the lessons' people
_NOT_LOCAL = re.compile(r"[^a-z0-9._-]")


@dataclass(frozen=True)
class Student:
    """One row of the roster, and the account name made from the student id."""

    student_id: str
    name: str
    email: str
    username: str


class RosterError(ValueError):
    """The roster cannot be read; ``key`` (classroom.toml) and ``params`` say why."""

    def __init__(self, key: str, **params: str) -> None:
        super().__init__(f"{key}: {params}")
        self.key, self.params = key, params


def username_for(student_id: str, taken: set[str], number: int) -> str:
    """An ASCII mailbox name from the student id (``SV-001`` → ``sv-001``), unique."""
    name = _NOT_LOCAL.sub("", student_id.strip().lower()).strip(".-")[:32]
    if not name or name in taken or name in RESERVED:
        name = f"student{number:03d}"
    while name in taken:
        name += "x"
    return name


def read_roster(path: Path) -> list[Student]:
    """Every student of the roster at ``path``; a header row is recognised and skipped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise RosterError("roster_unreadable", path=str(path), reason=str(error)) from error
    rows = [row for row in csv.reader(text.splitlines()) if any(cell.strip() for cell in row)]
    if rows and rows[0] and rows[0][0].strip().lower() in HEADER_WORDS:
        rows = rows[1:]
    students: list[Student] = []
    taken: set[str] = set()
    for number, row in enumerate(rows, 1):
        cells = [cell.strip() for cell in row]
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise RosterError("roster_bad_line", path=str(path), line=str(number))
        username = username_for(cells[0], taken, number)
        taken.add(username)
        email = cells[2] if len(cells) > 2 and "@" in cells[2] else ""
        students.append(Student(cells[0], cells[1], email, username))
    if not students:
        raise RosterError("roster_empty", path=str(path))
    return students
