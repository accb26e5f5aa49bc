"""Colour for a terminal (rich): replies coloured by class, EHLO as a table.

The class is also written in text (``2xx``), so nothing depends on colour alone.
``NO_COLOR`` is honoured by rich itself.
"""

from __future__ import annotations

import re
from typing import IO

from rich.console import Console
from rich.markup import escape as _escape
from rich.table import Table
from rich.text import Text

from smtp_tutor.knowledge.catalogue import say
from smtp_tutor.protocol.visible import MARK
from smtp_tutor.render import wrap
from smtp_tutor.render.base import Renderer
from smtp_tutor.render.theme import theme
from smtp_tutor.render.views import NoteView, ReplyView, label, rfc_text, visible, visible_wire

ICON = {"info": "ℹ", "warning": "⚠", "error": "✖"}
_ONE_STYLE = re.compile(r"^\[([\w.]+)\](.*)\[/\]$", re.DOTALL)


_MARK_IN_MARKUP = re.compile(r"(\\*)(" + MARK.pattern + ")")


def _dim(match: re.Match[str]) -> str:
    # backslashes just before a tag would escape it: doubled, they stay literal
    return f"{match.group(1) * 2}[wire.control]{match.group(2)}[/]"


def escape(text: str) -> str:
    """Markup-safe text; control characters already shown as marks are dimmed."""
    return _MARK_IN_MARKUP.sub(_dim, _escape(visible(text)))


class TerminalRenderer(Renderer):
    def __init__(self, lang: str, stream: IO[str] | None = None, *,
                 color: bool | None = None, width: int | None = None,
                 theme_name: str = "dark", record: bool = False) -> None:
        super().__init__(lang, stream)
        self.console = Console(file=stream, theme=theme(theme_name), highlight=False, width=width,
                               record=record,
                               force_terminal=color if color else None,
                               no_color=color is False or None, soft_wrap=False,
                               emoji=False)  # ":AB:" in a fingerprint is not an emoji code
        self._fixed_width = width is not None

    @property
    def wrap_width(self) -> int | None:
        """The width to cut lines at: the terminal's, read each time (it may be resized);
        None when the output is not a terminal (a pipe, a file): then nothing is cut."""
        if not (self.console.is_terminal or self._fixed_width):
            return None
        return self.console.width

    def reply(self, view: ReplyView) -> None:
        style = f"reply.{view.klass}xx"
        if self.raw:
            self.console.print(f"   [wire]{label('raw', self.lang)} {escape(visible_wire(view.raw))}[/]")
        for line in view.lines:
            self.console.print(f"[{style}]S: {escape(line)}[/]")
        self._hanging(f"   [{style}]{view.klass}xx {escape(view.class_word)}[/] ",
                      f"[explain]{escape(view.explanation)}[/]")
        if view.enhanced_explanation:
            self._hanging("   ", f"[explain.enhanced]{escape(view.enhanced_explanation)}[/]")
        for wording in view.wordings:
            self._hanging("   [explain.enhanced]↳ [/]", f"[explain.enhanced]{escape(wording)}[/]")
        if view.extensions:
            table = Table(show_header=False, box=None, padding=(0, 1), pad_edge=False)
            table.add_column(style="ext.keyword", no_wrap=True)
            table.add_column(style="explain")
            for extension in view.extensions:
                name = f"{extension.keyword} {extension.params}".strip()
                table.add_row("    " + escape(name), escape(extension.meaning))
            self.console.print(table)
        for note in view.notes:
            self.note(note)

    def sent(self, display: str, wire: bytes, notes: tuple[NoteView, ...], state: str, *,
             stuffed: bool, is_data: bool, group: int = 0) -> None:
        style = "client.data" if is_data else "client"
        self.console.print(f"[{style}]C: {escape(display)}[/]")
        if self.raw or stuffed:
            marker = f"  [wire.stuffed]{escape(say('ui', 'dot_stuffed', self.lang))}[/]" if stuffed else ""
            self.console.print(f"   [wire]{label('raw', self.lang)} {escape(visible_wire(wire))}[/]{marker}")
        for note in notes:
            self.note(note)

    def note(self, view: NoteView) -> None:
        icon = ICON.get(view.level, "ℹ")
        reference = rfc_text(view.rfc, self.lang)
        rfc = f" ({reference})" if reference and reference not in view.text + view.hint else ""
        self._hanging(f"   [note.{view.level}]{icon} [/]",
                      f"[note.{view.level}]{escape(view.text)}{escape(rfc)}[/]")
        if view.hint:
            self._hanging("     ", f"[hint]{escape(view.hint)}[/]")

    def _hanging(self, lead: str, body: str) -> None:
        """``lead`` then ``body`` (markup, the body one ``[style]text[/]``); a wrapped line
        starts under the body, cut by word and in cells (render/wrap.py)."""
        plain_lead = Text.from_markup(lead).plain
        match = _ONE_STYLE.match(body)
        if match is None:  # not one styled span: print as it is
            self.console.print(lead + body, soft_wrap=True)
            return
        style, text = match.group(1), Text.from_markup(body).plain
        indent = wrap.cells(plain_lead)
        lines = wrap.wrap(text, self.wrap_width, first=indent, indent=indent)
        self.console.print(f"{lead}[{style}]{escape(lines[0])}[/]", soft_wrap=True)
        for line in lines[1:]:
            pad = len(line) - len(line.lstrip(" "))
            self.console.print(f"{' ' * pad}[{style}]{escape(line[pad:])}[/]", soft_wrap=True)

    def narration(self, text: str) -> None:
        """A lesson's words: wrapped lines stay under the text, not at column 0."""
        for line in text.split("\n"):
            self._hanging("[narration]» [/]", f"[narration]{escape(line)}[/]")

    def text(self, line: str, style: str = "", *, hang: int | None = None) -> None:
        """A line of the program's own text (help, lists, banners): cut by word with a
        hanging indent at the terminal's width, commands kept whole."""
        line = visible(line)
        if hang is not None and self.wrap_width is not None:
            lead, body = line[:hang], line[hang:]
            cut = wrap.wrap(body, self.wrap_width, first=wrap.cells(lead), indent=hang)
            parts = [lead + cut[0], *cut[1:]]
        else:
            parts = wrap.hanging(line, self.wrap_width)
        for part in parts:
            self.console.print(f"[{style}]{escape(part)}[/]" if style else escape(part),
                               soft_wrap=True)
