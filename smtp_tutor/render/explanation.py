"""``smtp-tutor explain TOPIC...``: plain text, no rich, so it starts fast."""

from __future__ import annotations

import sys

from smtp_tutor import knowledge
from smtp_tutor.knowledge import Explanation
from smtp_tutor.knowledge.catalogue import say
from smtp_tutor.knowledge.lookup import unknown_message


def explain(topics: list[str] | str, lang: str, *, list_all: bool = False) -> int:
    """Explain each topic (a blank line between them); 1 when any of them is unknown."""
    if isinstance(topics, str):
        topics = topics.split() if topics.strip() else []
    width = _terminal_width()
    if list_all or not topics:
        _list(lang, width)
        return 0 if list_all else 2
    found, unknown = _resolve(topics, lang)
    texts = [wrap(format_explanation(item, lang), width) for item in found]
    sys.stdout.write("\n".join(texts))
    for topic, close in unknown:
        sys.stderr.write(wrap(f"smtp-tutor: {refusal(topic, close, lang)}\n", width))
    if unknown:
        sys.stderr.write(f"  {say('ui', 'list_hint', lang)}\n")
    return 1 if unknown else 0


def _resolve(topics: list[str], lang: str) -> tuple[list[Explanation], list[tuple[str, list[str]]]]:
    """One topic of several words (``MAIL FROM:``) when that is known, else each word alone."""
    whole = knowledge.explain_topic(" ".join(topics), lang) if len(topics) > 1 else None
    if isinstance(whole, Explanation):
        return [whole], []
    found: list[Explanation] = []
    unknown: list[tuple[str, list[str]]] = []
    for topic in topics:
        result = knowledge.explain_topic(topic, lang)
        if isinstance(result, Explanation):
            found.append(result)
        else:
            unknown.append((topic, result))
    if whole and not found:  # "dot stuffing": one topic misspelt, not two unknown ones
        return [], [(" ".join(topics), whole)]
    return found, unknown


def refusal(topic: str, close: list[str], lang: str) -> str:
    """Why nothing is shown for ``topic``, with the closest real topics."""
    message = unknown_message(topic, lang)
    if close:
        message += f" {say('ui', 'did_you_mean', lang)}: {', '.join(close)}?"
    return message


def format_explanation(item: Explanation, lang: str) -> str:
    """The text shown by ``explain`` and by ``:explain`` in the REPL."""
    head = item.short if item.short.startswith(item.title) else f"{item.title}: {item.short}"
    lines = [head]
    if item.syntax:
        lines.append(f"  {say('ui', 'syntax', lang)}: {item.syntax}")
    if item.long:
        lines.append("")
        lines.extend(item.long.splitlines())
    if item.next:
        lines.append("")
        lines.append(f"{say('ui', 'next', lang)}: {item.next}")
    if item.refs:
        lines.append(f"{say('ui', 'reference', lang)}: {', '.join(item.refs)}")
    return "\n".join(lines) + "\n"


def wrap(text: str, width: int | None) -> str:
    """Word-wrap each line to ``width`` with a hanging indent; None leaves text as it is."""
    if not width:
        return text
    import textwrap

    out: list[str] = []
    for line in text.splitlines():
        indent = " " * (len(line) - len(line.lstrip(" ")))
        out.extend(textwrap.wrap(line, width, initial_indent="", subsequent_indent=indent + "  ",
                                 break_long_words=False, break_on_hyphens=False) or [""])
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


def _terminal_width() -> int | None:
    """The terminal's columns when stdout is one; piped output stays one line a paragraph."""
    if not sys.stdout.isatty():
        return None
    import shutil

    return max(20, shutil.get_terminal_size().columns - 1)


def _list(lang: str, width: int | None) -> None:
    titles = {"codes": "topics_codes", "enhanced": "topics_enhanced",
              "commands": "topics_commands", "extensions": "topics_extensions",
              "concepts": "topics_concepts", "pop3": "topics_pop3",
              "imap": "topics_imap"}
    for kind, names in knowledge.topics().items():
        body = wrap(f"  {' '.join(names)}\n", width)
        sys.stdout.write(f"{say('ui', titles[kind], lang)}:\n{body}")
