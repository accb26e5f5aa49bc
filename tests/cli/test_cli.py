"""The command line: fast start without heavy imports, explain, clear errors."""

import subprocess
import sys

import pytest

from smtp_tutor.cli import COMMANDS, build_parser, usage
from tests.conftest import run_tutor, tutor_in_process

# what a command prints is read in this process (tutor_in_process); the entry point, the
# imports at start and --version/--help start the program

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


# what a piped session has no use for: each of these once cost it milliseconds at start
NOT_FOR_A_PIPED_SESSION = ("dataclasses", "inspect", "typing", "email", "tomllib", "asyncio",
                           "ssl", "contextlib", "base64", "encodings.idna", "smtp_tutor.repl")


def test_a_piped_session_imports_only_what_it_uses(bare_aiosmtpd):
    from tests.conftest import TEXTBOOK

    host, port = bare_aiosmtpd
    assert run_tutor("connect", host, str(port), stdin=TEXTBOOK).returncode == 0  # warm cache
    # (an editable install's import hook loads some of them before: those do not count)
    code = (f"import sys; sys.argv=['smtp-tutor', 'connect', {host!r}, '{port}']\n"
            "before = set(sys.modules)\nfrom smtp_tutor.cli import main\nrc = main()\n"
            f"extra = [m for m in {NOT_FOR_A_PIPED_SESSION!r} if m in set(sys.modules) - before]\n"
            "print('EXTRA', extra); raise SystemExit(rc)")
    result = subprocess.run([sys.executable, "-c", code], input=TEXTBOOK, capture_output=True,
                            text=False)
    assert result.returncode == 0, result.stderr
    assert b"EXTRA []" in result.stdout, result.stdout[-300:]
    assert b"250" in result.stdout and b"Message accepted for delivery" in result.stdout


def test_static_help_lists_every_subcommand():
    subcommands = build_parser()._subparsers._group_actions[0].choices
    assert set(subcommands) == set(COMMANDS)
    for name in COMMANDS:
        assert f"  {name}" in usage("en") and f"  {name}" in usage("vi")


def test_version_and_module_entry():
    result = subprocess.run([sys.executable, "-m", "smtp_tutor", "--version"], capture_output=True)
    assert result.stdout.startswith(b"smtp-tutor 0.")


def test_unknown_command_is_a_usage_error():
    result = tutor_in_process("frobnicate")
    assert result.returncode == 2 and b"unknown command" in result.stderr


# -- the language of the command line (issue 13; newcomer D1) --------------------------

VI = {"LANG": "vi_VN.UTF-8"}


@pytest.mark.parametrize("args", [["--lang", "vi", "explain", "354"], ["explain", "354", "--lang", "vi"],
                                  ["--lang=vi", "explain", "354"], ["explain", "--lang", "vi", "354"]])
def test_lang_is_global_before_or_after_the_command(args):
    result = tutor_in_process(*args)
    assert result.returncode == 0, result.stderr
    assert "Bắt đầu nhập thư" in result.stdout.decode()


def test_version_and_help_take_lang_anywhere():
    assert run_tutor("--version", "--lang", "vi").stdout.startswith(b"smtp-tutor 0.")
    assert run_tutor("--lang", "vi", "--version").stdout.startswith(b"smtp-tutor 0.")
    assert run_tutor("--help", "--lang", "vi").stdout.decode().startswith("cách dùng: smtp-tutor")
    assert run_tutor("--help", env=VI).stdout.decode().startswith("cách dùng: smtp-tutor")
    assert run_tutor("--help", "--lang", "en", env=VI).stdout.decode().startswith("usage: smtp-tutor")


def test_a_wrong_lang_value_is_refused_in_the_right_words():
    result = tutor_in_process("--lang", "fr", "explain", "354", env=VI)
    assert result.returncode == 2
    assert "lựa chọn không hợp lệ: 'fr'" in result.stderr.decode()


def test_take_lang_leaves_everything_else_in_order():
    from smtp_tutor.cli import take_lang

    assert take_lang(["--lang", "vi", "explain", "354"]) == (["explain", "354"], "vi")
    assert take_lang(["annotate", "--", "--lang", "vi"]) == (["annotate", "--", "--lang", "vi"], None)
    assert take_lang(["--lang", "fr"]) == (["--lang", "fr"], None)
    assert take_lang(["--lang"]) == (["--lang"], None)


def test_cli_reads_the_same_cache_file_the_store_writes(tmp_path, monkeypatch):
    import os

    from smtp_tutor import cli
    from smtp_tutor.knowledge import store

    monkeypatch.setenv("SMTP_TUTOR_CACHE", str(tmp_path))
    assert store.load.__wrapped__("cli")["usage"]["vi"] == cli._cli_words()["usage"]["vi"]
    status = os.stat(os.path.join(store.DATA_DIR, "cli.toml"))
    expected = store._cache_path("cli", status.st_mtime_ns, status.st_size)
    assert os.path.exists(expected)
    opened = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda path, *a, **k: opened.append(path) or real_open(path, *a, **k))
    cli._cli_words()
    assert opened == [expected]


@pytest.mark.parametrize("env", [{}, {"LANG": "vi_VN.UTF-8"}, {"LANG": "C", "LC_ALL": "vi_VN"},
                                 {"SMTP_TUTOR_LANG": "vi", "LANG": "en_US"}, {"LC_MESSAGES": "en"}])
def test_cli_language_agrees_with_the_knowledge_base(env, monkeypatch):
    from smtp_tutor import cli, knowledge

    for name in ("SMTP_TUTOR_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cli.language() == knowledge.language_from_env()


def test_top_level_help_parses_no_toml_and_imports_no_knowledge_when_cached():
    run_tutor("--help", env=VI)  # warms the cache
    code = ("import sys; sys.argv=['smtp-tutor', '--help']\nfrom smtp_tutor.cli import main\n"
            "import io, contextlib\nwith contextlib.redirect_stdout(io.StringIO()): main()\n"
            "print(sorted(m for m in sys.modules if m in ('tomllib', 'argparse', 'smtp_tutor.knowledge')))")
    import os

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, **VI})
    assert result.stdout.strip() == "[]", result.stderr


def test_a_misspelt_command_gets_a_did_you_mean():
    result = tutor_in_process("conect")
    assert result.returncode == 2 and "connect" in result.stderr.decode()
    assert "did you mean" in result.stderr.decode()
