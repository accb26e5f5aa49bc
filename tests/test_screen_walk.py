"""Issue 24's walk at 80x24: every subcommand's help, and each lesson's first screen (pyte),
has no line over 80 cells, no command split across lines, and no tip naming a command
that does not exist (`:help` and `lesson list` are walked in tests/repl/test_wrap_pty.py)."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pexpect
import pyte
import pytest

from smtp_tutor.cli import COMMANDS
from smtp_tutor.knowledge.store import DATA_DIR, FILES
from smtp_tutor.render.wrap import cells
from tests.conftest import run_tutor, spawn_pty, tutor_command
from tests.repl.shell import ANSI

LESSONS = sorted((Path(__file__).resolve().parent.parent / "lessons").glob("*.lesson"))
TIP = re.compile(r"`smtp-tutor (?!-)([a-z][a-z-]*)|(?:^|:\s+)smtp-tutor (?!-)([a-z][a-z-]*)")
ENV = {"COLUMNS": "80", "LINES": "24"}


def _named_commands(text: str) -> set[str]:
    return {match.group(1) or match.group(2) for match in TIP.finditer(text)}


def _problems(lines: list[str]) -> list[str]:
    out = [f"over 80 cells: {line!r}" for line in lines if cells(line) > 80]
    out += [f"split command: {line!r}" for line in lines if line.count("`") % 2]
    out += [f"no such command {name!r}: {line!r}" for line in lines
            for name in _named_commands(line) if name not in COMMANDS]
    return out


def _in_a_terminal(*args: str) -> list[str]:
    """What ``smtp-tutor ARGS`` prints on an 80x24 terminal, as logical lines."""
    env = {**os.environ, **ENV, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm"}
    command, *rest = tutor_command()
    child = spawn_pty(command, [*rest, *args], env=env, encoding="utf-8", timeout=30,
                      dimensions=(24, 80))
    log = io.StringIO()
    child.logfile_read = log
    try:
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    return ANSI.sub("", log.getvalue()).replace("\r", "").split("\n")


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_every_help_fits_80_columns_and_names_real_commands(command, lang):
    lines = _in_a_terminal(*([command] if command else []), "--help", "--lang", lang)
    assert any(line.strip() for line in lines)
    assert not _problems(lines)


def test_help_on_a_pipe_is_not_cut():
    out = run_tutor("--help", "--lang", "en", env=ENV).stdout.decode()
    assert "\n".join(_in_a_terminal("--help", "--lang", "en")).strip() != out.strip()


@pytest.mark.parametrize("name", FILES)
def test_no_catalogue_text_names_a_command_that_does_not_exist(name):
    text = (Path(DATA_DIR) / f"{name}.toml").read_text()
    assert _named_commands(text) <= set(COMMANDS), _named_commands(text) - set(COMMANDS)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda path: path.stem)
def test_each_lesson_first_screen_at_80x24(lesson):
    env = {**os.environ, **ENV, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm"}
    command, *args = tutor_command()
    log = io.StringIO()
    child = spawn_pty(command, [*args, "lesson", "play", str(lesson), "--lang", "en"],
                      env=env, encoding="utf-8", timeout=30, dimensions=(24, 80))
    child.logfile_read = log
    try:
        child.expect(r"\]>")
        screen = pyte.Screen(80, 24)
        pyte.Stream(screen).feed(log.getvalue())
        assert any("Lesson" in row for row in screen.display)  # the top is still there
        lines = ANSI.sub("", log.getvalue()).replace("\r", "").split("\n")
        assert not _problems(lines)
    finally:
        child.close(force=True)
    assert _named_commands(lesson.read_text()) <= set(COMMANDS)
