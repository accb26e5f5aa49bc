"""The ``smtp-tutor`` command line: the top-level parser, the language, the dispatch.

Start-up matters (students type ``--help`` a lot): this module imports nothing heavy.
``--version`` and the top-level ``--help`` answer without even argparse (the help text
comes from the marshal cache of knowledge/data/cli.toml). Each subcommand is one face
module (``FACES``), imported only when its command is on the line: it adds its own parser
and runs it, importing what it runs only then. ``--lang en|vi`` is global: taken out
wherever it stands.
"""

from __future__ import annotations

import sys

from smtp_tutor import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

# each subcommand's face: a module with add_parser(subcommands) and run(options) -> int
FACES = {
    "connect": "smtp_tutor.faces.connect",
    "explain": "smtp_tutor.faces.explain",
    "annotate": "smtp_tutor.faces.annotate",
    "lesson": "smtp_tutor.faces.lesson",
    "demo": "smtp_tutor.faces.demo",
    "export": "smtp_tutor.faces.export",
    "serve": "smtp_tutor.faces.serve",
    "mailbox": "smtp_tutor.faces.mailbox",
    "world": "smtp_tutor.faces.world",
    "queue": "smtp_tutor.faces.queue",
    "grade": "smtp_tutor.faces.grade",
    "class": "smtp_tutor.faces.classroom",
}
COMMANDS = tuple(FACES)
LANGUAGES = ("en", "vi")


def usage(lang: str) -> str:
    """The top-level ``--help`` (``[usage]`` of knowledge/data/cli.toml) in ``lang``."""
    usage = _cli_words()["usage"]
    return usage[lang] if lang in usage else usage["en"]  # catalogue.pick's rule, not imported


def language() -> str:
    """The run's language, as ``knowledge.language_from_env`` says it (without importing it)."""
    import os

    for name in ("SMTP_TUTOR_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "vi" if value.lower().startswith("vi") else "en"
    return "en"


def _cli_words() -> dict:
    """cli.toml from the knowledge store's marshal cache when it is fresh.

    The top-level ``--help`` imports nothing of the knowledge package (a test checks it),
    so the cache file is read here directly: the same name as ``knowledge.store._cache_path``
    gives (a test keeps them equal). On a miss the store parses the TOML once and writes
    the cache.
    """
    import marshal
    import os

    source = os.path.join(os.path.dirname(__file__), "knowledge", "data", "cli.toml")
    base = os.environ.get("SMTP_TUTOR_CACHE")
    if base is None:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        base = os.path.join(xdg, "smtp-tutor")
    if base:
        try:
            status = os.stat(source)
            version = f"py{sys.version_info[0]}{sys.version_info[1]}m{marshal.version}"
            name = f"cli-{version}-{status.st_mtime_ns}-{status.st_size}.marshal"
            with open(os.path.join(base, name), "rb") as handle:
                return marshal.loads(handle.read())  # load(handle) reads item by item
        except (OSError, EOFError, ValueError, TypeError):
            pass
    from smtp_tutor.knowledge.store import load

    return load("cli")


def take_lang(args: list[str]) -> tuple[list[str], str | None]:
    """``--lang en|vi`` (or ``--lang=vi``) taken out from anywhere before ``--``.

    It is a global option: ``smtp-tutor --lang vi explain 354`` explains, and
    ``smtp-tutor explain 354 --lang vi`` too. A wrong or missing value is left in place
    for argparse to refuse.
    """
    rest: list[str] = []
    chosen = None
    index = 0
    while index < len(args):
        word = args[index]
        if word == "--":
            rest.extend(args[index:])
            break
        if word == "--lang" and index + 1 < len(args) and args[index + 1] in LANGUAGES:
            chosen = args[index + 1]
            index += 2
            continue
        if word.startswith("--lang=") and word[7:] in LANGUAGES:
            chosen = word[7:]
            index += 1
            continue
        rest.append(word)
        index += 1
    return rest, chosen


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args, lang = take_lang(sys.argv[1:] if argv is None else argv)
    if lang is None:
        return _main(args)
    import os

    before = os.environ.get("SMTP_TUTOR_LANG")
    os.environ["SMTP_TUTOR_LANG"] = lang  # every part of the run reads the language from here
    try:
        return _main(args)
    finally:
        if before is None:
            os.environ.pop("SMTP_TUTOR_LANG", None)
        else:
            os.environ["SMTP_TUTOR_LANG"] = before


def _topics_not_options(args: list[str]) -> list[str]:
    """``explain -ERR``: a word with one dash, such as POP3's -ERR, is a topic, not an unknown
    option, so ``--`` goes before the first one (``-h`` and every ``--option`` stay options)."""
    if "--" in args:
        return args
    for index, word in enumerate(args):
        if word.startswith("-") and not word.startswith("--") and word != "-h" and len(word) > 1:
            return [*args[:index], "--", *args[index:]]
    return args


def _main(args: list[str]) -> int:
    if args in (["--version"], ["-V"]):
        sys.stdout.write(f"smtp-tutor {__version__}\n")
        return 0
    if args in (["--help"], ["-h"], ["help"]):
        text = usage(language())
        if sys.stdout.isatty():  # on a terminal, cut by word at its width (D21)
            from smtp_tutor.render.wrap import hanging, terminal_width

            width = terminal_width()
            text = "".join(part + "\n" for line in text.splitlines()
                           for part in hanging(line, width))
        sys.stdout.write(text)
        return 0
    if args[:1] == ["explain"]:
        args = ["explain", *_topics_not_options(args[1:])]
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except Exception as error:  # the last net: a short message, never a traceback
        import os

        if os.environ.get("SMTP_TUTOR_DEBUG"):
            raise
        from smtp_tutor.knowledge.catalogue import say

        sys.stderr.write(say("cli", "main.unexpected", language(),
                             error=f"{type(error).__name__}: {error}"))
        return 70


def _silence_stdout() -> None:
    """The reader (e.g. `head`) went away: drop what is left instead of a traceback."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def build_parser(command: str = "", lang: str | None = None) -> argparse.ArgumentParser:
    """The parser with ``command``'s face only (a scripted session starts faster); an
    unknown command gets every face, for argparse's own list of choices."""
    from importlib import import_module

    from smtp_tutor.faces.arguments import Parser, _t, placeholders, prepare

    if lang is None:
        from smtp_tutor.knowledge import language_from_env

        lang = language_from_env()
    prepare(lang)
    parser = Parser(prog="smtp-tutor", description=_t("main", "description"))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in ([command] if command in FACES else FACES):
        import_module(FACES[name]).add_parser(commands)
    placeholders(parser, lang)
    return parser


def _dispatch(args: list[str]) -> int:
    if not args or args[0].startswith("-") and args[0] not in ("-h", "--help"):
        args = ["connect", *args]
    parser = build_parser(args[0])
    if args[0] not in COMMANDS:
        import difflib

        from smtp_tutor.knowledge.catalogue import say

        close = difflib.get_close_matches(args[0], COMMANDS, n=1, cutoff=0.6)
        if close:  # conect → connect
            parser.error(say("cli", "main.unknown_command_close", language(), command=args[0],
                             close=close[0]))
        parser.error(say("cli", "main.unknown_command", language(), command=args[0],
                         commands=", ".join(COMMANDS)))
    program: list[str] | None = None
    if args[0] == "grade" and "--" in args:  # grade client|server ... -- COMMAND
        cut = args.index("--")
        args, program = args[:cut], args[cut + 1:]
    options = parser.parse_args(args)
    if program is not None:
        options.program = program
    return options.run(options)


if __name__ == "__main__":
    raise SystemExit(main())
