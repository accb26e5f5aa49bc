"""The command line: fast start without heavy imports, explain, clear errors."""

import subprocess
import sys

import pytest

from smtp_tutor.cli import COMMANDS, usage
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


# -- the language of the command line (issue 13; newcomer D1) --------------------------

VI = {"LANG": "vi_VN.UTF-8"}


@pytest.mark.parametrize("args", [["--lang", "vi", "explain", "354"], ["explain", "354", "--lang", "vi"],
                                  ["--lang=vi", "explain", "354"], ["explain", "--lang", "vi", "354"]])
def test_lang_is_global_before_or_after_the_command(args):
    result = run_tutor(*args)
    assert result.returncode == 0, result.stderr
    assert "Bắt đầu nhập thư" in result.stdout.decode()


def test_version_and_help_take_lang_anywhere():
    assert run_tutor("--version", "--lang", "vi").stdout.startswith(b"smtp-tutor 0.")
    assert run_tutor("--lang", "vi", "--version").stdout.startswith(b"smtp-tutor 0.")
    assert run_tutor("--help", "--lang", "vi").stdout.decode().startswith("cách dùng: smtp-tutor")
    assert run_tutor("--help", env=VI).stdout.decode().startswith("cách dùng: smtp-tutor")
    assert run_tutor("--help", "--lang", "en", env=VI).stdout.decode().startswith("usage: smtp-tutor")


def test_a_wrong_lang_value_is_refused_in_the_right_words():
    result = run_tutor("--lang", "fr", "explain", "354", env=VI)
    assert result.returncode == 2
    assert "lựa chọn không hợp lệ: 'fr'" in result.stderr.decode()


def test_take_lang_leaves_everything_else_in_order():
    from smtp_tutor.cli import take_lang

    assert take_lang(["--lang", "vi", "explain", "354"]) == (["explain", "354"], "vi")
    assert take_lang(["annotate", "--", "--lang", "vi"]) == (["annotate", "--", "--lang", "vi"], None)
    assert take_lang(["--lang", "fr"]) == (["--lang", "fr"], None)
    assert take_lang(["--lang"]) == (["--lang"], None)


ARGPARSE_ERRORS = [
    (["lesson", "play"], "thiếu tham số bắt buộc: BÀI|TỆP"),
    (["explain", "--frob"], "tham số không nhận ra: --frob"),
    (["connect", "--color", "pink"], "lựa chọn không hợp lệ: 'pink'"),
    (["connect", "--timeout"], "cần đúng một giá trị"),
    (["connect", "--timeout", "abc"], "abc không phải là số"),
    (["serve", "--fail-rate", "2"], "không phải xác suất"),
    (["serve", "--max-errors", "-1"], "-1 không được âm"),
    (["serve", "--port", "x"], "x không phải số nguyên"),
    (["lesson", "play", "1", "--pace", "0"], "nhịp phải lớn hơn 0 giây"),
    (["frobnicate"], "không có lệnh “frobnicate”"),
    (["lesson", "frob"], "lựa chọn không hợp lệ: 'frob'"),
]


@pytest.mark.parametrize(("args", "words"), ARGPARSE_ERRORS)
def test_argparse_errors_speak_vietnamese(args, words):
    result = run_tutor(*args, env=VI)
    err = result.stderr.decode()
    assert result.returncode == 2 and words in err, err
    assert "cách dùng: smtp-tutor" in err and ": lỗi: " in err
    assert "usage:" not in err and "error:" not in err


@pytest.mark.parametrize("command", [[], *([name] for name in COMMANDS),
                                     ["lesson", "list"], ["lesson", "check"], ["lesson", "play"]])
def test_every_help_in_vietnamese(command):
    from tests.test_vietnamese_walk import english_words

    result = run_tutor(*command, "--help", env=VI)
    out = result.stdout.decode()
    assert result.returncode == 0 and out.startswith("cách dùng: smtp-tutor"), out
    assert not english_words(out), english_words(out)
    english = run_tutor(*command, "--help").stdout.decode()
    assert english.startswith("usage: smtp-tutor") and "cách dùng" not in english


def test_every_argparse_message_has_both_languages_and_the_same_placeholders():
    import re

    from smtp_tutor.knowledge.store import load

    for pair in load("cli")["argparse"]:
        en, vi = pair["en"], pair["vi"]
        assert len(re.findall(r"%[sr]", vi)) == len(re.findall(r"%[sr]", en)), pair  # positional
        assert set(re.findall(r"%\((\w+)\)", vi)) <= set(re.findall(r"%\((\w+)\)", en)), pair
        assert vi and vi != en


def test_the_serve_fault_table_is_the_one_faults_py_describes():
    from smtp_tutor.faces import arguments
    from smtp_tutor.server.faults import FAULTS, describe_faults

    arguments.build_parser("serve", "en")
    assert arguments._faults_epilog() == describe_faults()
    arguments.build_parser("serve", "vi")
    vi = arguments._faults_epilog()
    assert all(f"{name}@" in vi for name in FAULTS) and "tạm thời" in vi
    arguments.build_parser("", "en")


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


def test_mailbox_names_a_user_that_exists_and_counts_in_english_grammar(practice):
    """newcomer D33: `mailbox zorro` must not suggest RCPT TO:<zorro@...> (550)."""
    from tests.conftest import TEXTBOOK

    box = str(practice.mailbox_dir)
    zorro = run_tutor("mailbox", "zorro", "--mailbox-dir", box).stdout.decode()
    assert "zorro is not a practice user" in zorro and "RCPT TO:<bob@hamburger.edu>" in zorro
    assert "<zorro@" not in zorro
    carol = run_tutor("mailbox", "carol", "--mailbox-dir", box).stdout.decode()
    assert "RCPT TO:<carol@hamburger.edu>" in carol and "not a practice user" not in carol
    assert run_tutor("connect", practice.host, str(practice.port), stdin=TEXTBOOK).returncode == 0
    one = run_tutor("mailbox", "bob", "--mailbox-dir", box, "--show", "4")
    assert one.returncode == 2 and b"bob has 1 message: choose 1." in one.stderr
    vi = run_tutor("mailbox", "bob", "--mailbox-dir", box, "--show", "4", env=VI)
    assert "bob chỉ có 1 thư: hãy chọn 1." in vi.stderr.decode()
    assert "1 thư cho bob" in run_tutor("mailbox", "bob", "--mailbox-dir", box, env=VI).stdout.decode()


def test_a_port_that_is_not_a_number_is_said_in_the_run_language():
    assert "port “abc” is not a number" in run_tutor("connect", "h:abc").stderr.decode()
    assert "cổng “abc” không phải là số" in run_tutor("--lang", "vi", "connect", "h:abc").stderr.decode()


def test_a_misspelt_command_gets_a_did_you_mean():
    result = run_tutor("conect")
    assert result.returncode == 2 and "connect" in result.stderr.decode()
    assert "did you mean" in result.stderr.decode()
