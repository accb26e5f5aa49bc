"""Plain text for pipes and logs: the textbook ``S:``/``C:`` lines with explanations."""

from __future__ import annotations

from smtp_tutor.knowledge.catalogue import say
from smtp_tutor.render.base import Renderer
from smtp_tutor.render.views import NoteView, ReplyView, label, rfc_text, visible, visible_wire

MARK = {"info": "note", "warning": "warning", "error": "error"}  # ui's label_* keys


class PlainRenderer(Renderer):
    """No colour: the class of each reply is spelt out in text."""

    def _out(self, line: str) -> None:
        self.stream.write(visible(line) + "\n")
        self.stream.flush()

    def reply(self, view: ReplyView) -> None:
        if self.raw:
            self._out(f"   {label('raw', self.lang)} {visible_wire(view.raw)}")
        for line in view.lines:
            self._out(f"S: {line}")
        self._out(f"   = {view.klass}xx {view.class_word}: {view.explanation}")
        if view.enhanced_explanation:
            self._out(f"   = {view.enhanced_explanation}")
        for wording in view.wordings:
            self._out(f"   = {wording}")
        for extension in view.extensions:
            name = f"{extension.keyword} {extension.params}".strip()
            self._out(f"     {name:<24} {extension.meaning}")
        for note in view.notes:
            self.note(note)

    def sent(self, display: str, wire: bytes, notes: tuple[NoteView, ...], state: str, *,
             stuffed: bool, is_data: bool, group: int = 0) -> None:
        self._out(f"C: {display}")
        if self.raw or stuffed:
            marker = f"  {say('ui', 'dot_stuffed', self.lang)}" if stuffed else ""
            self._out(f"   {label('raw', self.lang)} {visible_wire(wire)}{marker}")
        for note in notes:
            self.note(note)

    def note(self, view: NoteView) -> None:
        reference = rfc_text(view.rfc, self.lang)
        rfc = f" ({reference})" if reference and reference not in view.text + view.hint else ""
        self._out(f"   {label(MARK.get(view.level, 'note'), self.lang)}: {view.text}{rfc}")
        if view.hint:
            self._out(f"         {view.hint}")
