"""``smtp-tutor queue``: what a running or stopped world still holds in its relay queue."""

from __future__ import annotations

import argparse

from smtp_tutor.faces.arguments import Subcommands, _t, add_lang, lang_of


def add_parser(commands: Subcommands) -> None:
    """queue's parser: the world's folder."""
    sub = commands.add_parser("queue", help=_t("queue", "help"))
    sub.add_argument("--dir", help=_t("queue", "dir"))
    add_lang(sub)
    sub.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    """Print the queue."""
    from smtp_tutor.world.main import run_queue as queue

    return queue(options, lang_of(options))
