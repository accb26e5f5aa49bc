"""What smtp-tutor knows about SMTP, as data in two languages, and the lookups over it.

Importing this package is cheap (no prompt_toolkit, rich or asyncio), so
``smtp-tutor explain`` starts fast.
"""

from smtp_tutor.knowledge.lookup import (
    LANGUAGES,
    Explanation,
    ReplyExplanation,
    describe_extension,
    explain_enhanced,
    explain_note,
    explain_reply,
    explain_topic,
    language_from_env,
    topics,
    ui,
)

__all__ = [
    "LANGUAGES",
    "Explanation",
    "ReplyExplanation",
    "describe_extension",
    "explain_enhanced",
    "explain_note",
    "explain_reply",
    "explain_topic",
    "language_from_env",
    "topics",
    "ui",
]
