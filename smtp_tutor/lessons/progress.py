"""Which lessons a student finished, kept in the data directory (``progress.json``)."""

from __future__ import annotations

import json
import os
import time

from smtp_tutor.paths import data_dir


def _path() -> str:
    return os.path.join(data_dir(), "progress.json")


def load_progress() -> dict[str, dict]:
    try:
        with open(_path(), encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def mark_finished(lesson_id: str, mode: str, passed: bool) -> None:
    """Record a finished run; atomic, so a crash never leaves half a file.

    Only a practice run (the student typed every line) can pass: watching is not doing.
    """
    passed = passed and mode == "practice"
    progress = load_progress()
    entry = progress.get(lesson_id, {})
    entry.update({"mode": mode, "passed": passed or entry.get("passed", False),
                  "at": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
    progress[lesson_id] = entry
    path = _path()
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(progress, handle, indent=1, sort_keys=True)
        os.replace(temporary, path)
    except OSError:
        pass  # progress is a convenience; never fail a lesson over it
