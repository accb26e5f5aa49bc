"""``smtp-tutor world`` (the whole journey, live) and ``smtp-tutor queue`` (crepes.fr's queue)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from smtp_tutor.knowledge.catalogue import say


def run_world(options: argparse.Namespace, lang: str) -> int:
    import asyncio
    import shutil
    from typing import IO, cast

    from smtp_tutor.render.terminal import TerminalRenderer
    from smtp_tutor.server.outlet import ConsoleStream
    from smtp_tutor.server.policy import TeachingFaults
    from smtp_tutor.world.retry import RetrySchedule
    from smtp_tutor.world.runner import WorldConfig, start_world, world_dir
    from smtp_tutor.world.view import WorldView

    schedule = RetrySchedule(speedup=options.speedup, give_up_minutes=options.give_up * 60)
    stream = ConsoleStream()
    # on a terminal, lines fit its width; into a file or a pipe, nothing is cut
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    # (what rich uses of a file, ConsoleStream has: write, flush, isatty, fileno)
    renderer = TerminalRenderer(lang, cast(IO[str], stream), width=width)
    view = WorldView(renderer)
    free = 0 if options.free_ports else None
    config = WorldConfig(directory=Path(options.dir) if options.dir else world_dir(),
                         schedule=schedule, watcher=view,
                         submission_watchers=[view.submission_console()],
                         mx_faults=TeachingFaults(greylist_seconds=options.greylist),
                         pickup_delay=options.pickup_delay)
    if free is not None:
        config.dns_port = config.submission_port = config.mx_port = 0
        config.fallback_port = config.pop3_port = config.pop3_crepes_port = 0
        config.imap_port = 0
    elif getattr(options, "ports", None):  # six in a row from START (D25)
        start = options.ports
        config.dns_port, config.submission_port, config.mx_port = start, start + 1, start + 2
        config.fallback_port, config.pop3_port = start + 3, start + 4
        config.pop3_crepes_port, config.imap_port = start + 5, start + 6

    async def main() -> None:
        import contextlib
        import signal

        from smtp_tutor.server.main import _raise_file_limit
        from smtp_tutor.server.outlet import ErrorReporter, install_error_reporter

        _raise_file_limit()  # room for the connection caps, as `serve` does
        loop = asyncio.get_running_loop()
        install_error_reporter(loop, ErrorReporter())  # one line per kind, no tracebacks
        task = asyncio.current_task()
        assert task is not None  # main() runs as a task
        with contextlib.suppress(NotImplementedError):  # SIGTERM stops as Ctrl-C does
            loop.add_signal_handler(signal.SIGTERM, task.cancel)
        try:
            world = await start_world(config)
        except OSError as error:
            from smtp_tutor.render.wrap import for_stream

            sys.stderr.write(for_stream(say("world", "cannot_start", lang,
                                            reason=error.strerror or str(error)) + "\n"))
            raise SystemExit(1) from error
        for line in banner(world, lang):
            renderer.text(line)
        try:
            await asyncio.Event().wait()
        finally:
            renderer.text(say("world", "stopped", lang))
            await world.stop()
            stream.close()

    try:
        asyncio.run(main())
    except (KeyboardInterrupt, asyncio.CancelledError):  # Ctrl-C or SIGTERM
        return 0
    return 0


def banner(world, lang: str) -> list[str]:  # noqa: ANN001
    schedule = world.config.schedule

    def column(port: int) -> str:  # a 4-digit port beside 5-digit ones: "(plays" lines up
        return f"{port:<5}"

    lines = [say("world", "banner", lang), say("world", "banner_webmail", lang), "",
             say("world", "banner_dns", lang, port=world.dns.port),
             say("world", "banner_submission", lang, port=column(world.submission.port)),
             say("world", "banner_mx", lang, port=column(world.mx.port)),
             say("world", "banner_bistro", lang, port=column(world.fallback.port))]
    if world.pop3 is not None:
        lines.append(say("world", "banner_pop3", lang, port=column(world.pop3.port)))
    if world.pop3_crepes is not None:
        lines.append(say("world", "banner_pop3_crepes", lang,
                         port=column(world.pop3_crepes.port)))
    if world.imap is not None:
        lines.append(say("imap", "banner_imap", lang, port=column(world.imap.port)))
    lines += ["", say("world", "banner_try", lang, submission=world.submission.port, ca=str(world.ca_path))]
    if world.pop3 is not None:
        lines.append(say("world", "banner_try_pop3", lang, pop3=world.pop3.port, ca=str(world.ca_path)))
    if world.imap is not None:
        lines.append(say("imap", "banner_try_imap", lang, imap=world.imap.port, ca=str(world.ca_path)))
    from smtp_tutor.world.retry import describe_minutes

    lines += [say("world", "banner_retry", lang, give_up=describe_minutes(schedule.give_up_minutes, lang),
                  speedup=schedule.speedup, seconds=round(schedule.seconds(30), 2)),
              say("world", "banner_dirs", lang, queue=str(world.manager.queue.directory),
                  mail=str(world.mail_dir))]
    waiting = len(world.manager.entries)
    if waiting:
        lines.append(say("world", "banner_recovered", lang, count=waiting))
    return lines


def run_queue(options: argparse.Namespace, lang: str) -> int:
    """List crepes.fr's queue from the files on disk (the world may run or not)."""
    from smtp_tutor.world.queue import MailQueue
    from smtp_tutor.world.runner import world_dir

    directory = (Path(options.dir) if options.dir else world_dir()) / "queue"
    print(say("world", "queue_dir", lang, dir=str(directory)))
    entries = MailQueue(directory).entries() if directory.is_dir() else []
    if not entries:
        print(say("world", "queue_empty", lang))
        return 0
    print(say("world", "queue_header", lang))
    now = time.time()
    for entry in entries:
        when = say("world", "queue_now", lang) if entry.next_try <= now else \
            time.strftime("%H:%M:%S", time.localtime(entry.next_try))
        print(say("world", "queue_line", lang, id=entry.id, tries=entry.tries, next=when,
                  sender=entry.sender, recipients=", ".join(entry.recipients)))
        if entry.last_reply:
            print(say("world", "queue_reply", lang, reply=entry.last_reply))
    return 0
