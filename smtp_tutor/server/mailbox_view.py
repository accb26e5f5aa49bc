"""``smtp-tutor mailbox USER``: what the practice server stored, trace lines included."""

from __future__ import annotations

import argparse
import contextlib
import email
import email.message
import email.policy
import sys
from pathlib import Path


def show_mailbox(options: argparse.Namespace, lang: str) -> int:
    from smtp_tutor.knowledge.catalogue import say
    from smtp_tutor.paths import data_dir
    from smtp_tutor.protocol.visible import visible, visible_lines
    from smtp_tutor.server.maildir import list_messages

    root = Path(options.mailbox_dir) if options.mailbox_dir else data_dir(create=False) / "mail"
    user = options.user.partition("@")[0].lower()
    messages = list_messages(root, user)
    if not messages:
        sys.stdout.write(say("ui", "mailbox_empty", lang, user=visible(user), path=visible(str(root / user)))
                         + "\n")
        users = _practice_users(root)
        example = user if user in users else "bob" if "bob" in users else sorted(users)[0]
        if user not in users:  # RCPT TO:<zorro@...> would get 550: name someone who exists
            sys.stdout.write("  " + say("ui", "mailbox_no_user", lang, user=visible(user),
                                       users=", ".join(sorted(users))) + "\n")
        sys.stdout.write("  " + say("ui", "mailbox_send_one", lang, user=example) + "\n")
        return 0
    if options.show is not None:
        if not 1 <= options.show <= len(messages):
            key = "mailbox_choose_one" if len(messages) == 1 else "mailbox_choose"
            sys.stderr.write(f"smtp-tutor: {say('ui', key, lang, user=user, count=str(len(messages)))}\n")
            return 2
        text = messages[options.show - 1].read_bytes().decode("utf-8", "replace")
        lines = visible_lines(text.rstrip("\r\n"))
        sys.stdout.write("\n".join(lines) + "\n")
        return 0
    sys.stdout.write(say("ui", "mailbox_count", lang, count=str(len(messages)), user=user,
                        path=str(root / user)) + "\n")
    for number, path in enumerate(messages, 1):
        headers = _headers(path.read_bytes())
        sender = _header(headers, "Return-Path", "")
        subject = _header(headers, "Subject", say("ui", "mailbox_no_subject", lang))
        sys.stdout.write(f"{number:>3}. {say('ui', 'mailbox_from', lang)} {sender}  {subject}\n")
    sys.stdout.write(f"  {say('ui', 'mailbox_show_hint', lang, user=user)}\n")
    return 0


def _practice_users(root: Path) -> set[str]:
    """The default practice users, and any user a --users file gave a Maildir to."""
    from smtp_tutor.server.users import DEFAULT_USERS

    users = set(DEFAULT_USERS)
    with contextlib.suppress(OSError):
        users |= {entry.name for entry in root.iterdir() if (entry / "new").is_dir()}
    return users


def _headers(message: bytes) -> email.message.Message:
    """The header section, as a reader sees it: 8-bit UTF-8 headers (SMTPUTF8 mail) read as
    text, and RFC 2047 encoded words (``=?UTF-8?Q?Ch=C3=A0o?=``) decoded."""
    from email.parser import Parser

    text = message.decode("utf-8", "replace")
    return Parser(policy=email.policy.default).parsestr(text, headersonly=True)


def _header(headers: email.message.Message, name: str, missing: str) -> str:
    """One header field made visible; a field the parser cannot read is shown as stored."""
    from smtp_tutor.protocol.visible import visible

    try:
        value = headers.get(name, missing)
        text = str(value)
    except Exception:  # noqa: BLE001 - a malformed field: its raw text, never a traceback
        text = next((v for k, v in headers.raw_items() if k.lower() == name.lower()), missing)
    return visible(" ".join(text.split()))
