"""``smtp-tutor connect``: pick the target, then the REPL (a terminal) or the script runner.

The REPL runs on asyncio (it reads what the server says while it prompts).  Scripted
mode drives the same connection plan on a blocking socket and never imports asyncio,
which is a third of a piped session's run; without a host, the practice server then
runs in a thread of its own.
"""

from __future__ import annotations

import argparse
import sys

from smtp_tutor.faces.arguments import Subcommands, _t, add_lang, lang_of, number
from smtp_tutor.faces.target import TargetError, parse_target


def add_parser(commands: Subcommands) -> None:
    """connect's parser: the target, TLS, the output, the swaks-like shortcuts."""
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
    sub.add_argument("--timeout", type=number, default=30.0, help=_t("connect", "timeout"))
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
    add_lang(sub)
    sub.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    """An SMTP session, or with ``--pop3``/``--imap`` the POP3 or IMAP shell."""
    if getattr(options, "pop3", False):
        from smtp_tutor.pop3.shell import Pop3Shell

        return _access_shell(Pop3Shell, options, lang_of(options))
    if getattr(options, "imap", False):
        from smtp_tutor.imap.shell import ImapShell

        return _access_shell(ImapShell, options, lang_of(options))
    return connect(options, lang_of(options))


def _access_shell(shell_class, options: argparse.Namespace, lang: str) -> int:  # noqa: ANN001
    """The POP3 or IMAP shell: its port (``--tls``'s by default), a renderer for a terminal
    or a pipe, the session to its end; 2 for a port that is not a number."""
    import asyncio

    from smtp_tutor.knowledge.catalogue import say
    from smtp_tutor.render import shell_renderer
    from smtp_tutor.render.wrap import for_stream
    from smtp_tutor.terminal import stdin_is_tty

    host = options.host or "127.0.0.1"
    port_text = options.port or options.port_arg
    plain, implicit_tls = shell_class.ports
    try:
        port = int(port_text) if port_text else (implicit_tls if options.tls else plain)
    except ValueError:
        said = say("ui", "target_port_nan", lang, port=port_text)
        sys.stderr.write(for_stream(f"smtp-tutor: {said}\n"))
        return 2
    interactive = stdin_is_tty()
    shell = shell_class(shell_renderer(options.color, lang, interactive), lang, host, port, options)
    try:
        return asyncio.run(shell.run(interactive))
    except KeyboardInterrupt:
        return 130


def connect(options: argparse.Namespace, lang: str) -> int:
    from smtp_tutor.faces.shortcuts import wants_dialogue
    from smtp_tutor.terminal import stdin_is_tty

    # a dialogue built from --to/--protocol is a script, even typed in a terminal
    interactive = stdin_is_tty() and not options.json and not wants_dialogue(options)
    low, high = getattr(options, "tls_min", None), getattr(options, "tls_max", None)
    if low and high and low > high:
        from smtp_tutor.knowledge import explain_note

        text, hint = explain_note("tls-bad-version", {"low": low, "high": high}, lang)
        from smtp_tutor.render.wrap import for_stream

        sys.stderr.write(for_stream(f"smtp-tutor: {text} {hint}\n"))
        return 2
    if options.host is None:
        return _with_practice_server(options, lang, interactive)
    try:
        host, port = parse_target(options.host, options.port or options.port_arg, tls=options.tls)
    except TargetError as error:
        from smtp_tutor.render.wrap import for_stream

        sys.stderr.write(for_stream(f"smtp-tutor: {error}\n"))
        return 2
    if not interactive:
        return _scripted(options, lang, host, port)
    import asyncio

    from smtp_tutor.repl.app import run_repl

    return asyncio.run(run_repl(options, lang, host, port))


def _with_practice_server(options: argparse.Namespace, lang: str, interactive: bool) -> int:
    import asyncio

    from smtp_tutor.server.embedded import EmbeddedServer

    if not interactive:
        with EmbeddedServer(lang=lang).in_thread() as server:
            options.cafile = options.cafile or str(server.ca_path)
            return _scripted(options, lang, server.host, server.port)

    async def main() -> int:
        from smtp_tutor.repl.app import run_repl

        async with EmbeddedServer(lang=lang) as server:
            options.cafile = options.cafile or str(server.ca_path)
            options.practice_mailbox = True  # after QUIT, point to `smtp-tutor mailbox`
            return await run_repl(options, lang, server.host, server.port)

    return asyncio.run(main())


def _scripted(options: argparse.Namespace, lang: str, host: str, port: int) -> int:
    from smtp_tutor.net.errors import TransportError
    from smtp_tutor.net.opening import make_connection
    from smtp_tutor.render import make_renderer

    kind = "json" if options.json else ("terminal" if options.color == "always" else "plain")
    renderer = make_renderer(kind, lang, color=True if options.color == "always" else None)
    renderer.raw = options.raw
    try:
        connection = make_connection(options, host, port, blocking=True)
    except TransportError as error:
        renderer.message(error.key, error.params, "error")
        return 2
    import io

    from smtp_tutor.faces.scripted import run_script
    from smtp_tutor.faces.shortcuts import ShortcutError, build_dialogue, wants_dialogue
    from smtp_tutor.net.blocking import BlockingConnection

    assert isinstance(connection, BlockingConnection)  # blocking=True
    source = sys.stdin.buffer
    if wants_dialogue(options):
        try:
            source = io.BytesIO(build_dialogue(options))
        except ShortcutError as error:
            renderer.message(error.key, error.params, "error")
            return 2
        renderer.message("shortcut-dialogue", {}, "info")
    return run_script(connection, source, renderer,
                      pipeline=getattr(options, "pipeline", False),
                      quit_after=getattr(options, "quit_after", None))
