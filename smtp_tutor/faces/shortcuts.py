"""Scripted conveniences that swaks users expect, in the shell's own words.

``--quit-after STATE`` stops a dialogue (typed or built) once it has gone that far and
says QUIT.  ``--from``/``--to``/``--data``/``--header``/``--protocol`` build the dialogue a
script would have typed (EHLO, MAIL, RCPT…, DATA, the message, QUIT): a shortcut, not a
hiding place: each line still leaves on its own and each reply is explained.
"""

from __future__ import annotations

import argparse
import os

from smtp_tutor.protocol.auth import plain_response
from smtp_tutor.protocol.commands import AUTH_RESPONSE, END_OF_DATA, GREETING

QUIT_AFTER = ("connect", "greeting", "helo", "tls", "auth", "mail", "rcpt", "data")
PROTOCOLS = ("SMTP", "ESMTP", "ESMTPS", "ESMTPSA")
PASSWORD_VARIABLE = "SMTP_TUTOR_PASSWORD"  # never on the command line: `ps` shows it

_PHASE_OF_VERB = {"HELO": "helo", "EHLO": "helo", "STARTTLS": "tls", "AUTH": "auth",
                  "MAIL": "mail", "RCPT": "rcpt", "DATA": "data", "BDAT": "data"}


class ShortcutError(ValueError):
    """The options do not make a dialogue; ``key``/``params`` name why (messages.toml)."""

    def __init__(self, key: str, **params: str) -> None:
        super().__init__(key)
        self.key, self.params = key, params


class QuitAfter:
    """Watches the dialogue; ``due(line)`` is True when ``line`` would go past the phase."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.done: set[str] = set()

    @property
    def reached(self) -> bool:
        return self.target in self.done

    def seen(self, event: object) -> None:
        from smtp_tutor.net.tls import TlsStarted
        from smtp_tutor.protocol import ReplyReceived

        if isinstance(event, TlsStarted):
            self.done.add("tls")
        elif isinstance(event, ReplyReceived) and event.answering is not None:
            verb = event.answering.verb
            if verb == GREETING:
                self.done.add("greeting")
            elif verb in ("AUTH", AUTH_RESPONSE) and event.reply.code != 334:
                self.done.add("auth")
            elif _ends_message(verb, event):
                self.done.add("data")
            elif verb in _PHASE_OF_VERB and verb not in ("STARTTLS", "DATA", "BDAT"):
                self.done.add(_PHASE_OF_VERB[verb])

    def due(self, line: str) -> bool:
        words = line.split(None, 1)
        phase = _PHASE_OF_VERB.get(words[0].upper() if words else "")
        return self.reached and phase != self.target


def _ends_message(verb: str, event) -> bool:  # noqa: ANN001 - a ReplyReceived
    """The reply that closes the data phase: to the end of data, BDAT … LAST, or a DATA
    refused outright."""
    last_chunk = verb == "BDAT" and "LAST" in event.answering.args.upper()
    return verb == END_OF_DATA or last_chunk or (verb == "DATA" and event.reply.code != 354)


def wants_dialogue(options: argparse.Namespace) -> bool:
    return bool(getattr(options, "to", None) or getattr(options, "protocol", None))


def build_dialogue(options: argparse.Namespace, domain: str = "crepes.fr") -> bytes:
    """The lines a script would have typed, ending with QUIT."""
    protocol = (options.protocol or "ESMTP").upper()
    sender = options.sender or f"alice@{domain}"
    recipients = options.to or []
    if not recipients:
        raise ShortcutError("shortcut-needs-to")
    hello = options.helo or domain
    lines = [f"{'HELO' if protocol == 'SMTP' else 'EHLO'} {hello}"]
    if protocol in ("ESMTPS", "ESMTPSA"):
        lines += ["STARTTLS", f"EHLO {hello}"]
    if protocol == "ESMTPSA":
        user, password = options.auth_user, os.environ.get(PASSWORD_VARIABLE)
        if not user or password is None:
            raise ShortcutError("shortcut-esmtpsa-needs", variable=PASSWORD_VARIABLE)
        lines.append(f"AUTH PLAIN {plain_response(user, password)}")
    lines.append(f"MAIL FROM:<{sender}>")
    lines += [f"RCPT TO:<{address}>" for address in recipients]
    lines.append("DATA")
    body = message_lines(options, sender, recipients)
    if "." in body:
        raise ShortcutError("shortcut-lone-dot", path=str(options.data))
    lines += body + [".", "QUIT"]
    return "".join(line + "\n" for line in lines).encode("utf-8")


def message_lines(options: argparse.Namespace, sender: str, recipients: list[str]) -> list[str]:
    """The message: ``--data FILE`` as it is, or a small one built here; ``--header``
    fields replace those of the same name, or are added on top."""
    extra = []
    for text in options.header or []:
        name, colon, value = text.partition(":")
        if not colon or not name.strip() or " " in name.strip():
            raise ShortcutError("shortcut-bad-header", header=text)
        extra.append((name.strip(), _encoded(value.strip())))
    if options.data:
        try:
            with open(options.data, encoding="utf-8", errors="surrogateescape") as source:
                raw = source.read()
        except OSError as error:
            raise ShortcutError("shortcut-data-unreadable", path=str(options.data),
                                detail=error.strerror or str(error)) from error
        lines = raw.replace("\r\n", "\n").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
    else:
        import email.utils  # only here: it costs a piped session 8 ms at start

        host = sender.rpartition("@")[2] or "crepes.fr"
        lines = [f"From: <{sender}>", "To: " + ", ".join(f"<{r}>" for r in recipients),
                 "Subject: test from smtp-tutor", f"Date: {email.utils.formatdate(localtime=True)}",
                 f"Message-ID: {email.utils.make_msgid(domain=host)}", "",
                 "A test message built by smtp-tutor (--to without --data)."]
    if not extra:
        return lines
    end = lines.index("") if "" in lines else len(lines)
    names = {name.lower() for name, _ in extra}
    kept, dropping = [], False
    for line in lines[:end]:
        if line[:1] not in (" ", "\t"):  # a new field; else a folded continuation
            dropping = line.partition(":")[0].strip().lower() in names
        if not dropping:
            kept.append(line)
    return [f"{name}: {value}" for name, value in extra] + kept + lines[end:]


def _encoded(value: str) -> str:
    """A non-ASCII header value as RFC 2047 encoded-words (a header field is 7-bit unless
    both sides use SMTPUTF8), as mail programs send it; ASCII stays as typed."""
    if value.isascii():
        return value
    from email.header import Header

    return " ".join(Header(value, "utf-8").encode(maxlinelen=998).split())
