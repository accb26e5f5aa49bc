"""``smtp-tutor connect``: pick the target, then the REPL (a terminal) or the script runner."""

from __future__ import annotations

import argparse
import os
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
    import asyncio

    return asyncio.run(_run(options, lang, host, port, interactive))


def _with_practice_server(options: argparse.Namespace, lang: str, interactive: bool) -> int:
    import asyncio

    from smtp_tutor.server.embedded import EmbeddedServer

    async def main() -> int:
        async with EmbeddedServer(lang=lang) as server:
            options.cafile = options.cafile or str(server.ca_path)
            return await _run(options, lang, server.host, server.port, interactive)

    return asyncio.run(main())


def make_connection(options: argparse.Namespace, host: str, port: int):
    """The connection; its TLS context (costly: it loads the CA store) is made when first used."""
    from smtp_tutor.net.connection import SmtpConnection
    from smtp_tutor.net.errors import TransportError

    if options.cafile and not os.access(options.cafile, os.R_OK):
        raise TransportError("cafile-unreadable", path=options.cafile, detail="cannot read it")
    return SmtpConnection(host, port, timeout=options.timeout, implicit_tls=options.tls,
                          cafile=options.cafile, insecure=options.insecure)


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

    return await run_script(connection, sys.stdin.buffer, renderer,
                            pipeline=getattr(options, "pipeline", False))
