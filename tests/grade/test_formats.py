"""Gradescope results.json, JUnit XML, JSON and text: shapes, and hostile text made safe."""

from __future__ import annotations

import asyncio
import json
import xml.etree.ElementTree as ET

from smtp_tutor.grade.client import grade_client
from smtp_tutor.grade.formats import gradescope, render
from tests.grade.conftest import PYTHON, textbook

HOSTILE = "\x1b]0;pwned\x07\x1b[2J\u202eKO\x00\ufeff"


def _hostile_client(tmp_path):
    program = tmp_path / "hostile.py"
    program.write_text(
        f"H = {HOSTILE!r}\n"
        "import os, socket, sys\n"
        "s = socket.create_connection((os.environ['SMTP_HOST'], int(os.environ['SMTP_PORT'])))\n"
        "f = s.makefile('rb')\n"
        "def reply():\n"
        "    while True:\n"
        "        line = f.readline()\n"
        "        if not line or line[3:4] != b'-': return line\n"
        "reply()\n"
        "for line in ['HELO x' + H, 'AUTH PLAIN c2VjcmV0', 'MAIL FROM:<a@x>',\n"
        "             'RCPT TO:<b@x>', 'DATA']:\n"
        "    s.sendall(line.encode() + b'\\r\\n'); reply()\n"
        "s.sendall(('body ' + H + '\\r\\n.\\r\\n').encode()); reply()\n"
        "s.sendall(b'QUIT\\r\\n'); reply()\n"
        "print(H); sys.stderr.write(H); raise SystemExit(3)\n")
    return [PYTHON, str(program)]


def _check_gradescope_shape(results: dict) -> None:
    assert set(results) >= {"score", "tests"}
    assert isinstance(results["score"], int | float)
    total = 0.0
    for test in results["tests"]:
        assert set(test) >= {"name", "score", "max_score", "output", "visibility"}
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert 0 <= test["score"] <= test["max_score"]
        assert test["visibility"] in ("hidden", "after_due_date", "after_published", "visible")
        assert test.get("status") in (None, "passed", "failed")
        total += test["score"]
    assert abs(total - results["score"]) < 1e-9


def test_gradescope_results_shape(correct_report):
    results = json.loads(render(correct_report, "gradescope"))
    _check_gradescope_shape(results)
    assert results["score"] == 16 and len(results["tests"]) == 13


def test_junit_parses(correct_report):
    suite = ET.fromstring(render(correct_report, "junit"))
    assert suite.tag == "testsuite" and suite.get("tests") == "13"
    assert suite.get("failures") == "0"


def test_hostile_program_text_never_reaches_any_format(tmp_path):
    rubric = textbook(delivered=1, envelope=1, body=1, exits=1)
    report = asyncio.run(grade_client(_hostile_client(tmp_path), rubric, port=0))
    for form in ("text", "json", "gradescope", "junit"):
        out = render(report, form)
        for bad in ("\x1b", "\u202e", "\x00", "\ufeff", "\x07"):
            assert bad not in out, (form, bad)
        assert "c2VjcmV0" not in out  # an AUTH answer is never copied
    suite = ET.fromstring(render(report, "junit"))
    assert int(suite.get("failures")) >= 1
    _check_gradescope_shape(gradescope(report))
    assert "\\x1b" in render(report, "text")  # shown as a mark, not obeyed
    assert json.loads(render(report, "json"))["runs"][0]["returncode"] == 3
