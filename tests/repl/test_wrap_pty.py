"""The screen at 60, 80 and 120 columns (issue 24, D21): `:help` and `lesson list` cut by
word with a hanging indent, commands never split, `:help` within 24 rows at 80 columns,
and nothing cut at all when the output is not a terminal."""

from __future__ import annotations

import io
import os
import re

import pexpect
import pyte
import pytest

from smtp_tutor.render.wrap import cells
from tests.conftest import run_tutor, spawn_pty, tutor_command
from tests.repl.shell import ANSI

FIRST = "First type the dialogue itself"


def _logical_lines(raw: str) -> list[str]:
    text = ANSI.sub("", raw).replace("\r", "")
    return [line for line in text.split("\n")]


def _spawn(args: list[str], columns: int, log: io.StringIO):
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm",
           "COLUMNS": str(columns), "LINES": "24"}
    command, *rest = tutor_command()
    child = spawn_pty(command, [*rest, *args], env=env, encoding="utf-8", timeout=15,
                      dimensions=(24, columns))
    child.logfile_read = log
    return child


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_help_is_cut_by_word_and_fits_the_screen(practice, columns):
    log = io.StringIO()
    child = _spawn(["connect", practice.host, str(practice.port), "--lang", "en"], columns, log)
    try:
        child.expect(r"\[helo\]>")
        start = len(log.getvalue())
        child.send(":help\r")
        child.expect("Ctrl-C")
        child.expect(r"\[helo\]>")
        shown = _logical_lines(log.getvalue()[start:])
        help_lines = shown[shown.index(next(x for x in shown if FIRST in x)):]
        help_lines = [line for line in help_lines if "[helo]>" not in line and line.strip()]
        assert all(cells(line) <= columns for line in help_lines), help_lines
        assert all(line.count("`") % 2 == 0 for line in help_lines), help_lines  # whole commands
        descriptions = [line for line in help_lines if line.startswith(" " * 21)]
        if columns < 120:
            assert descriptions, "a wrapped description hangs under its column"
        if columns == 80:  # the whole of :help is on one 24-row screen, its top included
            screen = pyte.Screen(columns, 24)
            pyte.Stream(screen).feed(log.getvalue())
            assert any(FIRST in row for row in screen.display), screen.display
        child.sendcontrol("d")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)


@pytest.mark.parametrize("columns", [60, 80])
def test_lesson_list_is_cut_by_word_and_says_how_to_play(columns):
    log = io.StringIO()
    child = _spawn(["lesson", "list", "--lang", "en"], columns, log)
    child.expect(pexpect.EOF)
    lines = [line for line in _logical_lines(log.getvalue()) if line.strip()]
    assert all(cells(line) <= columns for line in lines), lines
    assert any("`smtp-tutor lesson play alice-bob`" in line for line in lines)
    assert not any(re.search(r"[a-z]-$", line) for line in lines)  # never "dot-stuffin / g"


def test_lesson_list_on_a_pipe_is_not_cut():
    out = run_tutor("lesson", "list", "--lang", "en", env={"COLUMNS": "60"}).stdout.decode()
    rows = [line for line in out.splitlines() if re.match(r"^ .\s+\d+\. ", line)]
    assert len(rows) >= 16 and max(cells(row) for row in rows) > 60  # one line each


def test_cert_at_60_columns_hangs_and_does_not_contradict_itself(practice):
    from tests.repl.test_tls_auth_pty import start_tls

    log = io.StringIO()
    child = _spawn(["connect", practice.host, str(practice.port), "--cafile",
                    str(practice.ca_path), "--lang", "en"], 60, log)
    try:
        child.expect(r"\[helo\]>")
        start_tls(child)
        start = len(log.getvalue())
        child.send(":cert\r")
        child.expect("Certificate 1 of 1")
        child.expect(r"\[ready\]>")
        lines = [x for x in _logical_lines(log.getvalue()[start:]) if x.strip()]
        # one unbreakable token (the SHA-256 fingerprint) may pass the edge, never split
        too_long = [x for x in lines if cells(x) > 60 and " " in x.strip().partition(": ")[2]]
        assert not too_long, too_long
        fingerprint = next(x for x in lines if x.startswith("  SHA-256: "))
        assert re.fullmatch(r"  SHA-256: (?:[0-9A-F]{2}:){31}[0-9A-F]{2}", fingerprint)  # no 🆎
        signed = next(i for i, x in enumerate(lines) if x.startswith("  Self-signed: "))
        assert lines[signed].endswith("no")
        assert "another party" in lines[signed + 1] and "vouches for itself" not in lines[signed + 1]
        meanings = [x for x in lines if x.startswith("      ")]
        assert len(meanings) > 10  # every explanation, continuation lines included, is indented
        assert not any(x.startswith(("who", "the ", "a ", "how")) for x in lines)
    finally:
        child.close(force=True)


def test_an_error_line_is_cut_by_word_at_60_columns():
    import socket

    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = io.StringIO()
    child = _spawn(["connect", "127.0.0.1", str(port), "--lang", "en"], 60, log)
    child.expect(pexpect.EOF)
    lines = [x for x in _logical_lines(log.getvalue()) if x.strip()]
    assert any("refused" in x.lower() for x in lines), lines
    assert all(cells(x) <= 60 for x in lines), lines
    words = set(re.findall(r"[A-Za-z]+", " ".join(lines)))
    assert not {"ddress", "ort"} & words  # never "a / ddress", "port / s"


def test_serve_on_a_busy_port_says_so_cut_by_word(tmp_path):
    """The review's "a / ddress … port / s": serve's error on a terminal, at 60 columns."""
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        log = io.StringIO()
        child = _spawn(["serve", "--port", str(port), "--mailbox-dir", str(tmp_path),
                        "--lang", "en"], 60, log)
        child.expect(pexpect.EOF)
    lines = [x for x in _logical_lines(log.getvalue()) if x.strip()]
    assert any(str(port) in x for x in lines), lines
    assert all(cells(x) <= 60 for x in lines), lines
    assert lines[1].startswith(" " * 12) and all(x.startswith(" ") for x in lines[1:]), lines
