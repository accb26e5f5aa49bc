#!/usr/bin/env python3
"""Rewrites a catalogue of knowledge/data from the language-first layout to the key-first one.

Language first (the old layout of ui, world, grade, classroom and imap's sentences)::

    [en]
    banner = "The practice world"
    [vi]
    banner = "Thế giới thực hành"

Key first (the one layout, ARCHITECTURE.md "The text catalogue")::

    banner.en = "The practice world"
    banner.vi = "Thế giới thực hành"

Kept as a tool for branches that still add sentences in the old layout: run it on the
merged file (``python3 scripts/catalogue_layout.py smtp_tutor/knowledge/data/world.toml``).
Comments above a key of the ``[en]`` tables stay above it; the rest of the file (tables
that are not ``en``/``vi``) is kept as written, after the sentences. The result is parsed
again and compared with the source, entry by entry, before it is written.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path

LANGS = ("en", "vi")
_HEADER = re.compile(r"^\[\s*([^\]]+?)\s*\]\s*(#.*)?$")
_KEY = re.compile(r'^([A-Za-z0-9_-]+|"[^"]*")\s*=')


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip().strip('"') for part in re.findall(r'"[^"]*"|[^.]+', dotted))


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name)


def _value(text: object) -> str:
    """A basic string, or an array of them (JSON writes both as TOML reads them)."""
    return json.dumps(text, ensure_ascii=False)


def _comments(source: str) -> tuple[dict[tuple[str, ...], list[str]], list[str], list[str]]:
    """Comments above each key of the en tables (by path); the file's leading comments;
    the source lines of tables that are neither en nor vi."""
    above: dict[tuple[str, ...], list[str]] = {}
    leading: list[str] = []
    others: list[str] = []
    section: tuple[str, ...] | None = None
    pending: list[str] = []
    for line in source.splitlines():
        header = _HEADER.match(line)
        if header:
            section = _parts(header.group(1))
            if section[0] == "en" and pending:
                above[section[1:]] = pending
                pending = []
            if section[0] not in LANGS:
                others.extend(pending)
                pending = []
                others.append(line)
            continue
        if section is None:
            leading.append(line)
            continue
        if section[0] not in LANGS:
            others.append(line)
            continue
        if line.lstrip().startswith("#"):
            pending.append(line.strip())
            continue
        key = _KEY.match(line)
        if key and section[0] == "en":
            above[(*section[1:], key.group(1).strip('"'))] = pending
        pending = []
    return above, leading, others


def _merge(en: dict, vi: dict, path: tuple[str, ...] = ()) -> dict:
    """One tree whose leaves are ``{"en": …, "vi": …}`` (a language may be missing)."""
    out: dict = {}
    for name in [*en, *(k for k in vi if k not in en)]:
        a, b = en.get(name), vi.get(name)
        if isinstance(a, dict) or isinstance(b, dict):
            out[name] = _merge(a or {}, b or {}, (*path, name))
        else:
            out[name] = {lang: value for lang, value in (("en", a), ("vi", b))
                         if value is not None}
    return out


def _leaf(node: object) -> bool:
    return isinstance(node, dict) and bool(node) and set(node) <= set(LANGS) and \
        all(isinstance(value, (str, list)) for value in node.values())


def _emit(node: dict, path: tuple[str, ...], above: dict, out: list[str],
          header: bool) -> None:
    """A table whose children are all sentences gets a ``[header]`` (unless it sits beside
    sentences: then dotted keys); sentences are ``key.en = …`` / ``key.vi = …`` lines."""
    has_leaves = any(_leaf(child) for child in node.values())
    if header and path:
        out.append("")
        out.extend(above.get(path, []))
        out.append("[" + ".".join(_key(p) for p in path) + "]")
    for name, child in node.items():
        if _leaf(child):
            out.extend(above.get((*path, name), []))
            for lang in LANGS:
                if lang in child:
                    out.append(f"{_key(name)}.{lang} = {_value(child[lang])}")
        elif has_leaves:  # a small table among sentences: dotted keys, no header
            out.extend(above.get((*path, name), []))
            for inner, text in _flatten(child):
                out.append(".".join(_key(p) for p in (name, *inner)) + f" = {_value(text)}")
    for name, child in node.items():
        if not _leaf(child) and not has_leaves:
            all_leaves = all(_leaf(grand) for grand in child.values())
            _emit(child, (*path, name), above, out, all_leaves)


def _flatten(node: dict, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    out = []
    for name, child in node.items():
        if _leaf(child):
            out += [((*path, name, lang), child[lang]) for lang in LANGS if lang in child]
        else:
            out += _flatten(child, (*path, name))
    return out


def convert(source: str) -> str | None:
    """The file in the key-first layout, or None when it has no ``[en]``/``[vi]`` tables."""
    data = tomllib.loads(source)
    if not any(lang in data for lang in LANGS):
        return None
    above, leading, others = _comments(source)
    tree = _merge(data.get("en", {}), data.get("vi", {}))
    lines = list(leading)
    while lines and not lines[-1].strip():
        lines.pop()
    body: list[str] = []
    _emit(tree, (), above, body, header=False)
    while body and not body[0].strip():
        body.pop(0)
    lines += [""] + body
    if others:
        lines += [""] + others
    result = "\n".join(lines).rstrip("\n") + "\n"
    converted = tomllib.loads(result)
    rest = {name: value for name, value in data.items() if name not in LANGS}
    if {name: value for name, value in converted.items() if name not in tree} != rest or \
            {name: converted[name] for name in tree} != tree:
        raise SystemExit("the converted file does not hold the same entries")
    return result


def main(paths: list[str]) -> int:
    for name in paths:
        path = Path(name)
        result = convert(path.read_text(encoding="utf-8"))
        if result is None:
            print(f"{path}: already key first")
            continue
        path.write_text(result, encoding="utf-8")
        print(f"{path}: converted")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
