"""``smtp-tutor export``: a lesson or a transcript as a slide (SVG), a page (HTML) or notes (md).

The dialogue is rendered by the same terminal renderer as everywhere (rich records it
and writes the HTML/SVG), then the sequence diagram is drawn under it.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import re
import sys

from smtp_tutor.demo.screen import diagram_lines
from smtp_tutor.knowledge.catalogue import say
from smtp_tutor.protocol.visible import visible


def export(options: argparse.Namespace, lang: str) -> int:
    try:
        title, events, client, server = _collect(options.source, lang)
    except _SourceError as error:
        sys.stderr.write(for_stream(f"smtp-tutor: {error}\n"))
        return 2
    title = visible(title)
    output = options.output or f"{_stem(options.source)}.{options.format}"
    if options.format == "md":
        content = _markdown(title, events, lang, options.width, client, server)
    else:
        content = _rich(title, events, lang, options.width, client, server, options.format)
    try:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(content)
    except OSError as error:
        sys.stderr.write(for_stream(f"smtp-tutor: {say('ui', 'export_cannot_write', lang, path=output, reason=str(error.strerror))}\n"))  # noqa: E501
        return 1
    print(output)
    return 0


class _SourceError(Exception):
    pass


def _stem(source: str) -> str:
    base = os.path.basename(source)
    return base.rsplit(".", 1)[0] if "." in base else base


def _collect(source: str, lang: str) -> tuple[str, list, str, str]:
    """Events of the lesson played offline, or of the transcript replayed."""
    from smtp_tutor.lessons.library import find
    from smtp_tutor.lessons.parser import LessonError, read_lesson

    path = find(source)
    if path is not None and (path.endswith(".lesson") or not os.path.isfile(source)):
        try:
            lesson = read_lesson(path)
        except LessonError as error:
            raise _SourceError(str(error.problems[0])) from error
        return (lesson.title_in(lang), asyncio.run(_play_offline(lesson)), "crepes.fr",
                lesson.persona)
    if not os.path.isfile(source):
        raise _SourceError(say("ui", "export_no_source", lang, source=source))
    from smtp_tutor.protocol.notation import read_transcript
    from smtp_tutor.protocol.replay import ReplayNote, TlsAssumed, replay

    with open(source, "rb") as handle:
        lines = read_transcript(handle.read().decode("utf-8", "replace"))
    if not lines:
        raise _SourceError(say("ui", "export_no_dialogue", lang, source=source))
    events = [e for e in replay(lines) if not isinstance(e, ReplayNote | TlsAssumed)]
    return (os.path.basename(source), events, say("ui", "export_client", lang),
            say("ui", "export_server", lang))


async def _play_offline(lesson) -> list:
    from smtp_tutor.lessons.backends import OfflineBackend
    from smtp_tutor.lessons.engine import LessonRun
    from smtp_tutor.lessons.model import CLIENT, SERVER
    from smtp_tutor.lessons.placeholders import bindings

    run = LessonRun(lesson, OfflineBackend(lesson), bindings(lesson.persona))
    events = list(await run.start())
    while (step := run.current) is not None:
        if step.kind == CLIENT:
            events += await run.send(run.line_for(step))
        elif step.kind == SERVER:
            events += (await run.reveal())[1]
        else:
            run.skip()
    return events


def _rich(title: str, events: list, lang: str, width: int, client: str, server: str,
          fmt: str) -> str:
    from rich.panel import Panel
    from rich.text import Text

    from smtp_tutor.render.terminal import TerminalRenderer

    renderer = TerminalRenderer(lang, io.StringIO(), color=True, width=width, record=True)
    console = renderer.console
    console.print(Text(title, style="heading"))
    console.print()
    renderer.show_all(events)
    console.print()
    diagram = "\n".join(diagram_lines(events, min(width - 4, 72), client, server, lang))
    console.print(Panel(diagram, title=say("ui", "export_diagram_title", lang), expand=False))
    if fmt == "svg":
        return console.export_svg(title=title)
    from html import escape

    from rich.console import CONSOLE_HTML_FORMAT

    page = CONSOLE_HTML_FORMAT.replace("<html>", f'<html lang="{lang}">').replace(
        "<head>\n", f"<head>\n<title>{escape(title).replace('{', '{{').replace('}', '}}')}</title>\n")
    return console.export_html(inline_styles=True, code_format=page)


def _markdown(title: str, events: list, lang: str, width: int, client: str, server: str) -> str:
    from smtp_tutor.render.plain import PlainRenderer

    buffer = io.StringIO()
    PlainRenderer(lang, buffer).show_all(events)
    diagram = "\n".join(line.rstrip() for line in diagram_lines(events, min(width, 72), client,
                                                                  server, lang))
    dialogue = buffer.getvalue().rstrip()
    return (f"# {_md_escape(title)}\n\n{_fenced(dialogue)}\n\n"
            f"## {say('ui', 'export_diagram_heading', lang)}\n\n{_fenced(diagram)}\n")


def _fenced(block: str) -> str:
    """A code block whose fence is longer than any run of backticks inside it."""
    longest = max((len(run) for run in re.findall(r"`+", block)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{block}\n{fence}"


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]<>#|!])", r"\\\1", text)


def for_stream(text: str) -> str:
    """An error line cut by word at the terminal's width (unchanged into a pipe)."""
    from smtp_tutor.render.wrap import for_stream as cut

    return cut(text)
