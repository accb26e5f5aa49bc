"""The reader's language, from the environment (imports nothing: every run asks)."""

from __future__ import annotations

import os

LANGUAGES = ("en", "vi")


def language_from_env(environ: dict[str, str] | None = None) -> str:
    """``vi`` when the locale says Vietnamese (LC_ALL, LC_MESSAGES, LANG), else ``en``."""
    env = os.environ if environ is None else environ
    for name in ("SMTP_TUTOR_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "vi" if value.lower().startswith("vi") else "en"
    return "en"
