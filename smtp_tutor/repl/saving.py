"""``:save`` and ``:save-lesson``: the session written to a file, never over one silently."""

from __future__ import annotations

from pathlib import Path


def _write(path: str, text: str, *, overwrite: bool) -> tuple[str, dict[str, str]] | None:
    target = Path(path).expanduser()
    if target.exists() and not overwrite:
        return "save-exists", {"path": path}
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as error:
        return "save-failed", {"path": path, "detail": error.strerror or str(error)}
    return None


def save_transcript(repl, path: str, *, overwrite: bool) -> tuple[str, dict[str, str]]:  # noqa: ANN001
    """The dialogue in the textbook's S:/C: notation (secrets are already masked)."""
    failed = _write(path, repl.transcript.textbook(), overwrite=overwrite)
    return failed or ("saved-transcript", {"path": path,
                                           "count": str(len(repl.transcript.lines))})


def save_lesson(repl, path: str, *, overwrite: bool) -> tuple[str, dict[str, str]]:  # noqa: ANN001
    """The session as a lesson file that ``smtp-tutor lesson play`` replays."""
    from smtp_tutor.lessons.recording import lesson_id_for, lesson_text

    dialogue = repl.transcript.dialogue()
    greeting = next((line.text for line in dialogue if line.side == "S"), "")
    words = greeting.split()
    persona = words[1] if len(words) > 1 else repl.connection.host
    text = lesson_text(dialogue, lesson_id_for(path), persona)
    failed = _write(path, text, overwrite=overwrite)
    return failed or ("saved-lesson", {"path": path})
