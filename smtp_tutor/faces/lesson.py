"""``smtp-tutor lesson list|check|play``: the lesson library from the command line."""

from __future__ import annotations

import argparse

from smtp_tutor.faces.arguments import Subcommands, _t, add_lang, lang_of, number, pace, whole


def add_parser(commands: Subcommands) -> None:
    """lesson's parser: list, check FILE..., play ID|FILE with its modes."""
    sub = commands.add_parser("lesson", help=_t("lesson", "help"),
                              description=_t("lesson", "description"))
    actions = sub.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help=_t("lesson", "list"))
    add_lang(listing)
    check = actions.add_parser("check", help=_t("lesson", "check"))
    check.add_argument("files", nargs="*", metavar="FILE")
    add_lang(check)
    player = actions.add_parser("play", help=_t("lesson", "play"),
                                description=_t("lesson", "play_description"))
    player.add_argument("lesson", metavar="ID|FILE")
    player.add_argument("--mode", choices=("practice", "watch"), default="practice",
                        help=_t("lesson", "mode"))
    player.add_argument("--pace", type=pace, metavar="SECONDS", help=_t("lesson", "pace"))
    player.add_argument("--predict", action="store_true", help=_t("lesson", "predict"))
    player.add_argument("--offline", action="store_true", help=_t("lesson", "offline"))
    player.add_argument("--server", metavar="HOST[:PORT]", help=_t("lesson", "server"))
    player.add_argument("--domain", help=_t("lesson", "domain"))
    player.add_argument("--cafile", help=_t("lesson", "cafile"))
    player.add_argument("--insecure", action="store_true", help=_t("lesson", "insecure"))
    player.add_argument("--class-user", metavar="ADDRESS", help=_t("lesson", "class_user"))
    player.add_argument("--class-port", type=whole, default=2465,
                        help=_t("lesson", "class_port"))
    player.add_argument("--timeout", type=number, default=30.0, help=_t("lesson", "timeout"))
    player.add_argument("--json", action="store_true", help=_t("lesson", "json"))
    player.add_argument("--report", metavar="FILE", help=_t("lesson", "report"))
    add_lang(player)
    sub.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    """The action asked for, in the reader's language."""
    return lesson(options, lang_of(options))


def lesson(options: argparse.Namespace, lang: str) -> int:
    if options.action == "list":
        return list_lessons(lang)
    if options.action == "check":
        return check_files(options.files, lang)
    from smtp_tutor.faces.lesson_player import play

    return play(options, lang)


def list_lessons(lang: str) -> int:
    """id, title, level, languages, and ✓ for the lessons this student finished."""
    from smtp_tutor.faces.lesson_open import print_problems
    from smtp_tutor.knowledge.catalogue import say
    from smtp_tutor.lessons.library import load_library
    from smtp_tutor.lessons.progress import load_progress
    from smtp_tutor.render.wrap import cells, terminal_width, wrap

    lessons, errors = load_library()
    progress = load_progress()
    width = terminal_width()  # None on a pipe: one line per lesson, uncut
    print(say("ui", "lesson_list_header", lang))
    id_width = max((len(item.id) for item in lessons), default=0)
    for position, item in enumerate(lessons, start=1):
        done = "✓" if progress.get(item.id, {}).get("passed") else " "
        languages = "+".join(item.languages) or "-"
        level = say("ui", "lesson_level", lang, level=str(item.level))
        lead = f" {done} {position:>2}. {item.id:<{id_width}}  {level}  [{languages:<5}]  "
        indent = cells(lead) if width is None or cells(lead) <= width // 2 else 6
        title = wrap(item.title_in(lang), width, first=cells(lead), indent=indent)
        print(lead + "\n".join(title))
    if lessons:  # how to play one (D21): by id or by number
        for line in wrap(say("ui", "lesson_list_play", lang, first=lessons[0].id), width, indent=2):
            print(line)
    for error in errors:
        print_problems(error, lang)
    return 1 if errors else 0


def check_files(paths: list[str], lang: str) -> int:
    """Check each file; 0 only when all of them are fine."""
    from smtp_tutor.faces.lesson_open import print_problems
    from smtp_tutor.knowledge.catalogue import say
    from smtp_tutor.lessons.parser import LessonError, read_lesson

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
        print(say("ui", "lesson_check_file_ok", lang, path=path, steps=str(steps),
                 langs="+".join(checked.languages) or "-"))
    return status


