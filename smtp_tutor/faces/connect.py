"""``smtp-tutor connect``: pick the target, then the REPL (a terminal) or the script runner."""

from __future__ import annotations

import argparse
import asyncio
import sys

from smtp_tutor.faces.target import TargetError, parse_target


def connect(options: argparse.Namespace, lang: str) -> int:
    from smtp_tutor.faces.arguments import stdin_is_tty

    interactive = stdin_is_tty() and not options.json
    if options.host is None:
        return _with_practice_server(options, lang, interactive)
    try:
        host, port = parse_target(options.host, options.port or options.port_arg, tls=options.tls)
    except TargetError as error:
        sys.stderr.write(f"smtp-tutor: {error}\n")
        return 2
    return asyncio.run(_run(options, lang, host, port, interactive))


def _with_practice_server(options: argparse.Namespace, lang: str, interactive: bool) -> int:
    from smtp_tutor.server.embedded import EmbeddedServer

    async def main() -> int:
        async with EmbeddedServer(lang=lang) as server:
            options.cafile = options.cafile or str(server.ca_path)
            return await _run(options, lang, server.host, server.port, interactive)

    return asyncio.run(main())


def make_connection(options: argparse.Namespace, host: str, port: int):
    from smtp_tutor.net.connection import SmtpConnection
    from smtp_tutor.net.tls import client_context

    context = client_context(cafile=options.cafile, insecure=options.insecure)
    return SmtpConnection(host, port, timeout=options.timeout, implicit_tls=options.tls,
                          ssl_context=context)


async def _run(options: argparse.Namespace, lang: str, host: str, port: int,
               interactive: bool) -> int:
    from smtp_tutor.net.errors import TransportError
    from smtp_tutor.render import make_renderer

    if interactive:
        from smtp_tutor.repl.app import run_repl

        return await run_repl(options, lang, host, port)
    kind = "json" if options.json else ("terminal" if options.color == "always" else "plain")
    renderer = make_renderer(kind, lang, color=True if options.color == "always" else None)
    renderer.raw = options.raw
    try:
        connection = make_connection(options, host, port)
    except TransportError as error:
        renderer.message(error.key, error.params, "error")
        return 2
    from smtp_tutor.faces.scripted import run_script

    return await run_script(connection, sys.stdin.buffer, renderer)
