"""T19: the journey lessons in Vietnamese carry no English prose (hop headings included),
played offline and live in the practice world."""

from __future__ import annotations

import pytest

from tests.test_vietnamese_walk import assert_vietnamese, run_vi


@pytest.mark.parametrize("number", range(13, 17))
def test_journey_watch_offline_in_vietnamese(number):
    out = run_vi("lesson", "play", str(number), "--offline", "--mode", "watch", "--pace", "0.001")
    assert "chặng 1" in out
    assert_vietnamese(f"lesson {number}", out)


@pytest.mark.parametrize("number", [13, 16])
def test_journey_watch_live_in_vietnamese(number):
    out = run_vi("lesson", "play", str(number), "--mode", "watch", "--pace", "0.001")
    assert "(cổng 587)" in out
    assert_vietnamese(f"lesson {number} live", out)
