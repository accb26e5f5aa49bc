"""Every text of a knowledge data file (a TOML table), with where it stands."""

from __future__ import annotations

from collections.abc import Iterator


def strings(value: object, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, text) for each string under ``value``: ``.key`` for a table's entry and
    ``[i]`` for a list's item, from ``path`` on."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from strings(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from strings(inner, f"{path}[{index}]")
