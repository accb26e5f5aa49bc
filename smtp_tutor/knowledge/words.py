"""The practice world's sentences (knowledge/data/world.toml), in the reader's language."""

from __future__ import annotations

from smtp_tutor.knowledge.plural import agree
from smtp_tutor.knowledge.store import load
from smtp_tutor.protocol.visible import visible


def say(key: str, lang: str, **params: object) -> str:
    """``key`` in ``lang``; text parameters pass through ``visible()`` (they may come
    from a peer, a file or a mailbox)."""
    safe = {name: visible(value) if isinstance(value, str) else value
            for name, value in params.items()}
    return agree(load("world")[lang][key], safe).format(**safe)
