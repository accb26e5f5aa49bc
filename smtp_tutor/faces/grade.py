"""``smtp-tutor grade client|server|isolation``: the autograder's face (grade/ runs it)."""

from __future__ import annotations

import argparse
import os

from smtp_tutor.faces.arguments import Subcommands, _t, add_lang, count, lang_of, positive_seconds


def add_parser(commands: Subcommands) -> None:
    """grade's parser and its three targets; ``-- COMMAND`` is cut off before parsing (cli)."""
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
    client.add_argument("--jobs", "-j", type=count, default=os.cpu_count() or 1, metavar="N",
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
    server.add_argument("--reply-timeout", "--timeout", dest="timeout", type=positive_seconds,
                        default=30.0, metavar="SECONDS", help=_t("grade", "timeout"))
    server.add_argument("--run-timeout", type=positive_seconds, default=300.0,
                        metavar="SECONDS", help=_t("grade", "run_timeout"))
    server.add_argument("--rcpt", metavar="ADDRESS", help=_t("grade", "rcpt"))
    _grade_output(server)
    isolation = targets.add_parser("isolation", help=_t("grade", "isolation_help"))
    add_lang(isolation)
    sub.set_defaults(run=run)


def _grade_output(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--format", choices=("text", "json", "gradescope", "junit"), default="text",
                     help=_t("grade", "format"))
    sub.add_argument("--output", "-o", metavar="FILE", help=_t("grade", "output"))
    add_lang(sub)


def run(options: argparse.Namespace) -> int:
    """Grade, in the reader's language (grade/main.py)."""
    from smtp_tutor.grade.main import grade

    return grade(options, lang_of(options))
