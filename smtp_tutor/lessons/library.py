"""The built-in lessons: the top-level ``lessons/`` folder, installed as ``smtp_tutor/library``."""

from __future__ import annotations

import os

import smtp_tutor
from smtp_tutor.lessons.model import Lesson
from smtp_tutor.lessons.parser import LessonError, read_lesson
from smtp_tutor.protocol.numbers import ascii_int

SUFFIX = ".lesson"


def library_dir() -> str:
    """Installed: ``smtp_tutor/library``; from a clone (editable install): ``lessons/``."""
    package = os.path.dirname(smtp_tutor.__file__)
    installed = os.path.join(package, "library")
    if os.path.isdir(installed):
        return installed
    return os.path.join(os.path.dirname(package), "lessons")


def library_paths() -> list[str]:
    """Every lesson file of the library, in teaching order (file names start with a number)."""
    directory = library_dir()
    try:
        names = sorted(n for n in os.listdir(directory) if n.endswith(SUFFIX))
    except OSError:
        return []
    return [os.path.join(directory, name) for name in names]


def load_library() -> tuple[list[Lesson], list[LessonError]]:
    lessons, errors = [], []
    for path in library_paths():
        try:
            lessons.append(read_lesson(path))
        except LessonError as error:
            errors.append(error)
    return lessons, errors


def find(name: str) -> str | None:
    """A lesson file by path, or a library lesson by id (``alice-bob``) or number (``1``)."""
    if os.path.sep in name or name.endswith(SUFFIX) or os.path.isfile(name):
        return name
    for path in library_paths():
        stem = os.path.basename(path)[: -len(SUFFIX)]
        number, _, lesson_id = stem.partition("-")
        wanted, have = ascii_int(name), ascii_int(number)
        if name in (stem, lesson_id) or (wanted is not None and wanted == have):
            return path
    return None

