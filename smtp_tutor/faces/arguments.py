"""The argparse definition of every subcommand; each one's ``run`` imports its face late.

Every word a user reads here, argparse's own included, comes from ``knowledge/data/cli.toml``
in the language of the run (``--lang`` anywhere on the line, else the locale).
"""

from __future__ import annotations

import argparse
import os
import sys

_LANG = ["en"]  # the language the parser is being built in (build_parser sets it)


def _t(section: str, key: str, **params: str) -> str:
    """A help text or message of ``cli.toml`` in the parser's language."""
    from smtp_tutor.knowledge.store import load

    text = load("cli")[section][key][_LANG[0]]
    return text.format(**params) if params else text


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

    table = {} if lang == "en" else {pair["en"]: pair[lang] for pair in load("cli")["argparse"]}
    catalogue = Catalogue(table)
    # argparse looks its words up through these names (its own, which typeshed leaves out)
    argparse._ = catalogue.gettext  # type: ignore[attr-defined]
    argparse.ngettext = catalogue.ngettext  # type: ignore[attr-defined]


def _placeholders(parser: argparse.ArgumentParser, lang: str) -> None:
    """The metavars of every option and positional (PORT, FILE, host ...) in ``lang``."""
    from smtp_tutor.knowledge.store import load

    if lang == "en":
        return
    names = load("cli")["metavar"]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                _placeholders(sub, lang)
        if action.nargs == 0 or (action.choices is not None and action.metavar is None):
            continue
        name = action.metavar or (action.dest.upper() if action.option_strings else action.dest)
        if isinstance(name, str) and name in names:
            action.metavar = names[name][lang]


def _lang(options: argparse.Namespace) -> str:
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


class _RawFormatter(_Formatter, argparse.RawDescriptionHelpFormatter):
    """Line breaks kept as written; a line longer than the width is still cut by word."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        from smtp_tutor.render.wrap import hanging

        return "".join(indent + part + "\n" for line in text.splitlines()
                       for part in hanging(line, width - len(indent))).rstrip("\n")


class _Parser(argparse.ArgumentParser):
    """Every parser and subparser formats with ``_Formatter`` unless told otherwise."""

    def __init__(self, *args, formatter_class=_Formatter, **kwargs) -> None:  # noqa: ANN002, ANN003
        # (every caller names its arguments: *args never reaches formatter_class's place)
        super().__init__(*args, formatter_class=formatter_class, **kwargs)  # type: ignore[misc]


def build_parser(command: str = "", lang: str | None = None) -> argparse.ArgumentParser:
    """The parser for ``command`` (all of them for an unknown one); the costly `serve`
    epilog is built only when `serve` runs."""
    if lang is None:
        from smtp_tutor.knowledge import language_from_env

        lang = language_from_env()
    _LANG[0] = lang
    _words_for_argparse(lang)
    parser = _Parser(prog="smtp-tutor", description=_t("main", "description"))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    builders = {"connect": _connect, "explain": _explain, "annotate": _annotate,
                "lesson": _lesson, "demo": _demo, "export": _export,
                "serve": lambda sub: _serve(sub, with_epilog=command == "serve"),
                "mailbox": _mailbox, "world": _world, "queue": _queue, "grade": _grade}
    # only the command that runs is built (a scripted session starts faster); an unknown
    # one gets them all, for argparse's own list
    for name, build in builders.items():
        if command not in builders or name == command:
            build(commands)
    _placeholders(parser, lang)
    return parser


def _common(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--lang", choices=("en", "vi"), help=_t("main", "lang"))


def _connect(commands) -> None:
    sub = commands.add_parser("connect", help=_t("connect", "help"),
                              description=_t("connect", "description"))
    sub.add_argument("host", nargs="?", help=_t("connect", "host"))
    sub.add_argument("port_arg", nargs="?", metavar="PORT", help=_t("connect", "port_arg"))
    sub.add_argument("--port", "-p", help=_t("connect", "port"))
    sub.add_argument("--tls", action="store_true", help=_t("connect", "tls"))
    sub.add_argument("--cafile", help=_t("connect", "cafile"))
    sub.add_argument("--insecure", action="store_true", help=_t("connect", "insecure"))
    sub.add_argument("--servername", metavar="NAME", help=_t("connect", "servername"))
    sub.add_argument("--tls-min", choices=("1.2", "1.3"), help=_t("connect", "tls_min"))
    sub.add_argument("--tls-max", choices=("1.2", "1.3"), help=_t("connect", "tls_max"))
    sub.add_argument("--timeout", type=_number, default=30.0, help=_t("connect", "timeout"))
    sub.add_argument("--json", action="store_true", help=_t("connect", "json"))
    sub.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                     help=_t("connect", "color"))
    sub.add_argument("--raw", action="store_true", help=_t("connect", "raw"))
    sub.add_argument("--pop3", action="store_true", help=_t("connect", "pop3"))
    sub.add_argument("--imap", action="store_true", help=_t("connect", "imap"))
    sub.add_argument("--pipeline", action="store_true", help=_t("connect", "pipeline"))
    # swaks-like shortcuts for scripts (faces/shortcuts.py); the lists are repeated there
    sub.add_argument("--quit-after", metavar="STATE", help=_t("connect", "quit_after"),
                     choices=("connect", "greeting", "helo", "tls", "auth", "mail", "rcpt", "data"))
    sub.add_argument("--from", dest="sender", metavar="ADDRESS", help=_t("connect", "from"))
    sub.add_argument("--to", action="append", metavar="ADDRESS", help=_t("connect", "to"))
    sub.add_argument("--data", metavar="FILE", help=_t("connect", "data"))
    sub.add_argument("--header", action="append", metavar="HEADER", help=_t("connect", "header"))
    sub.add_argument("--helo", metavar="NAME", help=_t("connect", "helo"))
    sub.add_argument("--protocol", type=str.upper, metavar="PROTOCOL",
                     choices=("SMTP", "ESMTP", "ESMTPS", "ESMTPSA"), help=_t("connect", "protocol"))
    sub.add_argument("--auth-user", metavar="NAME", help=_t("connect", "auth_user"))
    _common(sub)
    sub.set_defaults(run=run_connect)


def run_connect(options: argparse.Namespace) -> int:
    if getattr(options, "pop3", False):
        from smtp_tutor.pop3.shell import connect_pop3

        return connect_pop3(options, _lang(options))
    if getattr(options, "imap", False):
        from smtp_tutor.imap.shell import connect_imap

        return connect_imap(options, _lang(options))
    from smtp_tutor.faces.connect import connect

    return connect(options, _lang(options))


def _explain(commands) -> None:
    sub = commands.add_parser("explain", help=_t("explain", "help"))
    sub.add_argument("topic", nargs="*", help=_t("explain", "topic"))
    sub.add_argument("--list", action="store_true", help=_t("explain", "list"))
    _common(sub)
    sub.set_defaults(run=run_explain)


def run_explain(options: argparse.Namespace) -> int:
    from smtp_tutor.render.explanation import explain

    return explain(options.topic, _lang(options), list_all=options.list)


def _annotate(commands) -> None:
    sub = commands.add_parser("annotate", help=_t("annotate", "help"),
                              description=_t("annotate", "description"))
    sub.add_argument("file", nargs="?", help=_t("annotate", "file"))
    sub.add_argument("--json", action="store_true", help=_t("annotate", "json"))
    sub.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                     help=_t("annotate", "color"))
    sub.add_argument("--raw", action="store_true", help=_t("annotate", "raw"))
    _common(sub)
    sub.set_defaults(run=run_annotate)


def run_annotate(options: argparse.Namespace) -> int:
    from smtp_tutor.faces.annotate import annotate

    return annotate(options, _lang(options))


def _lesson(commands) -> None:
    sub = commands.add_parser("lesson", help=_t("lesson", "help"),
                              description=_t("lesson", "description"))
    actions = sub.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help=_t("lesson", "list"))
    _common(listing)
    check = actions.add_parser("check", help=_t("lesson", "check"))
    check.add_argument("files", nargs="*", metavar="FILE")
    _common(check)
    player = actions.add_parser("play", help=_t("lesson", "play"),
                                description=_t("lesson", "play_description"))
    player.add_argument("lesson", metavar="ID|FILE")
    player.add_argument("--mode", choices=("practice", "watch"), default="practice",
                        help=_t("lesson", "mode"))
    player.add_argument("--pace", type=_pace, metavar="SECONDS", help=_t("lesson", "pace"))
    player.add_argument("--predict", action="store_true", help=_t("lesson", "predict"))
    player.add_argument("--offline", action="store_true", help=_t("lesson", "offline"))
    player.add_argument("--server", metavar="HOST[:PORT]", help=_t("lesson", "server"))
    player.add_argument("--domain", help=_t("lesson", "domain"))
    player.add_argument("--cafile", help=_t("lesson", "cafile"))
    player.add_argument("--insecure", action="store_true", help=_t("lesson", "insecure"))
    player.add_argument("--timeout", type=_number, default=30.0, help=_t("lesson", "timeout"))
    player.add_argument("--json", action="store_true", help=_t("lesson", "json"))
    player.add_argument("--report", metavar="FILE", help=_t("lesson", "report"))
    _common(player)
    sub.set_defaults(run=run_lesson)


def run_lesson(options: argparse.Namespace) -> int:
    from smtp_tutor.faces.lesson import lesson

    return lesson(options, _lang(options))


def _demo(commands) -> None:
    sub = commands.add_parser("demo", help=_t("demo", "help"), description=_t("demo", "description"))
    sub.add_argument("lesson", metavar="LESSON|FILE")
    sub.add_argument("--server", metavar="HOST[:PORT]", help=_t("demo", "server"))
    sub.add_argument("--offline", action="store_true", help=_t("demo", "offline"))
    sub.add_argument("--theme", choices=("projector", "dark", "light"), default="projector",
                     help=_t("demo", "theme"))
    sub.add_argument("--notes", metavar="FILE_OR_TTY", help=_t("demo", "notes"))
    sub.add_argument("--cafile", help=_t("demo", "cafile"))
    sub.add_argument("--insecure", action="store_true", help=_t("demo", "insecure"))
    sub.add_argument("--timeout", type=_number, default=30.0, help=_t("demo", "timeout"))
    _common(sub)
    sub.set_defaults(run=run_demo)


def run_demo(options: argparse.Namespace) -> int:
    from smtp_tutor.faces.demo import demo

    return demo(options, _lang(options))


def _export(commands) -> None:
    sub = commands.add_parser("export", help=_t("export", "help"),
                              description=_t("export", "description"))
    sub.add_argument("source", metavar="LESSON|TRANSCRIPT")
    sub.add_argument("--format", choices=("html", "svg", "md"), default="svg",
                     help=_t("export", "format"))
    sub.add_argument("--output", "-o", metavar="FILE", help=_t("export", "output"))
    sub.add_argument("--width", type=_whole, default=100, help=_t("export", "width"))
    _common(sub)
    sub.set_defaults(run=run_export)


def run_export(options: argparse.Namespace) -> int:
    from smtp_tutor.demo.export import export

    return export(options, _lang(options))


def _serve(commands, *, with_epilog: bool) -> None:
    epilog = _faults_epilog() if with_epilog else None
    sub = commands.add_parser(
        "serve", help=_t("serve", "help"), formatter_class=_RawFormatter,
        description=_t("serve", "description"), epilog=epilog)
    sub.add_argument("--host", default="127.0.0.1", help=_t("serve", "host"))
    sub.add_argument("--port", type=_whole, default=2525, help=_t("serve", "port"))
    sub.add_argument("--domain", default="hamburger.edu", help=_t("serve", "domain"))
    sub.add_argument("--mailbox-dir", help=_t("serve", "mailbox_dir"))
    sub.add_argument("--users", help=_t("serve", "users"))
    sub.add_argument("--print-ca", action="store_true", help=_t("serve", "print_ca"))
    sub.add_argument("--allow-insecure-auth", action="store_true",
                     help=_t("serve", "allow_insecure_auth"))
    sub.add_argument("--world", action="store_true", help=_t("serve", "world"))
    out = sub.add_argument_group(_t("serve", "console"))
    out.add_argument("--quiet", action="store_true", help=_t("serve", "quiet"))
    out.add_argument("--lint-report", metavar="FILE", help=_t("serve", "lint_report"))
    faults = sub.add_argument_group(_t("serve", "faults"))
    faults.add_argument("--greylist", type=_seconds, default=0.0, metavar="SECONDS",
                        help=_t("serve", "greylist"))
    faults.add_argument("--fail-rate", type=_rate, default=0.0, metavar="P",
                        help=_t("serve", "fail_rate"))
    faults.add_argument("--drop-rate", type=_rate, default=0.0, metavar="P",
                        help=_t("serve", "drop_rate"))
    faults.add_argument("--slow", type=_seconds, default=0.0, metavar="SECONDS",
                        help=_t("serve", "slow"))
    faults.add_argument("--max-connections", type=_count, default=500, metavar="N",
                        help=_t("serve", "max_connections"))
    faults.add_argument("--max-size", type=_count, default=10 * 1024 * 1024, metavar="OCTETS",
                        help=_t("serve", "max_size"))
    faults.add_argument("--seed", type=_whole, help=_t("serve", "seed"))
    limits = sub.add_argument_group(_t("serve", "limits"))
    limits.add_argument("--max-recipients", type=_count, default=100, metavar="N",
                        help=_t("serve", "max_recipients"))
    limits.add_argument("--max-errors", type=_count, default=20, metavar="N",
                        help=_t("serve", "max_errors"))
    limits.add_argument("--idle-timeout", type=_positive_seconds, default=300.0, metavar="SECONDS",
                        help=_t("serve", "idle_timeout"))
    limits.add_argument("--max-per-client", type=_count, metavar="N",
                        help=_t("serve", "max_per_client"))
    _common(sub)
    sub.set_defaults(run=run_serve)


def _faults_epilog() -> str:
    """The fault recipients (server/faults.py's table) with their meaning in the run's language."""
    from smtp_tutor.server.faults import FAULTS, SLOW_SECONDS, fault_code

    lines = [_t("serve", "faults_heading")]
    for name, fault in FAULTS.items():
        shown = fault_code(fault)
        lines.append(f"  {name + '@':<10} {shown:<10} "
                     f"{_t('serve_faults', name, seconds=f'{SLOW_SECONDS:g}')}")
    return "\n".join(lines)


def _rate(text: str) -> float:
    value = _number(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(_t("value", "not_chance", text=text))
    return value


def _seconds(text: str) -> float:
    value = _number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(_t("value", "negative_seconds", text=text))
    return value


def _positive_seconds(text: str) -> float:
    value = _seconds(text)
    if value == 0:
        raise argparse.ArgumentTypeError(_t("value", "zero_timeout"))
    return value


def _pace(text: str) -> float:
    """Seconds between watch steps: more than 0 (a negative pace is a typo, not a speed)."""
    value = _number(text)
    if value <= 0:
        from smtp_tutor.knowledge import ui

        raise argparse.ArgumentTypeError(ui("pace_positive", _LANG[0]))
    return value


def _count(text: str) -> int:
    value = _whole(text)
    if value < 0:
        raise argparse.ArgumentTypeError(_t("value", "negative", text=text))
    return value


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_t("value", "not_whole", text=text)) from None


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_t("value", "not_number", text=text)) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(_t("value", "not_finite", text=text))
    return value


def run_serve(options: argparse.Namespace) -> int:
    if getattr(options, "world", False):
        options.dir, options.free_ports, options.speedup = None, False, 600.0
        options.ports = None
        options.give_up, options.pickup_delay = 120.0, 0.5
        return run_world(options)
    from smtp_tutor.server.main import serve

    return serve(options, _lang(options))


def _mailbox(commands) -> None:
    sub = commands.add_parser("mailbox", help=_t("mailbox", "help"))
    sub.add_argument("user", help=_t("mailbox", "user"))
    sub.add_argument("--mailbox-dir", help=_t("mailbox", "mailbox_dir"))
    sub.add_argument("--show", type=_whole, metavar="N", help=_t("mailbox", "show"))
    _common(sub)
    sub.set_defaults(run=run_mailbox)


def run_mailbox(options: argparse.Namespace) -> int:
    from smtp_tutor.server.mailbox_view import show_mailbox

    return show_mailbox(options, _lang(options))


def _grade(commands) -> None:
    sub = commands.add_parser("grade", help=_t("grade", "help"),
                              description=_t("grade", "description"))
    targets = sub.add_subparsers(dest="target", metavar="{client,server,isolation}",
                                 required=True)
    client = targets.add_parser("client", help=_t("grade", "client_help"),
                                description=_t("grade", "client_description"))
    client.add_argument("--port", type=int, default=1025, help=_t("grade", "port"))
    client.add_argument("--rubric", metavar="NAME|FILE", help=_t("grade", "rubric"))
    client.add_argument("--each", metavar="GLOB", help=_t("grade", "each"))
    client.add_argument("--submission", metavar="DIR", help=_t("grade", "submission"))
    client.add_argument("--require-isolation", choices=("full", "uid"),
                        help=_t("grade", "require_isolation"))
    client.add_argument("--isolation", choices=("full", "uid", "weak"),
                        help=_t("grade", "isolation"))
    client.add_argument("--jobs", "-j", type=_count, default=os.cpu_count() or 1, metavar="N",
                        help=_t("grade", "jobs"))
    client.add_argument("--out", metavar="DIR", default="grades", help=_t("grade", "out"))
    _grade_output(client)
    client.add_argument("program", nargs=argparse.REMAINDER, metavar="-- COMMAND ...")
    server = targets.add_parser("server", help=_t("grade", "server_help"),
                                description=_t("grade", "server_description"))
    server.add_argument("host", nargs="?", help=_t("grade", "host"))
    server.add_argument("server_port", nargs="?", type=int, metavar="PORT")
    server.add_argument("--require-isolation", choices=("full", "uid"),
                        help=_t("grade", "require_isolation"))
    server.add_argument("--isolation", choices=("full", "uid", "weak"),
                        help=_t("grade", "isolation"))
    server.add_argument("--submission", metavar="DIR", help=_t("grade", "submission"))
    server.set_defaults(program=[])
    server.add_argument("--reply-timeout", "--timeout", dest="timeout", type=_positive_seconds,
                        default=30.0, metavar="SECONDS", help=_t("grade", "timeout"))
    server.add_argument("--run-timeout", type=_positive_seconds, default=300.0,
                        metavar="SECONDS", help=_t("grade", "run_timeout"))
    server.add_argument("--rcpt", metavar="ADDRESS", help=_t("grade", "rcpt"))
    _grade_output(server)
    isolation = targets.add_parser("isolation", help=_t("grade", "isolation_help"))
    _common(isolation)
    sub.set_defaults(run=run_grade)


def _grade_output(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--format", choices=("text", "json", "gradescope", "junit"), default="text",
                     help=_t("grade", "format"))
    sub.add_argument("--output", "-o", metavar="FILE", help=_t("grade", "output"))
    _common(sub)


def run_grade(options: argparse.Namespace) -> int:
    from smtp_tutor.grade.main import grade

    return grade(options, _lang(options))


def _port_range_start(text: str) -> int:
    """The first of seven consecutive ports (D25: the world on a chosen port range)."""
    try:
        start = int(text)
    except ValueError:
        start = 0
    if not 1 <= start <= 65535 - 6:
        raise argparse.ArgumentTypeError(_t("value", "port_range", text=text))
    return start


def _world(commands) -> None:
    sub = commands.add_parser("world", help=_t("world", "help"),
                              description=_t("world", "description"))
    sub.add_argument("--dir", help=_t("world", "dir"))
    sub.add_argument("--free-ports", action="store_true", help=_t("world", "free_ports"))
    sub.add_argument("--ports", type=_port_range_start, metavar="START",
                     help=_t("world", "ports"))
    sub.add_argument("--speedup", type=_positive_seconds, default=600.0, metavar="FACTOR",
                     help=_t("world", "speedup"))
    sub.add_argument("--give-up", type=_positive_seconds, default=120.0, metavar="HOURS",
                     help=_t("world", "give_up"))
    sub.add_argument("--greylist", type=_seconds, default=0.0, metavar="SECONDS",
                     help=_t("world", "greylist"))
    sub.add_argument("--pickup-delay", type=_seconds, default=0.5, help=argparse.SUPPRESS)
    _common(sub)
    sub.set_defaults(run=run_world)


def run_world(options: argparse.Namespace) -> int:
    from smtp_tutor.world.main import run_world as world

    return world(options, _lang(options))


def _queue(commands) -> None:
    sub = commands.add_parser("queue", help=_t("queue", "help"))
    sub.add_argument("--dir", help=_t("queue", "dir"))
    _common(sub)
    sub.set_defaults(run=run_queue)


def run_queue(options: argparse.Namespace) -> int:
    from smtp_tutor.world.main import run_queue as queue

    return queue(options, _lang(options))
