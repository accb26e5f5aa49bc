"""``smtp-tutor export``: valid SVG/HTML/Markdown holding the dialogue and the diagram."""

import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

from tests.conftest import tutor_in_process

# export runs in this process (tutor_in_process): the files it writes are what is tested


def test_svg_of_the_textbook_lesson_is_valid_and_complete(tmp_path):
    out = tmp_path / "slide.svg"
    result = tutor_in_process("export", "alice-bob", "--format", "svg", "-o", str(out), "--lang", "en")
    assert result.returncode == 0, result.stderr.decode()
    root = ElementTree.parse(out).getroot()
    assert root.tag.endswith("svg")
    text = "".join(root.itertext()).replace("\xa0", " ")
    for expected in ("HELO crepes.fr", "354", "Do you like ketchup?", "sequence diagram",
                     "Message accepted for delivery", "◀", "▶"):
        assert expected in text, expected


def test_html_and_markdown(tmp_path):
    html = tmp_path / "page.html"
    assert tutor_in_process("export", "alice-bob", "--format", "html", "-o", str(html), "--lang", "vi").returncode == 0
    parser = HTMLParser()
    parser.feed(html.read_text())  # raises on nothing, so also check structure:
    content = html.read_text()
    assert content.lstrip().lower().startswith("<!doctype html>") and "</html>" in content
    assert "thành công" in content and "RCPT TO" in content
    md = tmp_path / "notes.md"
    assert tutor_in_process("export", "1", "--format", "md", "-o", str(md)).returncode == 0
    text = md.read_text()
    assert text.startswith("# The textbook session") and "## Sequence diagram" in text
    assert "│◀" in text and "▶│" in text


def test_a_transcript_file_exports_too_and_a_missing_source_is_explained(tmp_path):
    transcript = tmp_path / "session.txt"
    transcript.write_text("<-  220 x ESMTP\n -> EHLO a\n<-  250 x\n -> QUIT\n<-  221 bye\n")
    out = tmp_path / "t.md"
    assert tutor_in_process("export", str(transcript), "--format", "md", "-o", str(out)).returncode == 0
    assert "EHLO a" in out.read_text()
    missing = tutor_in_process("export", str(tmp_path / "nope.txt"))
    assert missing.returncode == 2 and b"lesson list" in missing.stderr
