"""The class's sentences (knowledge/data/classroom.toml), in the reader's language."""

from __future__ import annotations

from smtp_tutor.knowledge.store import load
from smtp_tutor.protocol.visible import visible


def say(key: str, lang: str, **params: object) -> str:
    """``key`` in ``lang``; text parameters pass through ``visible()`` (a roster, a
    client or a file may have chosen them)."""
    safe = {name: visible(value) if isinstance(value, str) else value
            for name, value in params.items()}
    return load("classroom")[lang][key].format(**safe)
