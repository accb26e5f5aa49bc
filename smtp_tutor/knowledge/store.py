"""Loading the bundled TOML data files, each once, only when first needed."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

FILES = ("replies", "enhanced", "commands", "extensions", "concepts", "messages", "ui")


@cache
def load(name: str) -> dict[str, Any]:
    """The parsed contents of ``data/<name>.toml``."""
    if name not in FILES:
        raise KeyError(name)
    with resources.files(__package__).joinpath("data", f"{name}.toml").open("rb") as handle:
        return tomllib.load(handle)


def refs(entry: dict[str, Any]) -> list[str]:
    """An entry's references as ``RFC 5321 §4.2.2`` strings."""
    out = []
    for document, section in entry.get("rfc", []):
        separator = " §" if document.startswith("RFC") else " "
        out.append(f"{document}{separator}{section}")
    return out
