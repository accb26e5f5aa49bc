"""``smtp-tutor mailbox USER``: what the practice server delivered to a user's Maildir."""

from __future__ import annotations

import argparse

from smtp_tutor.faces.arguments import Subcommands, _t, add_lang, lang_of, whole


def add_parser(commands: Subcommands) -> None:
    """mailbox's parser: the user, the Maildir folder, the message to show."""
    sub = commands.add_parser("mailbox", help=_t("mailbox", "help"))
    sub.add_argument("user", help=_t("mailbox", "user"))
    sub.add_argument("--mailbox-dir", help=_t("mailbox", "mailbox_dir"))
    sub.add_argument("--show", type=whole, metavar="N", help=_t("mailbox", "show"))
    add_lang(sub)
    sub.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    """List (or show one of) the user's messages."""
    from smtp_tutor.server.mailbox_view import show_mailbox

    return show_mailbox(options, lang_of(options))
