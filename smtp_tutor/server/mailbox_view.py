"""``smtp-tutor mailbox USER``: what the practice server stored, trace lines included."""

from __future__ import annotations

import argparse
import email
import email.policy
import sys
from pathlib import Path


def show_mailbox(options: argparse.Namespace, lang: str) -> int:
    from smtp_tutor.paths import data_dir
    from smtp_tutor.protocol.visible import visible, visible_lines
    from smtp_tutor.server.maildir import list_messages

    root = Path(options.mailbox_dir) if options.mailbox_dir else data_dir(create=False) / "mail"
    user = options.user.partition("@")[0].lower()
    messages = list_messages(root, user)
    if not messages:
        sys.stdout.write(f"No messages for {user} in {root / user}.\n"
                         "  Send one: smtp-tutor, then MAIL FROM / RCPT TO:<"
                         f"{user}@hamburger.edu> / DATA.\n")
        return 0
    if options.show is not None:
        if not 1 <= options.show <= len(messages):
            sys.stderr.write(f"smtp-tutor: {user} has {len(messages)} messages; "
                             f"choose 1-{len(messages)}.\n")
            return 2
        text = messages[options.show - 1].read_bytes().decode("utf-8", "replace")
        lines = visible_lines(text.rstrip("\r\n"))
        sys.stdout.write("\n".join(lines) + "\n")
        return 0
    sys.stdout.write(f"{len(messages)} message(s) for {user} in {root / user}:\n")
    for number, path in enumerate(messages, 1):
        parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32)
        sender = visible(str(parsed.get("Return-Path", "")))
        subject = visible(str(parsed.get("Subject", "(no Subject: header)")))
        sys.stdout.write(f"{number:>3}. from {sender}  {subject}\n")
    sys.stdout.write(f"  `smtp-tutor mailbox {user} --show N` prints one in full.\n")
    return 0
