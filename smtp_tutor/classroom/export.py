"""The end-of-session CSV: one row per student, for Moodle's grade import and Google Sheets.

UTF-8 (names intact), comma-separated, a header row; Moodle matches a row on its
``idnumber``, ``username`` or ``email`` column, whichever the instructor maps.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from smtp_tutor.classroom.progress import MILESTONES

COLUMNS = ("idnumber", "username", "email", "fullname", "reached", "reached_step",
           "messages_sent", "messages_received", "sent_by_own_program", "first_mistake",
           "flags", "failed_logins", "lessons_finished", "lessons", "lesson_tries",
           "lesson_steps_shown_or_skipped")


def export_csv(board: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    domain = board["domain"]
    for student in board["students"]:
        writer.writerow([
            student["student_id"], student["username"],
            student.get("email") or f"{student['username']}@{domain}", student["name"],
            student["reached"], MILESTONES.index(student["reached"]), student["sent"],
            student["received"], student["own_program"], student["first_mistake"],
            " ".join(student["flags"]), student["failed_logins"],
            len(student.get("lessons", [])), " ".join(student.get("lessons", [])),
            student.get("lesson_tries", 0), student.get("lesson_help", 0)])
    return out.getvalue()
