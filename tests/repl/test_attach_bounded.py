"""``:attach`` and ``:bdat FILE`` in the shell read a regular file of bounded size, and
say why not: ``/dev/zero`` used to end the shell with MemoryError, a FIFO to hang it."""

from __future__ import annotations

import os

import pexpect
import pytest

from tests.repl.shell import screen, spawn_shell, type_slowly


def _try(practice, line: str, expected: str, cwd=None) -> str:
    """A file is named from ``cwd``: the line the message quotes it in stays shorter than
    the terminal, however long the temporary folder's name."""
    child = spawn_shell(practice, cwd=cwd)
    try:
        type_slowly(child, line + "\r")
        child.expect(expected)
        child.expect(r"\[helo\]>")  # the shell goes on
        shown = screen(child)
        child.sendcontrol("d")
        child.expect("221")
        child.expect(pexpect.EOF)
    finally:
        child.terminate(force=True)
    return shown


@pytest.mark.parametrize("command", [":attach", ":bdat"])
def test_dev_zero_is_refused_and_the_shell_goes_on(practice, command):
    _try(practice, f"{command} /dev/zero", "/dev/zero is not a regular file")


def test_a_fifo_does_not_hang_the_shell(practice, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    _try(practice, f":attach {fifo.name}", "is not a regular file", cwd=tmp_path)


def test_a_file_larger_than_size_is_not_read(practice, tmp_path):
    big = tmp_path / "big.bin"
    with open(big, "wb") as handle:
        handle.truncate(10 * 1024 * 1024 + 1)  # sparse: no disk used
    _try(practice, f":attach {big.name}", "is larger than 10485760 octets", cwd=tmp_path)
