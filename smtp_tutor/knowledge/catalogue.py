"""The one way to a sentence of the catalogues (``knowledge/data/*.toml``), in a language.

Every catalogue has one layout, key first: a sentence is a table of its languages,
``banner.en = "…"`` beside ``banner.vi = "…"``, addressed by its dotted path
(``say("grade", "check.delivered.name", lang)``). One rule for every text a user reads:

- the reader's language, else English (a safety net: a test proves no sentence lacks
  its Vietnamese, ``tests/knowledge/test_catalogue.py``);
- every parameter that is not a number passes through ``visible()`` first: it may come
  from a peer, a file, a roster or a mailbox, and a catalogue sentence goes straight to
  the screen;
- ``{count|message|messages}`` takes the form the number needs (``plural.agree``);
- a missing sentence or a placeholder without its parameter raises ``CatalogueError``,
  naming the catalogue, the key and the language.

Structured data (reply codes, commands, concepts: ``[MAIL] en = { short = …, long = … }``)
keep their schema; code that takes a sentence out of them by language uses ``pick()``,
the same language rule.

Start-up: this module imports only the store and ``plural`` (no ``typing``); ``visible``
is imported when a parameter is more than printable ASCII (importing it imports the
whole protocol package, which every subcommand's ``--help`` would pay for). Files are
parsed once and kept in the store's marshal cache.
"""

from __future__ import annotations

from smtp_tutor.knowledge.plural import agree
from smtp_tutor.knowledge.store import load

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, TypeVar

    V = TypeVar("V")

FALLBACK = "en"


class CatalogueError(KeyError):
    """A sentence that is not in its catalogue, or that its parameters cannot fill."""

    def __str__(self) -> str:  # KeyError would show the message quoted, as a key
        return str(self.args[0])


def say(catalogue: str, key: str, lang: str, /, **params: object) -> str:
    """The sentence ``key`` of ``catalogue`` in ``lang`` (else English), filled with
    ``params``; text parameters pass through ``visible()``."""
    template = pick(sentence(catalogue, key), lang)
    if not isinstance(template, str):
        raise CatalogueError(f"{catalogue}.toml: {key} is not a sentence (pick() reads it)")
    return fill(template, params, where=f"{catalogue}.toml {key} [{lang}]")


def sentence(catalogue: str, key: str) -> dict[str, Any]:
    """The table of languages at the dotted ``key`` of ``catalogue`` (found once, then
    kept: the shell asks for its prompt's words at every key press)."""
    try:
        return _FOUND[catalogue, key]
    except KeyError:
        pass
    node: Any = load(catalogue)
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise CatalogueError(f"{catalogue}.toml has no sentence {key!r}")
        node = node[part]
    if not isinstance(node, dict) or FALLBACK not in node:
        raise CatalogueError(f"{catalogue}.toml: {key!r} has no {FALLBACK!r} text")
    _FOUND[catalogue, key] = node
    return node


_FOUND: dict[tuple[str, str], dict[str, Any]] = {}


def has(catalogue: str, key: str) -> bool:
    """Whether ``key`` names a sentence of ``catalogue`` (for keys built from data)."""
    try:
        sentence(catalogue, key)
    except CatalogueError:
        return False
    return True


def pick(entry: Mapping[str, V], lang: str) -> V:
    """``entry``'s text in ``lang``, else in English: the language rule of every catalogue,
    for structured entries too (``pick(load("commands")["MAIL"], lang)["short"]``)."""
    return entry[lang] if lang in entry else entry[FALLBACK]


def fill(template: str, params: Mapping[str, object], *, where: str = "",
         missing: str | None = None) -> str:
    """``template`` with its number forms chosen and its placeholders filled; every
    parameter that is not a number made visible. ``missing`` stands in for a parameter
    not given (the core's notes carry what the moment knows); without it, a missing one
    is an error."""
    if not params and "{" not in template and "}" not in template:
        return template
    safe = {name: _shown(value) for name, value in params.items()}
    text = agree(template, params) if "|" in template else template
    if "{" not in text and "}" not in text:
        return text
    try:
        if missing is None:
            return text.format(**safe)
        return text.format_map(_Defaulting(safe, missing))
    except KeyError as error:
        raise CatalogueError(f"{where or repr(template)}: no parameter {error.args[0]!r} "
                             f"(given: {', '.join(sorted(params)) or 'none'})") from None
    except (IndexError, ValueError, AttributeError) as error:
        raise CatalogueError(f"{where or repr(template)}: bad placeholder ({error})") from None


def _shown(value: object) -> object:
    """A number as it is (its format spec applies), anything else as visible text."""
    if isinstance(value, (int, float)):
        return value
    text = value if isinstance(value, str) else str(value)
    if text.isascii() and text.isprintable():  # visible()'s own fast path, without importing it
        return text
    from smtp_tutor.protocol.visible import visible

    return visible(text)


class _Defaulting(dict):
    def __init__(self, values: dict[str, object], missing: str) -> None:
        super().__init__(values)
        self.missing = missing

    def __missing__(self, key: str) -> str:
        return self.missing
