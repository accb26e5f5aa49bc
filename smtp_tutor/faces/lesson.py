"""``smtp-tutor lesson list|check|play``: the lesson library from the command line."""

from __future__ import annotations

import argparse

from smtp_tutor.faces.lesson_open import print_problems
from smtp_tutor.knowledge import ui
from smtp_tutor.lessons.parser import LessonError, read_lesson


def lesson(options: argparse.Namespace, lang: str) -> int:
    if options.action == "list":
        return list_lessons(lang)
    if options.action == "check":
        return check_files(options.files, lang)
    from smtp_tutor.faces.lesson_player import play

    return play(options, lang)


def list_lessons(lang: str) -> int:
    """id, title, level, languages, and ✓ for the lessons this student finished."""
    from smtp_tutor.lessons.library import load_library
    from smtp_tutor.lessons.progress import load_progress
    from smtp_tutor.render.wrap import cells, terminal_width, wrap

    lessons, errors = load_library()
    progress = load_progress()
    width = terminal_width()  # None on a pipe: one line per lesson, uncut
    print(ui("lesson_list_header", lang))
    id_width = max((len(item.id) for item in lessons), default=0)
    for number, item in enumerate(lessons, start=1):
        done = "✓" if progress.get(item.id, {}).get("passed") else " "
        languages = "+".join(item.languages) or "-"
        level = ui("lesson_level", lang, level=str(item.level))
        lead = f" {done} {number:>2}. {item.id:<{id_width}}  {level}  [{languages:<5}]  "
        indent = cells(lead) if width is None or cells(lead) <= width // 2 else 6
        title = wrap(item.title_in(lang), width, first=cells(lead), indent=indent)
        print(lead + "\n".join(title))
    if lessons:  # how to play one (D21): by id or by number
        for line in wrap(ui("lesson_list_play", lang, first=lessons[0].id), width, indent=2):
            print(line)
    for error in errors:
        print_problems(error, lang)
    return 1 if errors else 0


def check_files(paths: list[str], lang: str) -> int:
    """Check each file; 0 only when all of them are fine."""
    if not paths:
        from smtp_tutor.lessons.library import library_paths

        paths = library_paths()
    status = 0
    for path in paths:
        try:
            checked = read_lesson(path)
        except LessonError as error:
            print_problems(error, lang)
            status = 1
            continue
        steps = sum(1 for step in checked.steps if step.kind != "wait")
        print(ui("lesson_check_file_ok", lang, path=path, steps=str(steps),
                 langs="+".join(checked.languages) or "-"))
    return status


