"""The class's Vietnamese: every text of classroom.toml, a slip and the board, checked as
tests/test_vietnamese_walk.py checks the rest (tests/vi_allowlist.toml)."""

from __future__ import annotations

import pytest

from smtp_tutor.knowledge.store import load
from tests.test_vietnamese_walk import assert_vietnamese, foreign_words, run_vi

COMMAND_LINES = {"slip_join", "slip_pop3", "slip_check"}  # a command to type, not prose


@pytest.mark.parametrize("key", sorted(set(load("classroom")["vi"]) - COMMAND_LINES))
def test_every_text(key):
    text = load("classroom")["vi"][key]
    assert not foreign_words(text), (key, foreign_words(text))
    assert_vietnamese(key, text if text.strip("-") else "-")


@pytest.mark.parametrize("command", [["class"], ["class", "start"], ["class", "board"],
                                     ["class", "export"]], ids=" ".join)
def test_help(command):
    assert_vietnamese(" ".join(command), run_vi(*command, "--help"))
