"""``smtp-tutor world``: several servers, DNS and a relay queue on loopback (world/ runs it)."""

from __future__ import annotations

import argparse

from smtp_tutor.faces.arguments import (
    Subcommands,
    _t,
    add_lang,
    lang_of,
    port_range_start,
    positive_seconds,
    seconds,
)


def add_parser(commands: Subcommands) -> None:
    """world's parser: the folder, the ports, the clock's speed-up and the retry limits."""
    sub = commands.add_parser("world", help=_t("world", "help"),
                              description=_t("world", "description"))
    sub.add_argument("--dir", help=_t("world", "dir"))
    sub.add_argument("--free-ports", action="store_true", help=_t("world", "free_ports"))
    sub.add_argument("--ports", type=port_range_start, metavar="START",
                     help=_t("world", "ports"))
    sub.add_argument("--speedup", type=positive_seconds, default=600.0, metavar="FACTOR",
                     help=_t("world", "speedup"))
    sub.add_argument("--give-up", type=positive_seconds, default=120.0, metavar="HOURS",
                     help=_t("world", "give_up"))
    sub.add_argument("--greylist", type=seconds, default=0.0, metavar="SECONDS",
                     help=_t("world", "greylist"))
    sub.add_argument("--pickup-delay", type=seconds, default=0.5, help=argparse.SUPPRESS)
    add_lang(sub)
    sub.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    """Start the world and its console until Ctrl-C."""
    from smtp_tutor.world.main import run_world as world

    return world(options, lang_of(options))
