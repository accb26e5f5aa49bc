"""One JSON object per line per event, for graders and scripts (schema in README)."""

from __future__ import annotations

import json

from smtp_tutor.net.tls import TlsStarted
from smtp_tutor.protocol import ChunkDataSent
from smtp_tutor.protocol.visible import UNSAFE
from smtp_tutor.record import asdict
from smtp_tutor.render.base import Renderer
from smtp_tutor.render.views import NoteView, ReplyView, sent_notes, visible


def _dumps(record: dict) -> str:
    """UTF-8 JSON in which no control or bidi character is written raw (``\\u202e``)."""
    text = json.dumps(record, ensure_ascii=False)
    return UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class JsonRenderer(Renderer):
    """Stable field names; secrets arrive here already masked."""

    def __init__(self, lang: str, stream=None) -> None:
        super().__init__(lang, stream)
        self.tls_on = False

    def _emit(self, record: dict) -> None:
        record.setdefault("tls", self.tls_on)
        self.stream.write(_dumps(record) + "\n")
        self.stream.flush()

    def reply(self, view: ReplyView) -> None:
        self._emit({
            "event": "reply",
            "code": view.code,
            "class": view.klass,
            "enhanced": view.enhanced,
            "lines": [line[4:] for line in view.lines],
            "answering": view.answering,
            "explanation": view.explanation,
            "enhanced_explanation": view.enhanced_explanation or None,
            "server_wording": list(view.wordings),
            "extensions": {e.keyword: e.params for e in view.extensions} if view.extensions
            else None,
            "state": view.state,
            "notes": [_note(n) for n in view.notes],
        })

    def sent(self, display: str, wire: bytes, notes: tuple[NoteView, ...], state: str, *,
             stuffed: bool, is_data: bool, group: int = 0) -> None:
        record: dict[str, object] = {"event": "data" if is_data and display != "." else "sent",
                                     "line": display, "state": state,
                                     "notes": [_note(n) for n in notes]}
        if is_data:
            record["stuffed"] = stuffed
        if group:
            record["group"] = group
        self._emit(record)

    def chunk(self, event: ChunkDataSent) -> None:
        self._emit({"event": "chunk", "line": visible(event.text), "octets": event.octets,
                    "sent": event.sent, "size": event.size, "last": event.last,
                    "state": event.state.value,
                    "notes": [_note(n) for n in sent_notes(event, self.lang)]})

    def group_note(self, group: int, commands: int) -> None:
        self._emit({"event": "pipeline-group", "group": group, "commands": commands})

    def note(self, view: NoteView) -> None:
        self._emit({"event": "message", **_note(view)})

    def tls(self, info: TlsStarted) -> None:
        self.tls_on = True
        from smtp_tutor.net.certinfo import fields

        shown = {k: visible(v) if isinstance(v, str) else v
                 for k, v in asdict(info).items() if k != "chain"}
        shown["certificates"] = [{k: visible(v) for k, v in fields(der).items()}
                                 for der in info.chain]
        self._emit({"event": "tls", **shown})
        self.tls_warnings(info)

    def text(self, line: str, style: str = "", *, hang: int | None = None) -> None:
        """Free text is not part of the JSON stream."""

    def bulk(self, lines: int, octets: int) -> None:
        self._emit({"event": "data-bulk", "lines": lines, "octets": octets})

    def narration(self, text: str) -> None:
        self._emit({"event": "narration", "text": visible(text)})

    def check(self, line_no: int, expected: str, got: int | str | None, ok: bool,
              text: str) -> None:
        self._emit({"event": "check", "lesson_line": line_no, "expected": expected, "got": got,
                    "ok": ok, "text": text})

    def connected(self, host: str, port: int, tls: bool) -> None:
        self.tls_on = tls
        self._emit({"event": "connected", "host": host, "port": port})


def _note(view: NoteView) -> dict:
    return {"key": view.key, "level": view.level, "text": view.text, "hint": view.hint,
            "rfc": view.rfc or None, "expect": view.expect or None}
