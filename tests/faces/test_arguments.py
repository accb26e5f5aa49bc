"""What every face's parser shares (faces/arguments.py) and how cli.py finds the faces:
one module per subcommand, each light to import, its words in the run's language."""

import subprocess
import sys
from pathlib import Path

import pytest

from smtp_tutor.cli import COMMANDS, FACES, build_parser
from tests.conftest import tutor_in_process

# argparse's messages and the helps are read in this process (tutor_in_process)

VI = {"LANG": "vi_VN.UTF-8"}
HEAVY = ("prompt_toolkit", "rich", "asyncio", "aiosmtpd")
# every parser a user can ask --help of (the subcommands' actions too)
EVERY_HELP = [*([name] for name in COMMANDS), ["lesson", "list"], ["lesson", "check"],
              ["lesson", "play"], ["grade", "client"], ["grade", "server"], ["grade", "isolation"],
              ["class", "start"], ["class", "board"], ["class", "export"], ["class", "check"]]


def test_every_face_module_has_a_parser_and_a_run_and_every_such_module_is_listed():
    """A face that is not in FACES could never run; a name in FACES without its module fails."""
    from importlib import import_module

    faces = Path(import_module("smtp_tutor.faces").__file__).parent
    with_a_parser = set()
    for path in faces.glob("*.py"):
        module = import_module(f"smtp_tutor.faces.{path.stem}")
        if hasattr(module, "add_parser"):
            with_a_parser.add(module.__name__)
            assert callable(module.run), module.__name__
    assert with_a_parser == set(FACES.values())


@pytest.mark.parametrize("name", COMMANDS)
def test_a_command_builds_only_its_own_face(name):
    """A scripted session parses one subcommand: no other face module is imported for it."""
    code = ("import sys\nfrom smtp_tutor.cli import FACES, build_parser\n"
            f"parser = build_parser({name!r}, 'en')\n"
            "print(sorted(parser._subparsers._group_actions[0].choices))\n"
            "print(sorted(n for n in FACES if FACES[n] in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.splitlines() == [repr([name])] * 2, result.stderr


def test_an_unknown_command_builds_every_face_for_the_list_of_choices():
    assert set(build_parser("frobnicate")._subparsers._group_actions[0].choices) == set(COMMANDS)


@pytest.mark.parametrize("command", EVERY_HELP, ids=" ".join)
def test_every_help_imports_nothing_heavy(command):
    """Each face imports what it runs only when it runs: its --help stays light."""
    code = (f"import sys; sys.argv=['smtp-tutor', *{command!r}, '--help']\n"
            "from smtp_tutor.cli import main\ntry:\n    main()\nexcept SystemExit as e:\n"
            "    assert e.code == 0, e.code\n"
            f"print('HEAVY', [m for m in {HEAVY!r} if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "HEAVY []" in result.stdout, result.stdout[-300:]


ARGPARSE_ERRORS = [
    (["lesson", "play"], "thiếu tham số bắt buộc: BÀI|TỆP"),
    (["explain", "--frob"], "tham số không nhận ra: --frob"),
    (["connect", "--color", "pink"], "lựa chọn không hợp lệ: 'pink'"),
    (["connect", "--timeout"], "cần đúng một giá trị"),
    (["connect", "--timeout", "abc"], "“abc” không phải là số"),
    (["serve", "--fail-rate", "2"], "không phải xác suất"),
    (["serve", "--max-errors", "-1"], "“-1” không được âm"),
    (["serve", "--port", "x"], "“x” không phải số nguyên"),
    (["lesson", "play", "1", "--pace", "0"], "nhịp phải lớn hơn 0 giây"),
    (["frobnicate"], "không có lệnh “frobnicate”"),
    (["lesson", "frob"], "lựa chọn không hợp lệ: 'frob'"),
]


@pytest.mark.parametrize(("args", "words"), ARGPARSE_ERRORS)
def test_argparse_errors_speak_vietnamese(args, words):
    result = tutor_in_process(*args, env=VI)
    err = result.stderr.decode()
    assert result.returncode == 2 and words in err, err
    assert "cách dùng: smtp-tutor" in err and ": lỗi: " in err
    assert "usage:" not in err and "error:" not in err


@pytest.mark.parametrize("command", [[], *EVERY_HELP], ids=" ".join)
def test_every_help_in_vietnamese(command):
    from tests.test_vietnamese_walk import english_words

    result = tutor_in_process(*command, "--help", env=VI)
    out = result.stdout.decode()
    assert result.returncode == 0 and out.startswith("cách dùng: smtp-tutor"), out
    assert not english_words(out), english_words(out)
    english = tutor_in_process(*command, "--help").stdout.decode()
    assert english.startswith("usage: smtp-tutor") and "cách dùng" not in english


def test_every_argparse_message_has_both_languages_and_the_same_placeholders():
    import re

    from smtp_tutor.knowledge.store import load

    for pair in load("cli")["argparse"]:
        en, vi = pair["en"], pair["vi"]
        assert len(re.findall(r"%[sr]", vi)) == len(re.findall(r"%[sr]", en)), pair  # positional
        assert set(re.findall(r"%\((\w+)\)", vi)) <= set(re.findall(r"%\((\w+)\)", en)), pair
        assert vi and vi != en
