"""``smtp-tutor serve``: the practice server in the foreground."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import signal
import sys
from pathlib import Path


def serve(options: argparse.Namespace, lang: str) -> int:
    from smtp_tutor.knowledge.catalogue import say
    from smtp_tutor.paths import data_dir
    from smtp_tutor.server.app import ServerConfig, start_server
    from smtp_tutor.server.certs import ensure_certificates
    from smtp_tutor.server.users import UsersFileError, load_users

    if options.print_ca:
        ca_path, _, _ = ensure_certificates(data_dir() / "tls", options.domain)
        print(ca_path)
        return 0
    try:
        users = load_users(options.users)
    except UsersFileError as error:
        _err(f"smtp-tutor: {say('ui', error.key, lang, **error.params)}\n")
        return 2
    if not _is_loopback(options.host):
        _err(f"smtp-tutor: {say('ui', 'serve_not_loopback', lang, host=options.host)}\n")
    try:
        watchers = _watchers(options, lang)
    except OSError as error:
        _err(f"smtp-tutor: {say('ui', 'serve_lint_cannot_write', lang, path=options.lint_report, reason=str(error.strerror))}\n")  # noqa: E501
        return 2
    config = ServerConfig(host=options.host, port=options.port, domain=options.domain,
                          mailbox_dir=Path(options.mailbox_dir) if options.mailbox_dir else None,
                          users=users, allow_insecure_auth=options.allow_insecure_auth,
                          limits=_limits(options), faults=_faults(options), watchers=watchers)

    async def main() -> None:
        from smtp_tutor.server.outlet import ErrorReporter, install_error_reporter

        _raise_file_limit()
        loop = asyncio.get_running_loop()
        install_error_reporter(loop, ErrorReporter())
        task = asyncio.current_task()
        assert task is not None  # main() runs as a task
        with contextlib.suppress(NotImplementedError):  # SIGTERM stops as Ctrl-C does
            loop.add_signal_handler(signal.SIGTERM, task.cancel)
        try:
            running = await start_server(config)
        except OSError as error:
            _err(f"smtp-tutor: {say('ui', 'serve_cannot_listen', lang, host=options.host, port=str(options.port), reason=str(error.strerror))}\n")  # noqa: E501
            raise SystemExit(1) from error
        print(say("ui", "serve_banner", lang, domain=options.domain, host=running.host,
                 port=str(running.port), ca=str(running.ca_path)), flush=True)
        print(say("ui", "serve_users", lang, users=", ".join(sorted(users))), flush=True)
        for line in _active_faults(config, lang):
            print(line, flush=True)
        try:
            await running.server.serve_forever()
        finally:
            for watcher in watchers:
                watcher.close()
            running.handler.store.close()  # its spare files in tmp/ go too

    try:
        asyncio.run(main())
    except (KeyboardInterrupt, asyncio.CancelledError):  # Ctrl-C or SIGTERM
        return 0
    return 0


def _limits(options: argparse.Namespace):  # noqa: ANN202 - policy is imported late
    from smtp_tutor.server.policy import Limits

    return Limits(max_message_size=options.max_size, max_recipients=max(1, options.max_recipients),
                  max_errors=max(1, options.max_errors), idle_timeout=options.idle_timeout,
                  max_per_client=options.max_per_client if options.max_per_client is not None
                  else Limits.max_per_client,
                  per_client_on_loopback=options.max_per_client is not None,
                  max_connections=options.max_connections)


def _faults(options: argparse.Namespace):  # noqa: ANN202
    from smtp_tutor.server.policy import TeachingFaults

    return TeachingFaults(fail_rate=options.fail_rate, drop_rate=options.drop_rate,
                          slow_seconds=options.slow, greylist_seconds=options.greylist,
                          seed=options.seed)


def _watchers(options: argparse.Namespace, lang: str) -> list:
    watchers: list = []
    if not options.quiet:
        import shutil
        from typing import IO, cast

        from smtp_tutor.render.terminal import TerminalRenderer
        from smtp_tutor.server.console import LiveConsole
        from smtp_tutor.server.outlet import ConsoleStream

        stream = ConsoleStream()  # a stopped terminal never holds up the server
        # (what rich uses of a file, ConsoleStream has: write, flush, isatty, fileno)
        renderer = TerminalRenderer(lang, cast(IO[str], stream),
                                    width=shutil.get_terminal_size().columns)
        watchers.append(LiveConsole(renderer, stream))
    if options.lint_report:
        from smtp_tutor.server.lint_report import LintReport

        report = open(options.lint_report, "a", encoding="utf-8")  # noqa: SIM115 - closed on stop
        watchers.append(LintReport(report, lang))
    return watchers


def _raise_file_limit() -> None:
    """Room for the connection limit: the soft descriptor limit up to the hard one."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < hard:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ImportError, ValueError, OSError):
        pass


def _active_faults(config, lang: str = "en") -> list[str]:  # noqa: ANN001
    from smtp_tutor.knowledge.catalogue import say
    from smtp_tutor.server.policy import Limits

    faults, limits = config.faults, config.limits
    shown = [("--greylist", faults.greylist_seconds), ("--fail-rate", faults.fail_rate),
             ("--drop-rate", faults.drop_rate), ("--slow", faults.slow_seconds),
             ("--max-connections", limits.max_connections
              if limits.max_connections != Limits.max_connections else 0)]
    active = [f"{flag} {value:g}" for flag, value in shown if value]
    return [say("ui", "serve_faults_on", lang, faults=", ".join(active))] if active else []


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _err(text: str) -> None:
    """An error line on stderr, cut by word when stderr is a terminal (D21)."""
    from smtp_tutor.render.wrap import for_stream

    sys.stderr.write(for_stream(text))
