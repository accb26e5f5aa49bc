"""`smtp-tutor explain`: real codes only, every listed topic found, several topics, wrapping."""

import os
import re

import pexpect
import pytest

from smtp_tutor import knowledge
from tests.conftest import spawn_pty, tutor_command, tutor_in_process

# what explain prints is read in this process (tutor_in_process); the terminal and the
# import tests start the program


@pytest.mark.parametrize("code", ["600", "000", "100", "4.9.9", "3.1.1", "259"])
def test_codes_that_do_not_exist_are_refused_with_close_real_ones(code):
    result = tutor_in_process("explain", code)
    err = result.stderr.decode()
    assert result.returncode == 1 and result.stdout == b""
    assert "Did you mean" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 2  # the refusal and the --list hint


def test_a_number_that_cannot_be_a_code_gets_no_meaningless_neighbours():
    err = tutor_in_process("explain", "999", "--lang", "en").stderr.decode()
    assert "is not an SMTP reply code" in err and "Did you mean" not in err  # not 556, 555
    assert "Did you mean: 500?" in tutor_in_process("explain", "600", "--lang", "en").stderr.decode()


def test_the_refusal_says_why_in_both_languages():
    assert b"is not an SMTP reply code" in tutor_in_process("explain", "600").stderr
    assert b"subject (the middle number)" in tutor_in_process("explain", "4.9.9").stderr
    vi = tutor_in_process("explain", "600", "--lang", "vi").stderr.decode()
    assert "không phải mã phản hồi SMTP" in vi and "Có phải bạn muốn tìm" in vi


def test_every_listed_topic_can_be_explained():
    for kind, names in knowledge.topics().items():
        for name in names:
            for lang in ("en", "vi"):
                assert isinstance(knowledge.explain_topic(name, lang), knowledge.Explanation), \
                    (kind, name, lang)


def test_listed_enhanced_detail_explains_every_class():
    result = tutor_in_process("explain", "X.1.1")
    out = result.stdout.decode()
    assert result.returncode == 0
    assert out.startswith("X.1.1 Bad destination mailbox address")
    assert "4.1.1:" in out and "5.1.1:" in out
    assert tutor_in_process("explain", "x.7.1").returncode == 0


def test_the_list_is_sorted_by_number():
    topics = knowledge.topics()
    enhanced = [tuple(int(n) for n in name[2:].split(".")) for name in topics["enhanced"]]
    assert enhanced == sorted(enhanced)
    assert topics["enhanced"].index("X.1.2") < topics["enhanced"].index("X.1.10")
    assert [int(c) for c in topics["codes"]] == sorted(int(c) for c in topics["codes"])


def test_several_topics_are_explained_one_after_the_other():
    result = tutor_in_process("explain", "354", "550")
    out = result.stdout.decode()
    assert result.returncode == 0
    first, second = out.split("\n\n354", 1)[0], out[out.index("\n\n550:"):]
    assert first.startswith("354:") and second.strip().startswith("550:")


def test_several_topics_with_one_unknown_exit_1_and_explain_the_rest():
    result = tutor_in_process("explain", "354", "999")
    assert result.returncode == 1
    assert result.stdout.decode().startswith("354:") and b"999" in result.stderr


def test_a_topic_of_several_words_stays_one_topic():
    assert tutor_in_process("explain", "MAIL", "FROM:").stdout.decode().startswith("MAIL:")
    typo = tutor_in_process("explain", "dot", "stuffing")
    assert typo.returncode == 1 and b"dot-stuffing?" in typo.stderr


def test_piped_output_is_not_wrapped():
    long_lines = [line for line in tutor_in_process("explain", "354").stdout.decode().splitlines()
                  if len(line) > 100]
    assert long_lines  # one paragraph a line, for grep and other programs


def test_a_terminal_gets_words_wrapped_with_a_hanging_indent():
    command, *args = tutor_command()
    env = {**os.environ, "COLUMNS": "50", "LINES": "40", "TERM": "xterm"}
    child = spawn_pty(command, [*args, "explain", "354", "550"], env=env, encoding="utf-8",
                      dimensions=(40, 50))
    child.expect(pexpect.EOF)
    lines = child.before.replace("\r\n", "\n").splitlines()
    assert lines and max(len(line) for line in lines) <= 50
    text = " ".join(line.strip() for line in lines)
    assert "a line holding only a dot" in re.sub(r"\s+", " ", text)  # no word cut in two
    after_data = next(i for i, line in enumerate(lines) if line.startswith("  DATA:"))
    assert lines[after_data + 1].startswith("    ")  # the context line's hanging indent


@pytest.mark.parametrize("args", [["354", "550"], ["999"], ["--list"], ["X.1.1"]])
def test_explain_stays_light(args):
    import subprocess
    import sys

    code = (f"import sys; sys.argv=['smtp-tutor', 'explain', *{args!r}]\n"
            "from smtp_tutor.cli import main\nrc = main()\n"
            "heavy = [m for m in ('prompt_toolkit', 'rich', 'asyncio') if m in sys.modules]\n"
            "print('HEAVY', heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "HEAVY []" in result.stdout, result.stderr


def test_pop3_replies_are_listed_and_minus_err_is_a_topic():
    """`explain --list` has a POP3 group, and `explain -ERR` is not read as an option."""
    listing = tutor_in_process("explain", "--list").stdout.decode()
    assert "POP3" in listing and "-ERR" in listing and "RETR" in listing
    result = tutor_in_process("explain", "-ERR")
    assert result.returncode == 0 and b"RFC 3206" in result.stdout
    assert tutor_in_process("explain", "--frob").returncode == 2  # a real unknown option stays one


def test_explain_examples_from_the_issue():
    assert b"Bad sequence of commands" in tutor_in_process("explain", "503").stdout
    assert "Địa chỉ hộp thư đích sai".encode() in tutor_in_process("explain", "5.1.1", "--lang", "vi").stdout
    assert b"UTF-8" in tutor_in_process("explain", "SMTPUTF8").stdout
    typo = tutor_in_process("explain", "dot-stufing")
    assert typo.returncode == 1 and b"dot-stuffing?" in typo.stderr and b"Traceback" not in typo.stderr
    listing = tutor_in_process("explain", "--list").stdout.decode()
    assert "PIPELINING" in listing and "dot-stuffing" in listing and "354" in listing
