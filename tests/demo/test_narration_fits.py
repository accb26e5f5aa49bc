"""Every step's narration is whole in the demo at 80x24 (the pane grows to six lines there;
what does not fit would end in "…" on the projector)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from smtp_tutor.lessons.parser import read_lesson

LESSONS = sorted((Path(__file__).resolve().parents[2] / "lessons").glob("*.lesson"))


@pytest.mark.parametrize("path", LESSONS, ids=lambda path: path.stem)
def test_every_narration_fits_the_demo_at_80x24(path):
    too_long = []
    for number, step in enumerate(read_lesson(path).steps):
        for lang, text in (getattr(step, "narration", None) or {}).items():
            lines = textwrap.wrap(text, 78, break_on_hyphens=False)
            if len(lines) > 6:
                too_long.append(f"step {number} [{lang}]: {len(lines)} lines: {text[:60]}…")
    assert not too_long, "\n".join(too_long)
