"""The argparse definition of every subcommand; each one's ``run`` imports its face late."""

from __future__ import annotations

import argparse
import os
import sys


def _lang(options: argparse.Namespace) -> str:
    from smtp_tutor.knowledge import language_from_env

    return options.lang or language_from_env()


def build_parser(command: str = "") -> argparse.ArgumentParser:
    """The full parser; the costly `serve` epilog is built only when `serve` runs."""
    parser = argparse.ArgumentParser(prog="smtp-tutor", description="Learn SMTP in the terminal.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _connect(commands)
    _explain(commands)
    _annotate(commands)
    _lesson(commands)
    _demo(commands)
    _export(commands)
    _serve(commands, with_epilog=command == "serve")
    _mailbox(commands)
    _grade(commands)
    return parser


def _common(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--lang", choices=("en", "vi"), help="language of explanations "
                     "(default: from LANG, e.g. vi_VN.UTF-8 gives vi)")


def _connect(commands) -> None:
    sub = commands.add_parser(
        "connect", help="interactive shell on an SMTP server",
        description="Connect to an SMTP server and type the dialogue; every reply is "
        "explained. Without HOST, the built-in practice server is started on loopback. "
        "With stdin not a terminal, commands are read line by line (CRLF added, each reply "
        "awaited) and the exit status is 0 only when the server answered QUIT with 221.")
    sub.add_argument("host", nargs="?", help="server name or address (IPv4, IPv6, HOST:PORT)")
    sub.add_argument("port_arg", nargs="?", metavar="PORT", help="port (default 25, 465 with --tls)")
    sub.add_argument("--port", "-p", help="port, same as the positional PORT")
    sub.add_argument("--tls", action="store_true",
                     help="implicit TLS from the first byte (port 465, RFC 8314)")
    sub.add_argument("--cafile", help="trust this CA certificate (e.g. the practice server's)")
    sub.add_argument("--insecure", action="store_true",
                     help="do not verify the server's certificate (lab use only; said on screen)")
    sub.add_argument("--timeout", type=float, default=30.0,
                     help="seconds to wait for a connection or a reply (default 30)")
    sub.add_argument("--json", action="store_true",
                     help="one JSON object per event (scripted mode; schema in README)")
    sub.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                     help="colour in scripted output (default: auto; NO_COLOR honoured)")
    sub.add_argument("--raw", action="store_true", help="show the bytes on the wire")
    _common(sub)
    sub.set_defaults(run=run_connect)


def run_connect(options: argparse.Namespace) -> int:
    from smtp_tutor.faces.connect import connect

    return connect(options, _lang(options))


def _explain(commands) -> None:
    sub = commands.add_parser("explain", help="explain a code, command, extension or concept")
    sub.add_argument("topic", nargs="*", help="354, 5.1.1, RCPT, PIPELINING, dot-stuffing ...")
    sub.add_argument("--list", action="store_true", help="list every topic")
    _common(sub)
    sub.set_defaults(run=run_explain)


def run_explain(options: argparse.Namespace) -> int:
    from smtp_tutor.faces.explain import explain

    return explain(options.topic, _lang(options), list_all=options.list)


def _annotate(commands) -> None:
    sub = commands.add_parser(
        "annotate", help="explain a transcript another tool printed",
        description="Explain a recorded SMTP dialogue offline: the textbook S:/C: notation, "
        "swaks output (-> <- ~> <~), Python smtplib debug output (send:/reply:) or a telnet "
        "capture. Reads FILE, or stdin when FILE is absent or -.")
    sub.add_argument("file", nargs="?", help="transcript file (default: stdin)")
    sub.add_argument("--json", action="store_true", help="one JSON object per event")
    sub.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                     help="colour (default: auto; NO_COLOR honoured)")
    sub.add_argument("--raw", action="store_true", help="show the bytes each line stands for")
    _common(sub)
    sub.set_defaults(run=run_annotate)


def run_annotate(options: argparse.Namespace) -> int:
    from smtp_tutor.faces.annotate import annotate

    return annotate(options, _lang(options))


def _lesson(commands) -> None:
    sub = commands.add_parser(
        "lesson", help="list, check and play lessons",
        description="Lessons replay worked SMTP sessions (the textbook Alice-to-Bob session "
        "first) against a real server. The lesson format is described in lessons/README.md.")
    actions = sub.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the built-in lessons, ✓ for the finished ones")
    _common(listing)
    check = actions.add_parser("check", help="check lesson files (default: the library)")
    check.add_argument("files", nargs="*", metavar="FILE")
    _common(check)
    player = actions.add_parser(
        "play", help="play a lesson",
        description="Play a lesson by id (alice-bob), number (1) or FILE. Against the built-in "
        "practice server unless --server; --offline uses the replies written in the lesson.")
    player.add_argument("lesson", metavar="ID|FILE")
    player.add_argument("--mode", choices=("practice", "watch"), default="practice",
                        help="practice: you type each client line (default); watch: it plays")
    player.add_argument("--pace", type=_pace, metavar="SECONDS",
                        help="watch: next step after SECONDS instead of a key")
    player.add_argument("--predict", action="store_true",
                        help="guess each reply code before the command is sent; scored")
    player.add_argument("--offline", action="store_true",
                        help="no server at all: the replies come from the lesson file")
    player.add_argument("--server", metavar="HOST[:PORT]", help="play against this server")
    player.add_argument("--domain", help="the server's mail domain for {domain} (with --server)")
    player.add_argument("--cafile", help="trust this CA for STARTTLS (with --server)")
    player.add_argument("--insecure", action="store_true", help="do not verify certificates")
    player.add_argument("--timeout", type=float, default=30.0, help="seconds per reply")
    player.add_argument("--json", action="store_true", help="one JSON object per event")
    player.add_argument("--report", metavar="FILE", help="write the run (tries, hints, "
                        "predictions) as JSON for the instructor")
    _common(player)
    sub.set_defaults(run=run_lesson)


def run_lesson(options: argparse.Namespace) -> int:
    from smtp_tutor.faces.lesson import lesson

    return lesson(options, _lang(options))


def _demo(commands) -> None:
    sub = commands.add_parser(
        "demo", help="perform a lesson live on a projector",
        description="Full-screen instructor view: each key types the next characters of the "
        "scripted line, Enter sends it, the next key reveals the reply; a sequence diagram "
        "grows on the right. Against the built-in practice server unless --server or --offline. "
        "Keys: arrows next/back, Home restart, Ctrl-G N Enter go to step N, Tab auto-typing, "
        "F2 explanations, F3 language, F4 ask the class, F1 help line, Ctrl-Q quit.")
    sub.add_argument("lesson", metavar="LESSON|FILE")
    sub.add_argument("--server", metavar="HOST[:PORT]", help="perform against this server")
    sub.add_argument("--offline", action="store_true", help="no server: the lesson's own replies")
    sub.add_argument("--theme", choices=("projector", "dark", "light"), default="projector")
    sub.add_argument("--notes", metavar="FILE_OR_TTY",
                     help="write each step's presenter notes there (e.g. /dev/pts/3)")
    sub.add_argument("--cafile", help="trust this CA for STARTTLS (with --server)")
    sub.add_argument("--insecure", action="store_true", help="do not verify certificates")
    sub.add_argument("--timeout", type=float, default=30.0, help="seconds per reply")
    _common(sub)
    sub.set_defaults(run=run_demo)


def run_demo(options: argparse.Namespace) -> int:
    from smtp_tutor.faces.demo import demo

    return demo(options, _lang(options))


def _export(commands) -> None:
    sub = commands.add_parser(
        "export", help="write a lesson or transcript as HTML, SVG or Markdown",
        description="The coloured, annotated dialogue and its sequence diagram, for slides "
        "and handouts. LESSON is an id, a number or a lesson file; any other file is read as a "
        "transcript (as `annotate` reads it).")
    sub.add_argument("source", metavar="LESSON|TRANSCRIPT")
    sub.add_argument("--format", choices=("html", "svg", "md"), default="svg")
    sub.add_argument("--output", "-o", metavar="FILE", help="default: NAME.FORMAT here")
    sub.add_argument("--width", type=int, default=100, help="columns of the picture (default 100)")
    _common(sub)
    sub.set_defaults(run=run_export)


def run_export(options: argparse.Namespace) -> int:
    from smtp_tutor.demo.export import export

    return export(options, _lang(options))


def _serve(commands, *, with_epilog: bool) -> None:
    epilog = None
    if with_epilog:
        from smtp_tutor.server.faults import describe_faults

        epilog = describe_faults()
    sub = commands.add_parser(
        "serve", help="run the practice server", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="A practice SMTP server playing hamburger.edu, on loopback by default. "
        "It never relays and never sends mail anywhere.",
        epilog=epilog)
    sub.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    sub.add_argument("--port", type=int, default=2525, help="port (default 2525)")
    sub.add_argument("--domain", default="hamburger.edu", help="domain the server plays")
    sub.add_argument("--mailbox-dir", help="where Maildirs are kept (default: data directory)")
    sub.add_argument("--users", help="file of practice users, one `name [password]` per line")
    sub.add_argument("--print-ca", action="store_true",
                     help="print the practice CA certificate's path (for --cafile) and exit")
    sub.add_argument("--allow-insecure-auth", action="store_true",
                     help="accept AUTH before STARTTLS (loopback demos only)")
    out = sub.add_argument_group("console and lint")
    out.add_argument("--quiet", action="store_true",
                     help="no live console (the dialogue of every connection, explained)")
    out.add_argument("--lint-report", metavar="FILE",
                     help="append each client mistake (bare LF, no EHLO, pipelining without "
                     "PIPELINING ...) to FILE as JSON lines, for an autograder")
    faults = sub.add_argument_group(
        "teaching faults (off by default; they show why senders queue and retry, "
        "RFC 5321 §4.5.4)")
    faults.add_argument("--greylist", type=_seconds, default=0.0, metavar="SECONDS",
                        help="451 4.7.1 to a new (client, sender, recipient) until it "
                        "retries after SECONDS")
    faults.add_argument("--fail-rate", type=_rate, default=0.0, metavar="P",
                        help="MAIL, RCPT and DATA fail with 451 4.3.0 with chance P (0-1)")
    faults.add_argument("--drop-rate", type=_rate, default=0.0, metavar="P",
                        help="a reply is replaced by a dropped connection with chance P (0-1)")
    faults.add_argument("--slow", type=_seconds, default=0.0, metavar="SECONDS",
                        help="every reply, the 220 greeting included, comes SECONDS late "
                        "(catches clients that talk before the greeting)")
    faults.add_argument("--max-connections", type=_count, default=500, metavar="N",
                        help="421 4.3.2 to connection N+1 and beyond (default 500, a "
                        "protection too; 0: no limit)")
    faults.add_argument("--max-size", type=_count, default=10 * 1024 * 1024, metavar="OCTETS",
                        help="advertised SIZE; a bigger message gets 552 5.3.4 "
                        "(default 10485760)")
    faults.add_argument("--seed", type=int, help="make --fail-rate and --drop-rate repeatable")
    limits = sub.add_argument_group("limits (they protect the server and the class sharing it)")
    limits.add_argument("--max-recipients", type=_count, default=100, metavar="N",
                        help="452 4.5.3 after N recipients in one message (default 100)")
    limits.add_argument("--max-errors", type=_count, default=20, metavar="N",
                        help="421 4.7.0 and a disconnect after N syntax or sequence errors "
                        "(default 20)")
    limits.add_argument("--idle-timeout", type=_positive_seconds, default=300.0, metavar="SECONDS",
                        help="421 4.4.2 and a disconnect after SECONDS without a command "
                        "(default 300, RFC 5321 §4.5.3.2.7)")
    limits.add_argument("--max-per-client", type=_count, metavar="N",
                        help="421 4.7.0 to more than N connections at once from one address "
                        "(default 50; loopback is exempt unless this is given)")
    _common(sub)
    sub.set_defaults(run=run_serve)


def _rate(text: str) -> float:
    value = _number(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not a chance between 0 and 1 (e.g. 0.2)")
    return value


def _seconds(text: str) -> float:
    value = _number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text}: seconds cannot be negative")
    return value


def _positive_seconds(text: str) -> float:
    value = _seconds(text)
    if value == 0:
        raise argparse.ArgumentTypeError("the timeout must be more than 0 seconds")
    return value


def _pace(text: str) -> float:
    """Seconds between watch steps: more than 0 (a negative pace is a typo, not a speed)."""
    value = _number(text)
    if value <= 0:
        from smtp_tutor.knowledge import language_from_env, ui

        raise argparse.ArgumentTypeError(ui("pace_positive", language_from_env()))
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} cannot be negative")
    return value


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"{text} is not a finite number")
    return value


def run_serve(options: argparse.Namespace) -> int:
    from smtp_tutor.server.main import serve

    return serve(options, _lang(options))


def _mailbox(commands) -> None:
    sub = commands.add_parser("mailbox", help="show what the practice server stored for a user")
    sub.add_argument("user", help="practice user, e.g. bob")
    sub.add_argument("--mailbox-dir", help="where Maildirs are kept (default: data directory)")
    sub.add_argument("--show", type=int, metavar="N", help="print message N in full")
    _common(sub)
    sub.set_defaults(run=run_mailbox)


def run_mailbox(options: argparse.Namespace) -> int:
    from smtp_tutor.server.mailbox_view import show_mailbox

    return show_mailbox(options, _lang(options))


def _grade(commands) -> None:
    sub = commands.add_parser(
        "grade", help="autograde a student's SMTP client or server",
        description="Grade the SMTP socket-programming assignments. `grade client` runs a "
        "student's client against the practice server in several scenarios (a fresh server "
        "each) and grades what it did on the wire; `grade server` runs a conformance suite "
        "against a student's server. The client is NOT run in a security sandbox (README).")
    targets = sub.add_subparsers(dest="target", metavar="client|server", required=True)
    client = targets.add_parser(
        "client", help="grade a client program: smtp-tutor grade client -- COMMAND ...",
        description="Runs COMMAND once per scenario of the rubric. The server's address is in "
        "$SMTP_HOST and $SMTP_PORT, and {port} in COMMAND is replaced by the port. With "
        "--each, {} in COMMAND is replaced by each submission directory.")
    client.add_argument("--port", type=int, default=1025,
                        help="port of the practice server (default 1025; 0: a free one)")
    client.add_argument("--rubric", metavar="FILE",
                        help="rubric TOML (default: the textbook SMTP lab's)")
    client.add_argument("--each", metavar="GLOB",
                        help="grade every submission matching GLOB, e.g. 'submissions/*/'")
    client.add_argument("--jobs", "-j", type=_count, default=os.cpu_count() or 1, metavar="N",
                        help="submissions graded at once with --each (default: CPUs)")
    client.add_argument("--out", metavar="DIR", default="grades",
                        help="with --each: reports and gradebook.csv go here (default grades)")
    _grade_output(client)
    client.add_argument("program", nargs=argparse.REMAINDER, metavar="-- COMMAND ...")
    server = targets.add_parser(
        "server", help="conformance suite for an SMTP server: smtp-tutor grade server HOST PORT")
    server.add_argument("host", help="the server's address (loopback, e.g. 127.0.0.1)")
    server.add_argument("server_port", type=int, metavar="PORT")
    server.add_argument("--timeout", type=_positive_seconds, default=5.0,
                        help="seconds to wait for each reply (default 5)")
    server.add_argument("--rcpt", metavar="ADDRESS",
                        help="a recipient the server accepts (default: bob@ the greeting's domain)")
    _grade_output(server)
    sub.set_defaults(run=run_grade)


def _grade_output(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--format", choices=("text", "json", "gradescope", "junit"), default="text",
                     help="text (colour on a terminal), json, gradescope (results.json), junit")
    sub.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    _common(sub)


def run_grade(options: argparse.Namespace) -> int:
    from smtp_tutor.grade.main import grade

    return grade(options, _lang(options))


def stdin_is_tty() -> bool:
    return sys.stdin.isatty() and os.environ.get("SMTP_TUTOR_FORCE_SCRIPTED") != "1"
