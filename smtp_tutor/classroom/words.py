"""Until the faces move to ``knowledge.catalogue.say`` (after the faces split): a shim."""

from __future__ import annotations

from smtp_tutor.knowledge.catalogue import say as _say


def say(key: str, lang: str, **params: object) -> str:
    """``say("classroom", key, lang, **params)``."""
    return _say("classroom", key, lang, **params)
