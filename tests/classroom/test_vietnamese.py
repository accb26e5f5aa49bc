"""The class's Vietnamese: every text of classroom.toml, a slip and the board, checked as
tests/test_vietnamese_walk.py checks the rest (tests/vi_allowlist.toml)."""

from __future__ import annotations

import pytest

from smtp_tutor.knowledge.catalogue import pick, sentence
from smtp_tutor.knowledge.store import load
from tests.knowledge.test_catalogue import sentences
from tests.test_vietnamese_walk import assert_vietnamese, foreign_words, run_vi

COMMAND_LINES = {"slip_join", "slip_pop3", "slip_check"}  # a command to type, not prose


@pytest.mark.parametrize("key", sorted(set(sentences("classroom")) - COMMAND_LINES))
def test_every_text(key):
    text = pick(sentence("classroom", key), "vi")
    assert not foreign_words(text), (key, foreign_words(text))
    assert_vietnamese(key, text if text.strip("-") else "-")


@pytest.mark.parametrize("command", [["class"], ["class", "start"], ["class", "board"],
                                     ["class", "export"]], ids=" ".join)
def test_help(command):
    assert_vietnamese(" ".join(command), run_vi(*command, "--help"))


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_every_lint_finding_has_a_phrase_that_fits_80_columns_and_a_hint(lang):
    """The board's notes column at 80x24 (with the live board's mark) holds the whole
    phrase; the dialogue view adds the lint's own hint."""
    from smtp_tutor.classroom.board import mistake
    from smtp_tutor.protocol.client_lint import RULES

    notes_width = 80 - 1 - 16 - (6 + 9 + 5 + 5 + 7 + 5) - 1
    for rule in RULES:
        phrase = mistake(f"lint-{rule}", lang)
        assert phrase != f"lint-{rule}" and len(phrase) <= notes_width, (rule, phrase)
        assert load("messages")[f"lint-{rule}"][lang]["hint"]
