"""The renderers' own words in the reader's language: labels, the stuffing mark, RFC appendices."""

import io

import pytest

from smtp_tutor.protocol import ClientSession
from smtp_tutor.render.jsonl import JsonRenderer
from smtp_tutor.render.plain import PlainRenderer
from smtp_tutor.render.terminal import TerminalRenderer

WORDS = {
    "en": ("note: ", "(RFC 5321 §4.1.1.1, Appendix F.3)", "raw ..dot⏎  (dot-stuffed)", "raw HELO a⏎"),
    "vi": ("ghi chú: ", "(RFC 5321 §4.1.1.1, Phụ lục F.3)", "thô ..dot⏎  (đã nhồi dấu chấm)",
           "thô HELO a⏎"),
}


def _dialogue(renderer) -> str:
    renderer.raw = True
    session = ClientSession()
    renderer.show_all([session.receive(b"220 x\r\n")][0])
    renderer.show_all(session.send("HELO a").events)
    renderer.show_all(session.receive(b"250 ok\r\n"))
    for line, reply in (("MAIL FROM:<a@b>", b"250 ok\r\n"), ("RCPT TO:<b@c>", b"250 ok\r\n"),
                        ("DATA", b"354 go\r\n")):
        renderer.show_all(session.send(line).events)
        renderer.show_all(session.receive(reply))
    renderer.show_all(session.send(".dot").events)
    return renderer.stream.getvalue()


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_plain_labels_and_references(lang):
    out = _dialogue(PlainRenderer(lang, io.StringIO()))
    for words in WORDS[lang]:
        assert words in out, (words, out)


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_terminal_labels_and_references(lang):
    out = _dialogue(TerminalRenderer(lang, io.StringIO(), color=False, width=200))
    note, rfc, stuffed, raw = WORDS[lang]
    assert rfc in out and stuffed in out and raw in out


def test_the_plain_error_and_warning_labels():
    for lang, warning, error in (("en", "warning: ", "error: "), ("vi", "cảnh báo: ", "lỗi: ")):
        renderer = PlainRenderer(lang, io.StringIO())
        renderer.message("tls-insecure", {}, "warning")
        renderer.message("connection-closed", {}, "error")
        out = renderer.stream.getvalue()
        assert f"   {warning}" in out and f"   {error}" in out


def test_json_keeps_the_reference_as_the_protocol_core_wrote_it():
    out = _dialogue(JsonRenderer("vi", io.StringIO()))
    assert "Appendix F.3" in out and "Phụ lục" not in out.split('"rfc"')[1][:40]
