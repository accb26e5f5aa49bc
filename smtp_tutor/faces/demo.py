"""``smtp-tutor demo LESSON``: a lesson performed live on a projector, at the instructor's pace."""

from __future__ import annotations

import argparse
import sys

from smtp_tutor.faces.arguments import Subcommands, _t, add_lang, lang_of, number


def add_parser(commands: Subcommands) -> None:
    """demo's parser: the lesson, the server or --offline, the theme and the notes."""
    sub = commands.add_parser("demo", help=_t("demo", "help"), description=_t("demo", "description"))
    sub.add_argument("lesson", metavar="LESSON|FILE")
    sub.add_argument("--server", metavar="HOST[:PORT]", help=_t("demo", "server"))
    sub.add_argument("--offline", action="store_true", help=_t("demo", "offline"))
    sub.add_argument("--theme", choices=("projector", "dark", "light"), default="projector",
                     help=_t("demo", "theme"))
    sub.add_argument("--notes", metavar="FILE_OR_TTY", help=_t("demo", "notes"))
    sub.add_argument("--cafile", help=_t("demo", "cafile"))
    sub.add_argument("--insecure", action="store_true", help=_t("demo", "insecure"))
    sub.add_argument("--timeout", type=number, default=30.0, help=_t("demo", "timeout"))
    add_lang(sub)
    sub.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    """The demo on this terminal until the instructor quits."""
    return demo(options, lang_of(options))


def demo(options: argparse.Namespace, lang: str) -> int:
    import asyncio

    from smtp_tutor.faces.lesson_open import open_lesson

    lesson = open_lesson(options.lesson, lang)
    if lesson is None:
        return 2
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        from smtp_tutor.knowledge.catalogue import say

        sys.stderr.write(for_stream(f"smtp-tutor: {say('ui', 'demo_needs_terminal', lang)}\n"))
        return 2
    notes = _open_notes(options.notes, lang)
    try:
        return asyncio.run(_demo(lesson, options, lang, notes))
    except asyncio.CancelledError:  # SIGHUP or SIGTERM: cleaned up (terminal.on_hangup), stopped
        return 130
    finally:
        if notes is not None:
            notes.close()


def _open_notes(target: str | None, lang: str = "en"):
    """Presenter notes go to a second terminal (/dev/pts/N) or a file, never to the projector."""
    if not target:
        return None
    try:
        return open(target, "a", encoding="utf-8", buffering=1)  # noqa: SIM115 (kept open)
    except OSError as error:
        from smtp_tutor.knowledge.catalogue import say

        said = say("ui", "demo_notes_cannot_open", lang, path=target,
                   reason=str(error.strerror))
        sys.stderr.write(for_stream(f"smtp-tutor: {said}\n"))
        return None


async def _demo(lesson, options: argparse.Namespace, lang: str, notes) -> int:
    from smtp_tutor.demo.model import DemoModel
    from smtp_tutor.demo.view import DemoView
    from smtp_tutor.lessons.backends import LiveBackend, OfflineBackend
    from smtp_tutor.lessons.placeholders import bindings
    from smtp_tutor.net.connection import SmtpConnection

    async def play(host: str, port: int, cafile: str | None, name: str) -> int:
        async def make_backend():
            if options.offline:
                return OfflineBackend(lesson)
            return LiveBackend(SmtpConnection(host, port, timeout=options.timeout, cafile=cafile,
                                              insecure=options.insecure))

        model = DemoModel(lesson, make_backend, bindings(lesson.persona), lang)
        model.on_notes = _notes_writer(notes, lang)
        if scratch is not None:
            async def make_replay_backend():
                host, port, ca = await scratch.address()
                return LiveBackend(SmtpConnection(host, port, timeout=options.timeout, cafile=ca))

            model.make_replay_backend = make_replay_backend
        view = DemoView(model, options.theme, name, offline=options.offline)
        await model.restart()
        try:
            return await view.run()
        finally:
            await model.close()
            if scratch is not None:
                await scratch.close()

    scratch = None
    if options.offline:
        return await play("", 0, None, lesson.persona)
    if lesson.world:
        return await _world_demo(lesson, options, lang, notes)
    if options.server:
        from smtp_tutor.faces.target import TargetError, parse_target

        try:
            host, port = parse_target(options.server, None, tls=False)
        except TargetError as error:
            sys.stderr.write(for_stream(f"smtp-tutor: {error}\n"))
            return 2
        return await play(host, port, options.cafile, f"{host}:{port}")
    from smtp_tutor.server.embedded import EmbeddedServer

    greylist = float(lesson.server.get("greylist") or 0)
    from smtp_tutor.demo.scratch import ScratchServer

    scratch = ScratchServer(greylist)  # ← replays there once the message was delivered
    scratch.remove_on_hangup()
    async with EmbeddedServer(lang=lang, greylist_seconds=greylist) as server:
        return await play(server.host, server.port, str(server.ca_path), lesson.persona)


async def _world_demo(lesson, options: argparse.Namespace, lang: str, notes) -> int:
    """A world lesson: every (re)start plays against a fresh world of its own, so going
    back never gives Bob a second copy."""
    from smtp_tutor.demo.model import DemoModel
    from smtp_tutor.demo.view import DemoView
    from smtp_tutor.knowledge.catalogue import say
    from smtp_tutor.lessons.placeholders import bindings
    from smtp_tutor.lessons.world_backend import WorldBackend

    async def make_backend():
        return WorldBackend(lesson, lang, timeout=options.timeout)

    model = DemoModel(lesson, make_backend, bindings(lesson.persona), lang)
    model.on_notes = _notes_writer(notes, lang)
    view = DemoView(model, options.theme, say("ui", "demo_world", lang))
    await model.restart()
    try:
        return await view.run()
    finally:
        await model.close()


def _notes_writer(stream, lang: str):
    if stream is None:
        return None
    seen: set[int] = set()

    def write(step) -> None:
        if step.line_no in seen:
            return
        seen.add(step.line_no)
        text = step.notes.get(lang) or step.notes.get("en")
        narration = step.narration.get(lang) or step.narration.get("en")
        from smtp_tutor.knowledge.catalogue import say

        header = say("ui", "demo_notes_line", lang, line=str(step.line_no), kind=step.kind,
                    text=step.text.splitlines()[0] if step.text else "")
        stream.write(header.rstrip() + "\n")
        for label, body in ((say("ui", "demo_notes_say", lang), narration),
                            (say("ui", "demo_notes_note", lang), text)):
            if body:
                stream.write(f"  {label}: {body}\n")

    return write


def for_stream(text: str) -> str:
    """An error line cut by word at the terminal's width (unchanged into a pipe)."""
    from smtp_tutor.render.wrap import for_stream as cut

    return cut(text)
