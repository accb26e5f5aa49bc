"""Events as explained, language-specific records: what every renderer formats."""

from __future__ import annotations

from smtp_tutor import knowledge
from smtp_tutor.knowledge.catalogue import has, say
from smtp_tutor.protocol import ChunkDataSent, CommandSent, DataLineSent, Note, ReplyReceived
from smtp_tutor.protocol.commands import GREETING
from smtp_tutor.protocol.visible import visible, visible_wire
from smtp_tutor.record import field, record

__all__ = ["NoteView", "ReplyView", "label", "message_view", "note_view", "reply_view",
           "rfc_text", "safe_params", "sent_notes", "visible", "visible_wire"]


@record(frozen=True)
class NoteView:
    key: str
    level: str
    text: str
    hint: str
    rfc: str = ""
    expect: str = ""


@record(frozen=True)
class ExtensionView:
    keyword: str
    params: str
    meaning: str


@record(frozen=True)
class ReplyView:
    code: int
    klass: int
    class_word: str
    lines: tuple[str, ...]
    enhanced: str | None
    explanation: str
    enhanced_explanation: str
    wordings: tuple[str, ...]
    refs: tuple[str, ...]
    answering: str | None
    state: str
    notes: tuple[NoteView, ...]
    extensions: tuple[ExtensionView, ...] = field(default=())
    raw: bytes = b""


def rfc_text(rfc: str, lang: str) -> str:
    """A reference as the reader's language writes it: ``RFC 5321 §4.1.1.1, Phụ lục F.3``.

    The protocol core writes references in English (JSON keeps them so); only the words
    around the section numbers are translated, here at render time.
    """
    if not rfc or lang == "en":
        return rfc
    return rfc.replace("Appendix", say("ui", "rfc_appendix", lang))


def label(name: str, lang: str) -> str:
    """A renderer's label (note, warning, error, raw) in ``lang``."""
    return say("ui", f"label_{name}", lang)


def safe_params(params: dict[str, str]) -> dict[str, str]:
    """Note parameters often quote the peer (a reply, a certificate name, a file's line)."""
    return {name: visible(str(value)) for name, value in params.items()}


def note_wording(key: str, params: dict[str, str]) -> str:
    """The message that words a note: a capability diff with one half empty says only the
    other half (never "added ; removed STARTTLS"); the note's key stays the same for JSON."""
    if key == "capabilities-changed":
        if not params.get("removed"):
            return "capabilities-added"
        if not params.get("added"):
            return "capabilities-removed"
    return key


def note_view(note: Note, lang: str, *, shell: bool = False) -> NoteView:
    text, hint = knowledge.explain_note(note_wording(note.key, note.params),
                                        safe_params(note.params), lang, shell=shell)
    return NoteView(note.key, note.level, text, hint, note.rfc, note.expect)


def message_view(key: str, params: dict[str, str], lang: str, level: str = "warning", *,
                 shell: bool = False) -> NoteView:
    text, hint = knowledge.explain_note(key, safe_params(params), lang, shell=shell)
    return NoteView(key, level, text, hint)


def reply_view(event: ReplyReceived, lang: str, *, shell: bool = False) -> ReplyView:
    reply = event.reply
    verb = event.answering.verb if event.answering else None
    explained = knowledge.explain_reply(reply.code, reply.enhanced, reply.text, verb, lang)
    extensions: tuple[ExtensionView, ...] = ()
    if verb == "EHLO" and reply.klass == 2:
        extensions = tuple(_extension_views(reply.lines[1:], lang))
    word_key = f"class_word.{reply.klass}"
    class_word = say("ui", word_key, lang) if has("ui", word_key) else "?"
    return ReplyView(
        code=reply.code,
        klass=reply.klass,
        class_word=class_word,
        lines=tuple(visible(line) for line in reply.wire_lines()),
        enhanced=reply.enhanced,
        explanation=explained.short,
        enhanced_explanation=explained.enhanced,
        wordings=explained.wordings,
        refs=explained.refs,
        answering=_answer_name(verb),
        state=event.state.value,
        notes=tuple(note_view(n, lang, shell=shell) for n in event.notes),
        extensions=extensions,
        raw=reply.raw,
    )


def _answer_name(verb: str | None) -> str | None:
    if verb is None:
        return None
    return "greeting" if verb == GREETING else verb.strip("<>")


def _extension_views(lines: tuple[str, ...], lang: str) -> list[ExtensionView]:
    out = []
    for line in lines:
        words = line.split()
        if not words:
            continue
        keyword = words[0].upper()
        meaning = knowledge.describe_extension(keyword, lang)
        if meaning is None:
            meaning = say("ui", "unknown_extension", lang)
        out.append(ExtensionView(visible(keyword), visible(" ".join(words[1:])), meaning))
    return out


def sent_notes(event: CommandSent | DataLineSent | ChunkDataSent, lang: str, *,
               shell: bool = False) -> tuple[NoteView, ...]:
    return tuple(note_view(n, lang, shell=shell) for n in getattr(event, "notes", ()))
