"""The one text-catalogue function (knowledge/catalogue.py) and the catalogues it reads.

Every catalogue is checked whole: no entry lacks its Vietnamese (so English is a safety
net, never a habit), both languages take the same placeholders, every sentence formats
in both languages, and every call of ``say()`` in the package names a sentence that
exists and gives it exactly the parameters it takes.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from smtp_tutor.knowledge import catalogue
from smtp_tutor.knowledge.catalogue import CatalogueError, fill, has, pick, say, sentence
from smtp_tutor.knowledge.store import FILES, load
from tests.knowledge.walk import strings

PACKAGE = Path(__file__).resolve().parents[2] / "smtp_tutor"
LANGS = ("en", "vi")
# server.toml holds the practice server's replies: they travel in English, as on every
# real server (the tutor explains them in the reader's language on the client side)
CATALOGUES = [name for name in FILES if name != "server"]
_PLURAL = re.compile(r"\{(\w+)\|[^|{}]*\|[^|{}]*\}")


def placeholders(text: str) -> set[str]:
    """The parameter names a text takes: ``{name}``, ``{name:g}``, ``{count|one|many}``."""
    names = set(_PLURAL.findall(text))
    for _, field, _, _ in string.Formatter().parse(_PLURAL.sub("", text)):
        if field is not None:
            names.add(re.split(r"[.\[!:]", field)[0])
    return names


def language_tables(node: object, path: str = ""):
    """Every table that holds an ``en`` or ``vi`` entry, with its dotted path."""
    if isinstance(node, dict):
        if "en" in node or "vi" in node:
            yield path, node
        for key, value in node.items():
            if key not in LANGS:
                yield from language_tables(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from language_tables(value, f"{path}[{index}]")


def sentences(name: str) -> list[str]:
    """The dotted keys of every plain sentence of a catalogue (what ``say()`` reads); the
    structured entries (in lists, or under keys such as ``1.1``) are read by ``pick()``."""
    return [key for key in _sentence_keys(load(name))]


def _sentence_keys(node: dict, path: tuple[str, ...] = ()):
    if isinstance(node.get("en"), str):
        yield ".".join(path)
    for key, value in node.items():
        if key not in LANGS and "." not in key and isinstance(value, dict):
            yield from _sentence_keys(value, (*path, key))


@pytest.mark.parametrize("name", CATALOGUES)
def test_no_entry_lacks_its_vietnamese(name):
    missing = [path for path, table in language_tables(load(name))
               if set(table) & set(LANGS) != set(LANGS)]
    assert not missing, f"{name}.toml: only one language at {missing}"
    for path, table in language_tables(load(name)):
        shape = dict(strings(table["en"]))
        assert shape.keys() == dict(strings(table["vi"])).keys(), f"{name}.toml {path}"


@pytest.mark.parametrize("name", CATALOGUES)
def test_both_languages_take_the_same_placeholders(name):
    for path, table in language_tables(load(name)):
        vi = dict(strings(table["vi"]))
        for where, text in strings(table["en"]):
            assert placeholders(text) == placeholders(vi[where]), \
                f"{name}.toml {path}{where}: en {placeholders(text)}, vi {placeholders(vi[where])}"


@pytest.mark.parametrize("name", [name for name in CATALOGUES if sentences(name)])
@pytest.mark.parametrize("lang", LANGS)
def test_every_sentence_formats(name, lang):
    for key in sentences(name):
        template = pick(sentence(name, key), lang)
        for number in (1, 2):  # both forms of {count|one|many}
            params = dict.fromkeys(placeholders(template), number)
            assert isinstance(say(name, key, lang, **params), str)


def test_the_layout_is_key_first_everywhere():
    """No catalogue keeps a language-first table (``[en]`` … ``[vi]``) beside others."""
    for name in CATALOGUES:
        assert "en" not in load(name) and "vi" not in load(name), name


def test_say_reads_the_language_and_fills_the_parameters():
    assert say("world", "banner_dns", "en", port=5353).startswith("DNS           127.0.0.1 port 5353")
    assert "cổng 5353" in say("world", "banner_dns", "vi", port=5353)
    assert say("grade", "check.delivered.name", "vi") != say("grade", "check.delivered.name", "en")


def test_text_parameters_are_made_visible_and_numbers_keep_their_format():
    shown = say("classroom", "roster_unreadable", "en", path="a\x1b[2Jb", reason="x\u202ey")
    assert "\x1b" not in shown and "\\x1b[2Jb" in shown and "<U+202E>" in shown
    shown = say("world", "retry", "en", id="Q1", reply="451 later", minutes="30 min",
                speedup=60.0, seconds=30.0)
    assert "×60:" in shown and "30 s" in shown
    error = OSError("bad\nname")  # not a string: shown by its str(), made visible too
    assert "bad\\x0aname" in say("world", "cannot_start", "en", reason=error)


def test_the_number_agrees():
    assert "1 message still" in say("world", "banner_recovered", "en", count=1)
    assert "2 messages still" in say("world", "banner_recovered", "en", count=2)
    assert "1 unexpected reply." in say("ui", "lesson_failed", "en", count="1")


def test_english_is_the_fallback(monkeypatch):
    fake = {"only": {"en": "in English, {who}"}, "both": {"en": "English", "vi": "Tiếng Việt"}}
    monkeypatch.setattr(catalogue, "load", lambda name: fake)
    monkeypatch.setattr(catalogue, "_FOUND", {})  # nothing found in the real files
    assert say("ui", "only", "vi", who="Bob") == "in English, Bob"
    assert say("ui", "both", "vi") == "Tiếng Việt"
    assert say("ui", "both", "fr") == "English"  # a language the catalogues do not have
    assert pick({"en": {"short": "s"}}, "vi") == {"short": "s"}


def test_a_missing_sentence_says_where_it_was_looked_for():
    with pytest.raises(CatalogueError, match=r"world\.toml has no sentence 'no_such_key'"):
        say("world", "no_such_key", "en")
    with pytest.raises(CatalogueError, match=r"grade\.toml has no sentence 'check\.nope\.name'"):
        say("grade", "check.nope.name", "vi")
    assert not has("ui", "class_word") and has("ui", "class_word.2")
    with pytest.raises(CatalogueError, match=r"ui\.toml: 'class_word' has no 'en' text"):
        say("ui", "class_word", "en")  # a table of sentences, not one


def test_a_missing_parameter_names_the_sentence_and_the_parameter():
    with pytest.raises(CatalogueError) as caught:
        say("world", "banner_dns", "vi")
    assert str(caught.value) == "world.toml banner_dns [vi]: no parameter 'port' (given: none)"
    with pytest.raises(CatalogueError, match="bad placeholder"):
        fill("{0} and {", {}, where="test")
    assert fill("{known} {unknown}", {"known": "a\x07"}, missing="-") == "a\\x07 -"


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _pattern(node: ast.expr) -> re.Pattern[str] | None:
    """An f-string key as a pattern of the keys it can be (``check.{id}.name``)."""
    if not isinstance(node, ast.JoinedStr):
        return None
    parts = [re.escape(part.value) if isinstance(part, ast.Constant) else r"[^.]+"
             for part in node.values]
    return re.compile("".join(parts))


def _calls():
    """Every ``say(catalogue, key, lang, …)`` of the package, and every ``_t(section, key,
    …)`` of the faces (the parsers' binding of ``say("cli", "section.key", lang)``) as if
    it were that call."""
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            if node.func.id == "say" and len(node.args) >= 3:
                yield path.relative_to(PACKAGE.parent), node
            elif node.func.id == "_t" and len(node.args) == 2 and \
                    all(_literal(arg) is not None for arg in node.args):
                key = f"{_literal(node.args[0])}.{_literal(node.args[1])}"
                as_say = ast.Call(func=ast.Name("say"), keywords=node.keywords,
                                  args=[ast.Constant("cli"), ast.Constant(key), ast.Name("lang")])
                as_say.lineno = node.lineno
                yield path.relative_to(PACKAGE.parent), as_say


def test_every_call_names_a_sentence_and_gives_its_parameters():
    """Read from the source: a literal key must exist and get exactly its placeholders
    (in both languages); a key built by an f-string must match some sentence."""
    problems, checked = [], 0
    for path, call in _calls():
        name = _literal(call.args[0])
        if name is None:
            continue
        where = f"{path}:{call.lineno}"
        key = _literal(call.args[1])
        if key is None:
            pattern = _pattern(call.args[1])
            if pattern is not None and not any(pattern.fullmatch(k) for k in sentences(name)):
                problems.append(f"{where}: no sentence of {name}.toml matches {pattern.pattern}")
            continue
        if not has(name, key):
            problems.append(f"{where}: {name}.toml has no sentence {key!r}")
            continue
        if any(keyword.arg is None for keyword in call.keywords):
            continue  # **params: checked where they are built
        given = {keyword.arg for keyword in call.keywords}
        for lang in LANGS:
            wanted = placeholders(pick(sentence(name, key), lang))
            if given != wanted:
                problems.append(f"{where}: {name}.{key} [{lang}] takes {sorted(wanted)}, "
                                f"given {sorted(given)}")
        checked += 1
    assert not problems, "\n".join(problems)
    assert checked > 350  # the scan sees the calls (a refactoring that hid them would pass)


def test_a_sentence_with_plain_parameters_imports_no_protocol():
    """``visible()`` lives in the protocol package, whose import brings the whole SMTP core:
    every ``--help`` reads sentences, so only a parameter that needs it imports it."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from smtp_tutor.knowledge.catalogue import say\n"
            "say('cli', 'value.not_whole', 'vi', text='12x')\n"
            "assert 'smtp_tutor.protocol' not in sys.modules, 'imported early'\n"
            "assert '\\\\x1b' in say('cli', 'value.not_whole', 'en', text='\\x1b[2J')\n"
            "assert 'smtp_tutor.protocol.visible' in sys.modules\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
