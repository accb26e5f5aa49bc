"""``smtp-tutor explain TOPIC``: plain text, no rich, so it starts fast."""

from __future__ import annotations

import sys

from smtp_tutor import knowledge
from smtp_tutor.knowledge import Explanation


def explain(topic: str, lang: str, *, list_all: bool = False) -> int:
    if list_all or not topic:
        _list(lang)
        return 0 if list_all else 2
    result = knowledge.explain_topic(topic, lang)
    if isinstance(result, Explanation):
        sys.stdout.write(format_explanation(result, lang))
        return 0
    message = knowledge.ui("no_topic", lang, topic=topic)
    if result:
        message += f" {knowledge.ui('did_you_mean', lang)}: {', '.join(result)}?"
    sys.stderr.write(f"smtp-tutor: {message}\n  {knowledge.ui('list_hint', lang)}\n")
    return 1


def format_explanation(item: Explanation, lang: str) -> str:
    """The text shown by ``explain`` and by ``:explain`` in the REPL."""
    head = item.short if item.short.startswith(item.title) else f"{item.title}: {item.short}"
    lines = [head]
    if item.syntax:
        lines.append(f"  {knowledge.ui('syntax', lang)}: {item.syntax}")
    if item.long:
        lines.append("")
        lines.extend(item.long.splitlines())
    if item.next:
        lines.append("")
        lines.append(f"{knowledge.ui('next', lang)}: {item.next}")
    if item.refs:
        lines.append(f"{knowledge.ui('reference', lang)}: {', '.join(item.refs)}")
    return "\n".join(lines) + "\n"


def _list(lang: str) -> None:
    titles = {"codes": "topics_codes", "enhanced": "topics_enhanced",
              "commands": "topics_commands", "extensions": "topics_extensions",
              "concepts": "topics_concepts"}
    for kind, names in knowledge.topics().items():
        sys.stdout.write(f"{knowledge.ui(titles[kind], lang)}:\n  {' '.join(names)}\n")
