"""The built-in library: every lesson checks, covers both languages and plays green."""

import json
import re

import pytest

from smtp_tutor.lessons.library import find, library_paths, load_library
from tests.conftest import TEXTBOOK_TRANSCRIPT as TEXTBOOK
from tests.conftest import run_tutor, tutor_in_process

# The lessons are played in this process (cli.main, tutor_in_process): what is tested is
# the play, not the start; the textbook transcript and the progress test start the program.

LESSON_IDS = [re.sub(r"^\d+-|\.lesson$", "", p.rsplit("/", 1)[-1]) for p in library_paths()]


def test_the_library_has_the_eighteen_lessons_in_order_all_bilingual():
    lessons, errors = load_library()
    assert not errors, [str(p) for e in errors for p in e.problems]
    assert len(lessons) == 18 and lessons[0].id == "alice-bob"
    assert [lesson.id for lesson in lessons] == LESSON_IDS
    for lesson in lessons:
        assert lesson.languages == ["en", "vi"], lesson.id
        assert all(step.narration for step in lesson.steps[:1]), lesson.id
        for required in lesson.requires:
            assert required in LESSON_IDS, (lesson.id, required)


def test_watch_offline_reproduces_the_textbook_transcript_line_for_line():
    result = run_tutor("lesson", "play", "alice-bob", "--mode", "watch", "--offline")
    assert result.returncode == 0
    dialogue = [line for line in result.stdout.decode().splitlines() if line[:3] in ("S: ", "C: ")]
    assert "\n".join(dialogue) + "\n" == TEXTBOOK


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_each_lesson_plays_green_against_the_practice_server(lesson_id):
    result = tutor_in_process("lesson", "play", lesson_id, "--mode", "watch", "--json")
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    checks = [r for r in records if r["event"] == "check"]
    assert checks and all(c["ok"] for c in checks), [c for c in checks if not c["ok"]]
    assert result.returncode == 0
    assert any(r["event"] == "narration" for r in records)


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_each_lesson_plays_offline_in_vietnamese(lesson_id):
    result = tutor_in_process("lesson", "play", lesson_id, "--mode", "watch", "--offline",
                              "--lang", "vi")
    assert result.returncode == 0, result.stdout.decode()[-600:]
    assert "Hoàn thành bài học" in result.stdout.decode()


def test_lessons_are_found_by_id_number_and_path():
    assert find("alice-bob") == find("1") == library_paths()[0]
    assert find("no-such-lesson") is None


def test_progress_is_kept_and_listed(tutor_home):
    watched = run_tutor("lesson", "play", "errors", "--mode", "watch", "--offline", "--lang", "en")
    line = next(line for line in run_tutor("lesson", "list").stdout.decode().splitlines()
                if " errors " in line)
    assert "✓" not in line and "[en+vi]" in line  # watching is not doing
    typed = [line[3:] for line in watched.stdout.decode().splitlines() if line.startswith("C: ")]
    stdin = "".join(f"{line}\n" for line in typed).encode()
    assert run_tutor("lesson", "play", "errors", stdin=stdin).returncode == 0
    line = next(line for line in run_tutor("lesson", "list").stdout.decode().splitlines()
                if " errors " in line)
    assert "✓" in line


def test_the_auth_lesson_never_shows_the_base64_secrets():
    out = tutor_in_process("lesson", "play", "auth", "--mode", "watch").stdout.decode()
    assert "AUTH PLAIN ********" in out
    assert "AGFsaWNlAGtldGNodXA" not in out and "a2V0Y2h1cA" not in out


def _lesson_lines(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read().splitlines()


@pytest.mark.parametrize("path", library_paths(), ids=LESSON_IDS)
def test_server_lines_are_shown_as_written_so_they_hold_no_placeholder(path):
    # a placeholder is {name}; IMAP's literal {51} is a size, written as the server sends it
    assert not [line for line in _lesson_lines(path)
                if line.startswith("S:") and re.search(r"\{[A-Za-z_]+\}", line)]


@pytest.mark.parametrize("path", library_paths()[1:], ids=LESSON_IDS[1:])
def test_every_message_but_the_textbook_one_has_date_and_from(path):
    lines, messages = _lesson_lines(path), []
    for index, line in enumerate(lines):
        if line.startswith("S: 354"):
            body = []
            for following in lines[index + 1:]:
                if following == "C: .":
                    break
                body.append(following)
            messages.append(body)
    for body in messages:
        assert any(b.startswith("C: Date: ") for b in body), path
        assert any(b.startswith("C: From: ") for b in body), path


@pytest.mark.parametrize("path", library_paths(), ids=LESSON_IDS)
def test_enhanced_codes_follow_the_ehlo_list(path):
    """RFC 2034: once ENHANCEDSTATUSCODES is listed, every 2xx/4xx/5xx reply but the EHLO/HELO
    replies carries one; without it, none does."""
    lines = [line[3:] for line in _lesson_lines(path) if re.match(r"S: [2-5]\d\d[ -]", line)]
    advertised = any("ENHANCEDSTATUSCODES" in line for line in lines)  # SMTP replies only
    after_ehlo = False
    for line in lines:
        if re.match(r"220 [a-z]", line):  # a world lesson's next hop: a new session's greeting
            after_ehlo = False
            continue
        if line.startswith("250-") and "Hello" in line:
            after_ehlo = True
            continue
        if not after_ehlo or line[0] == "3" or line[3] == "-" or "Hello" in line:
            continue
        if line[4:].split(" ")[0] in ("HELP", "AUTH", "STARTTLS", "SIZE", "8BITMIME"):
            continue
        has_code = re.match(r"[245]\d\d [245]\.\d{1,3}\.\d{1,3} ", line) is not None
        assert has_code == advertised, (path, line)


def test_the_greylisting_lesson_says_the_retry_is_compressed():
    text = "\n".join(_lesson_lines(find("try-again-later")))
    assert "30 minutes" in text and "30 phút" in text


def test_the_base64_arithmetic_is_right():
    import base64

    text = "\n".join(_lesson_lines(find("seven-bit")))
    assert len("Xin chào Bob".encode()) == 13 and len(base64.b64encode("Xin chào Bob".encode())) == 20
    assert "54%" in text and "about a third more" not in text
    assert base64.b64encode("Xin chào".encode()).decode() in text  # the encoded Subject:
