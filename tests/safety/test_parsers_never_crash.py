"""Any input to the three readers of untrusted text gives a result or a short error,
never an exception, and never takes long (hypothesis, with a per-example deadline)."""

from __future__ import annotations

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from smtp_tutor.lessons.parser import LessonError, parse_lesson
from smtp_tutor.protocol import ProtocolError, ReplyParser
from smtp_tutor.protocol.notation import read_transcript
from smtp_tutor.protocol.replay import replay

FAST = settings(max_examples=300, deadline=datetime.timedelta(milliseconds=500))
PIECES = st.sampled_from(["S: ", "C: ", "220 ", "250-", "250 ", "354 ", "334 ", "send: b'",
                          "reply: b'", "\\r\\n'", "->", "<-", "~>", "expect: 2xx /", "/",
                          "level: ", "server: greylist=", "wait: ", "or: ", "en: ", "vi: ",
                          "DATA", "AUTH LOGIN", "STARTTLS", ".", "\n", "\r", "\x1b[2J", "\u202e",
                          "²", "9" * 50, "(" * 20, "{domain}", "{nope}"])
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=20)), max_size=40).map("".join)


@FAST
@given(TEXT)
def test_the_lesson_parser_answers_or_lists_problems(text):
    try:
        lesson = parse_lesson(text)
    except LessonError as error:
        assert error.problems
        return
    for step in lesson.steps:
        step.expects(250, "x" * 100)


@FAST
@given(TEXT)
def test_the_transcript_reader_and_replay_never_raise(text):
    list(replay(read_transcript(text)))


@FAST
@given(st.lists(st.binary(max_size=300), max_size=20))
def test_the_reply_parser_never_raises_and_stays_bounded(chunks):
    parser = ReplyParser(max_line=512, max_lines=50)
    for chunk in chunks:
        for item in parser.feed(chunk):
            assert isinstance(item, ProtocolError) or 200 <= item.code <= 599
    assert len(parser._buffer) <= 512 + 300
