"""What every face's parser shares: the words, the layout, the value checks.

Each subcommand's parser lives in its own face module (``faces/<name>.py``, ``add_parser``);
``cli.build_parser`` builds the top level and asks the face that runs. Every word a user
reads, argparse's own included, comes from ``knowledge/data/cli.toml`` in the language of
the run (``--lang`` anywhere on the line, else the locale). Nothing heavy is imported here:
``--help`` of every subcommand goes through this module.
"""

from __future__ import annotations

import argparse
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

_LANG = ["en"]  # the language the parser is being built in (prepare() sets it)


def _t(section: str, key: str, **params: str) -> str:
    """``say("cli", "section.key", …)`` in the language the parser is being built in
    (argparse calls the value checks below without it)."""
    from smtp_tutor.knowledge.catalogue import say

    return say("cli", f"{section}.{key}", _LANG[0], **params)


def prepare(lang: str) -> None:
    """Set the language the parsers are built in; argparse's own words follow it."""
    _LANG[0] = lang
    _words_for_argparse(lang)


def _words_for_argparse(lang: str) -> None:
    """argparse's own messages (usage:, options, errors) in ``lang``: a gettext catalogue."""
    import gettext

    from smtp_tutor.knowledge.store import load

    class Catalogue(gettext.NullTranslations):
        def __init__(self, table: dict[str, str]) -> None:
            super().__init__()
            self.table = table

        def gettext(self, message: str) -> str:
            return self.table.get(message, message)

        def ngettext(self, singular: str, plural: str, n: int) -> str:
            return self.gettext(singular if n == 1 else plural)

    from smtp_tutor.knowledge.catalogue import pick

    table = {} if lang == "en" else {pair["en"]: pick(pair, lang)
                                     for pair in load("cli")["argparse"]}
    catalogue = Catalogue(table)
    # argparse looks its words up through these names (its own, which typeshed leaves out)
    argparse._ = catalogue.gettext  # type: ignore[attr-defined]
    argparse.ngettext = catalogue.ngettext  # type: ignore[attr-defined]


def placeholders(parser: argparse.ArgumentParser, lang: str) -> None:
    """The metavars of every option and positional (PORT, FILE, host ...) in ``lang``."""
    from smtp_tutor.knowledge.catalogue import pick
    from smtp_tutor.knowledge.store import load

    if lang == "en":
        return
    names = load("cli")["metavar"]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                placeholders(sub, lang)
        if action.nargs == 0 or (action.choices is not None and action.metavar is None):
            continue
        name = action.metavar or (action.dest.upper() if action.option_strings else action.dest)
        if isinstance(name, str) and name in names:
            action.metavar = pick(names[name], lang)


def lang_of(options: argparse.Namespace) -> str:
    """The run's language: ``--lang`` when given, else the environment's."""
    from smtp_tutor.knowledge import language_from_env

    return options.lang or language_from_env()


def _columns() -> int:
    """The terminal's width without importing shutil (argparse's formatter would, at every
    ``add_argument``, to check a metavar: 2.7 ms of a scripted session's start)."""
    try:
        return int(os.environ.get("COLUMNS", "")) or os.get_terminal_size(sys.stdout.fileno())[0]
    except (ValueError, OSError):
        return 80


class _Formatter(argparse.HelpFormatter):
    """argparse's layout, cut by word in cells and never inside a `command` (D21)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position,
                         width if width is not None else _columns() - 2)

    def _split_lines(self, text: str, width: int) -> list[str]:
        from smtp_tutor.render.wrap import wrap

        return wrap(self._whitespace_matcher.sub(" ", text).strip(), width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        from smtp_tutor.render.wrap import wrap

        lines = wrap(self._whitespace_matcher.sub(" ", text).strip(), width - len(indent))
        return "\n".join(indent + line for line in lines)


class RawFormatter(_Formatter, argparse.RawDescriptionHelpFormatter):
    """Line breaks kept as written; a line longer than the width is still cut by word."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        from smtp_tutor.render.wrap import hanging

        return "".join(indent + part + "\n" for line in text.splitlines()
                       for part in hanging(line, width - len(indent))).rstrip("\n")


class Parser(argparse.ArgumentParser):
    """Every parser and subparser formats with ``_Formatter`` unless told otherwise.

    ``epilog_from`` builds an epilog only when the help is shown (serve's fault table
    imports the server's fault list: no other run of the parser needs it).
    """

    def __init__(self, *args, formatter_class=_Formatter,  # noqa: ANN002, ANN003
                 epilog_from: Callable[[], str] | None = None, **kwargs) -> None:
        # (every caller names its arguments: *args never reaches formatter_class's place)
        super().__init__(*args, formatter_class=formatter_class, **kwargs)  # type: ignore[misc]
        self.epilog_from = epilog_from

    def format_help(self) -> str:
        if self.epilog is None and self.epilog_from is not None:
            self.epilog = self.epilog_from()
        return super().format_help()


# what a face's add_parser receives: the top-level parser's subcommands
Subcommands = argparse._SubParsersAction


def add_lang(sub: argparse.ArgumentParser) -> None:
    """The ``--lang`` every subcommand takes (cli.take_lang has already taken it out)."""
    sub.add_argument("--lang", choices=("en", "vi"), help=_t("main", "lang"))


def rate(text: str) -> float:
    value = number(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(_t("value", "not_chance", text=text))
    return value


def seconds(text: str) -> float:
    value = number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(_t("value", "negative_seconds", text=text))
    return value


def positive_seconds(text: str) -> float:
    value = seconds(text)
    if value == 0:
        raise argparse.ArgumentTypeError(_t("value", "zero_timeout"))
    return value


def pace(text: str) -> float:
    """Seconds between watch steps: more than 0 (a negative pace is a typo, not a speed)."""
    value = number(text)
    if value <= 0:
        from smtp_tutor.knowledge.catalogue import say

        raise argparse.ArgumentTypeError(say("ui", "pace_positive", _LANG[0]))
    return value


def count(text: str) -> int:
    value = whole(text)
    if value < 0:
        raise argparse.ArgumentTypeError(_t("value", "negative", text=text))
    return value


def whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_t("value", "not_whole", text=text)) from None


def number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_t("value", "not_number", text=text)) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(_t("value", "not_finite", text=text))
    return value


def port_range_start(text: str) -> int:
    """The first of seven consecutive ports (D25: the world on a chosen port range)."""
    try:
        start = int(text)
    except ValueError:
        start = 0
    if not 1 <= start <= 65535 - 6:
        raise argparse.ArgumentTypeError(_t("value", "port_range", text=text))
    return start
