"""Finding and reading a lesson for a face (lesson play, lesson check, demo), with the
problems of a file that cannot play said on stderr."""

from __future__ import annotations

import sys

from smtp_tutor.knowledge import explain_note
from smtp_tutor.knowledge.catalogue import say
from smtp_tutor.lessons.parser import LessonError, read_lesson
from smtp_tutor.protocol.visible import visible


def open_lesson(name: str, lang: str):
    """The checked lesson for ``ID|NUMBER|FILE``; None (reasons on stderr) when it cannot play."""
    from smtp_tutor.lessons.library import find

    path = find(name)
    if path is None:
        sys.stderr.write(f"smtp-tutor: {say('ui', 'lesson_not_found', lang, name=visible(name))}\n"
                         f"  {say('ui', 'lesson_not_found_hint', lang)}\n")
        return None
    try:
        return read_lesson(path)
    except LessonError as error:
        print_problems(error, lang)
        return None


def print_problems(error: LessonError, lang: str) -> None:
    first = error.problems[0]
    sys.stderr.write(visible(say("ui", "lesson_problems", lang, path=first.path,
                                count=str(len(error.problems)))) + "\n")
    for problem in error.problems:
        text, hint = explain_note(problem.key, problem.params, lang)
        where = f"{problem.path}:{problem.line}" if problem.line else problem.path
        sys.stderr.write(visible(f"{where}: {text}") + "\n")
        if hint:
            sys.stderr.write(f"    {visible(hint)}\n")
