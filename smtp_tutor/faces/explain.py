"""``smtp-tutor explain TOPIC``: a reply code, an enhanced code, a command or a concept, offline.

The fastest path of the program (students type it between two commands): nothing heavy
is imported here, and ``run`` imports only the explanation's renderer.
"""

from __future__ import annotations

import argparse

from smtp_tutor.faces.arguments import Subcommands, _t, add_lang, lang_of


def add_parser(commands: Subcommands) -> None:
    """explain's parser: topics, ``--list``."""
    sub = commands.add_parser("explain", help=_t("explain", "help"))
    sub.add_argument("topic", nargs="*", help=_t("explain", "topic"))
    sub.add_argument("--list", action="store_true", help=_t("explain", "list"))
    add_lang(sub)
    sub.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    """Print the explanation of each topic (render/explanation.py)."""
    from smtp_tutor.render.explanation import explain

    return explain(options.topic, lang_of(options), list_all=options.list)
