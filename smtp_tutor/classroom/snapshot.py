"""What the board shows, as data: one row per student, never a secret (no password, no
token, no message text).  Written to ``board.json`` for ``class board`` in another
terminal; the texts a client chose are made visible only where they are shown."""

from __future__ import annotations

import time
from typing import Any

TYPE_CHECKING = False
if TYPE_CHECKING:
    from smtp_tutor.classroom.service import RunningClass


def snapshot(running: RunningClass) -> dict[str, Any]:
    room = running.room
    now = time.time()
    rows = []
    for number, (username, account) in enumerate(room.accounts.by_name.items(), 1):
        row = room.progress[username]
        rows.append({
            "number": number, "username": username, "name": account.name,
            "student_id": account.student_id, "email": account.email,
            "connected": room.open_count(username),
            "reached": row.reached, "sent": row.sent, "received": row.received,
            "own_program": row.by_own_program, "first_mistake": row.first_mistake,
            "since_progress": now - (row.last_progress or running.started),
            "flags": list(row.flags), "failed_logins": account.failed_total,
            "locked": len(account.locked_from(now)),  # addresses locked out of it
            "dialogue": list(room.lines.get(username, ())),
            "lessons": list(row.lessons), "lesson_tries": sum(row.lesson_tries.values()),
            "lesson_help": row.lesson_help,
        })
    return {
        "domain": running.config.domain, "host": running.config.host, "port": running.port,
        "pop3_port": running.pop3_port, "imap_port": running.imap_port,
        "progress_port": running.progress_port, "fingerprint": running.fingerprint, "time": now,
        "connections": len(room.connections),
        "unattributed": sum(1 for c in room.connections.values() if not c.student),
        "unattributed_messages": room.unattributed_messages, "students": rows,
    }
