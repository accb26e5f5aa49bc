"""What smtp-tutor knows about SMTP, as data in two languages, and the lookups over it.

Importing this package is cheap: the names below are looked up in ``lookup`` only when
first used (PEP 562), so ``knowledge.store`` (the data files) and ``knowledge.language``
come without the lookups' regular expressions and records, and nothing here pulls in
prompt_toolkit, rich or asyncio.
"""

from __future__ import annotations

from smtp_tutor.knowledge.language import LANGUAGES, language_from_env

_LOOKUPS = ("Explanation", "ReplyExplanation", "describe_extension", "explain_enhanced",
            "explain_note", "explain_reply", "explain_topic", "topics")

__all__ = ["LANGUAGES", "language_from_env", *_LOOKUPS]


def __getattr__(name: str):  # noqa: ANN202 - whatever lookup defines
    if name in _LOOKUPS:
        from smtp_tutor.knowledge import lookup

        value = getattr(lookup, name)
        globals()[name] = value  # once found, a plain module attribute
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LOOKUPS})
