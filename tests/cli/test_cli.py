"""The command line: fast start without heavy imports, explain, clear errors."""

import subprocess
import sys

import pytest

from smtp_tutor.cli import COMMANDS, USAGE
from smtp_tutor.faces.arguments import build_parser
from tests.conftest import run_tutor

HEAVY = ("prompt_toolkit", "rich", "asyncio", "aiosmtpd")


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["explain", "503"],
                                  ["explain", "5.1.1", "--lang", "vi"]])
def test_fast_paths_import_nothing_heavy(args):
    code = (f"import sys, runpy; sys.argv=['smtp-tutor', *{args!r}]\n"
            "from smtp_tutor.cli import main\nrc = main()\n"
            f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
            "print('HEAVY', heavy); raise SystemExit(rc)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "HEAVY []" in result.stdout


def test_static_help_lists_every_subcommand():
    subcommands = build_parser()._subparsers._group_actions[0].choices
    assert set(subcommands) == set(COMMANDS)
    for name in COMMANDS:
        assert f"  {name}" in USAGE


def test_version_and_module_entry():
    result = subprocess.run([sys.executable, "-m", "smtp_tutor", "--version"], capture_output=True)
    assert result.stdout.startswith(b"smtp-tutor 0.")


def test_explain_examples_from_the_issue():
    assert b"Bad sequence of commands" in run_tutor("explain", "503").stdout
    assert "Địa chỉ hộp thư đích sai".encode() in run_tutor("explain", "5.1.1", "--lang", "vi").stdout
    assert b"UTF-8" in run_tutor("explain", "SMTPUTF8").stdout
    typo = run_tutor("explain", "dot-stufing")
    assert typo.returncode == 1 and b"dot-stuffing?" in typo.stderr and b"Traceback" not in typo.stderr
    listing = run_tutor("explain", "--list").stdout.decode()
    assert "PIPELINING" in listing and "dot-stuffing" in listing and "354" in listing


def test_unknown_command_is_a_usage_error():
    result = run_tutor("frobnicate")
    assert result.returncode == 2 and b"unknown command" in result.stderr
