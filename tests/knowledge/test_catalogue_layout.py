"""scripts/catalogue_layout.py: a language-first catalogue rewritten key first, nothing lost."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "catalogue_layout.py"
_spec = importlib.util.spec_from_file_location("catalogue_layout", SCRIPT)
assert _spec and _spec.loader
layout = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(layout)

OLD = '''# a header comment

[en]
# the banner
banner = "Hello {name}"
word = { "2" = "two", "3" = "three" }
pairs = [["a", "b"]]

[vi]
banner = "Xin chào {name}"
word = { "2" = "hai", "3" = "ba" }
pairs = [["a", "bê"]]

[commands.X]
en = { short = "x" }
vi = { short = "ích" }
'''


def test_a_language_first_file_becomes_key_first_with_its_comments():
    new = layout.convert(OLD)
    assert new is not None
    data = tomllib.loads(new)
    assert data["banner"] == {"en": "Hello {name}", "vi": "Xin chào {name}"}
    assert data["word"]["2"] == {"en": "two", "vi": "hai"}
    assert data["pairs"] == {"en": [["a", "b"]], "vi": [["a", "bê"]]}
    assert data["commands"]["X"]["vi"] == {"short": "ích"}  # the rest kept as written
    assert new.startswith("# a header comment\n")
    assert new.index("# the banner") < new.index("banner.en")
    assert "[en]" not in new and "[vi]" not in new


def test_a_key_first_file_is_left_alone():
    assert layout.convert(layout.convert(OLD)) is None


def test_the_shipped_catalogues_are_all_key_first():
    data = Path(__file__).resolve().parents[2] / "smtp_tutor" / "knowledge" / "data"
    for path in sorted(data.glob("*.toml")):
        assert layout.convert(path.read_text(encoding="utf-8")) is None, path.name
