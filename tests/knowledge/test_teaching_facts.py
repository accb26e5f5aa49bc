"""Facts the second content review (issue 25, R1-R18) found taught wrong, checked where the
check is mechanical, so that the same mistake cannot come back unnoticed."""

import re
from pathlib import Path

import pytest

from smtp_tutor.knowledge.lookup import explain_enhanced
from smtp_tutor.knowledge.store import load

LESSONS = Path(__file__).resolve().parent.parent.parent / "lessons"


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_an_expired_greylisted_message_is_not_taught_as_4_4_7(lang):
    """R1: RFC 3463 §3.5 asks for the actual problem's code rather than X.4.7."""
    text = (LESSONS / "15-retry-after-4xx.lesson").read_text()
    last = [line for line in text.splitlines() if line.startswith(f"{lang}:")][-1]
    assert "4.7.1" in last and "Action: failed" in last and "RFC 3463 §3.5" in last
    assert not re.search(r"Status: 4\.4\.7", last)


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_detail_the_rfc_limits_to_one_class_says_so_under_the_other(lang):
    """R4: X.4.1 and X.4.2 are "useful only as a persistent transient error", X.1.1 only
    permanent (RFC 3463 §3.2, §3.5); X.4.7 has no such limit (RFC 3463 Appendix B)."""
    assert "4.x.x" in explain_enhanced("5.4.1", lang).long
    assert "4.x.x" in explain_enhanced("5.4.2", lang).long
    assert "5.x.x" in explain_enhanced("4.1.1", lang).long
    for code in ("4.4.1", "5.1.1", "5.4.7", "4.4.7", "5.7.1"):
        long = explain_enhanced(code, lang).long
        assert "4.x.x" not in long and "5.x.x" not in long, code


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_4_7_1_is_explained_as_greylisting_in_practice(lang):
    """R12: the code of every greylisting step in lessons 11 and 15."""
    explanation = explain_enhanced("4.7.1", lang)
    word = {"en": "greylisting", "vi": "danh sách xám"}[lang]
    assert word in explanation.short and "RFC 3463" in explanation.short


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("code", ["2.0.0", "4.0.0", "5.0.0"])
def test_x_0_0_is_not_a_riddle(code, lang):
    """R13: RFC 3463 §3.1: X.0.0 is the code used when only the class is known."""
    short = explain_enhanced(code, lang).short
    assert "undefined" not in short and "không xác định" not in short


def test_432_is_a_mechanism_transition_not_a_password_change():
    """R3: RFC 4954 §6: log in once with PLAIN, then the chosen mechanism works."""
    entry = load("replies")["codes"]["432"]
    assert entry["rfc"] == [["RFC 4954", "6"]]
    for lang in ("en", "vi"):
        assert "PLAIN" in entry[lang]["long"] and "PLAIN" in entry[lang]["next"]
    assert "change the password" not in entry["en"]["next"].lower()
    assert "đổi mật khẩu" not in entry["vi"]["next"].lower()
