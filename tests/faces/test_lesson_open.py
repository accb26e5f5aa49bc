"""``'²'.isdigit()`` is true, ``int('²')`` raises: every number typed on the command line
is read as ASCII digits, and anything else gets a short message, never a traceback."""

from __future__ import annotations

import pytest

from tests.conftest import run_tutor


@pytest.mark.parametrize("args", [("lesson", "play", "²"), ("export", "²"), ("demo", "²"),
                                  ("lesson", "play", "1²"), ("lesson", "check", "²")])
def test_a_superscript_lesson_number_is_no_lesson(args):
    result = run_tutor(*args, timeout=30)
    err = result.stderr.decode() + result.stdout.decode()
    assert result.returncode in (1, 2), err
    assert "unexpected error" not in err and "Traceback" not in err
    assert "²" in err and "lesson list" in err
