"""visible() and printable() skip their regular expressions for plain ASCII: the same
answers as the expressions alone, for any text."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from smtp_tutor.protocol import visible as module
from smtp_tutor.protocol.visible import has_unsafe, printable, visible

UNSAFE = re.compile(module._PATTERNS["UNSAFE"])
UNSAFE_OR_TAB = re.compile(module._PATTERNS["_UNSAFE_OR_TAB"])
TEXT = st.lists(st.one_of(st.text(max_size=10), st.text(st.characters(max_codepoint=0xa0)),
                          st.sampled_from(["\t", "\x1b[2J", "\x7f", "\u202e", "\u200b", "\x9b",
                                           "\ufeff", " ", "~", "250 OK"])),
                max_size=8).map("".join)


def _mark(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"<U+{code:04X}>"


@settings(max_examples=500, deadline=None)
@given(TEXT)
def test_the_ascii_shortcut_changes_no_answer(text):
    assert visible(text) == UNSAFE.sub(_mark, text)
    assert has_unsafe(text) == (UNSAFE.search(text) is not None)
    assert printable(text) == UNSAFE_OR_TAB.sub("?", text)


def test_patterns_are_still_importable_by_name():
    from smtp_tutor.protocol.visible import MARK, UNSAFE

    assert UNSAFE.search("a\x1bb") and MARK.fullmatch("<U+202E>")
    assert visible("250 OK\x1b[2J\u202e") == "250 OK\\x1b[2J<U+202E>"
    assert visible("tab\tkept") == "tab\tkept" and printable("tab\there") == "tab?here"
