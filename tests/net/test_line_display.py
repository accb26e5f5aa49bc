"""A prompt's input line draws invisible characters as marks (net/line_display.py): a
pasted U+202E would otherwise reverse the rest of the line on the screen, so what the
line seems to say would not be what is sent."""

from __future__ import annotations

from prompt_toolkit.layout.screen import Char

from smtp_tutor.net.line_display import show_invisible_characters
from smtp_tutor.protocol.visible import INVISIBLE_CHARACTERS, INVISIBLE_RANGES, visible
from tests.pty_screen import PtyScreen


def test_every_invisible_character_is_drawn_as_visible_shows_it():
    show_invisible_characters()
    for first, last in INVISIBLE_RANGES:
        for code in range(first, last + 1):
            drawn = Char.display_mappings[chr(code)]
            assert drawn == visible(chr(code)) == f"<U+{code:04X}>"
    assert len(INVISIBLE_CHARACTERS) == sum(last - first + 1 for first, last in INVISIBLE_RANGES)
    assert "\n" in Char.display_mappings and "a" not in Char.display_mappings
    assert " " not in Char.display_mappings and "é" not in Char.display_mappings


def test_a_pasted_bidi_override_is_drawn_in_the_shell_not_obeyed(practice):
    term = PtyScreen("connect", practice.host, str(practice.port), "--cafile",
                     str(practice.ca_path))
    try:
        term.wait("[helo]>")
        term.reading()
        term.type("HELO cr\u202eepes.fr")
        term.wait_cursor_line("127.0.0.1 [helo]> HELO cr<U+202E>epes.fr")
        assert "\u202e" not in term.raw  # never written to the terminal as it is
        term.type("\x15QUIT\r")
        term.wait("221")
    finally:
        term.close()
