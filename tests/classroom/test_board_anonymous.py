"""The board's one-student dialogue in anonymous mode: nothing on the projector names the
student (the dialogue carries their address in MAIL FROM and AUTH, their id in EHLO)."""

from __future__ import annotations

from smtp_tutor.classroom.board import dialogue

STUDENT = {
    "number": 3, "username": "sv003", "name": "Nguyễn Văn An", "student_id": "20231234",
    "email": "an.nguyen@uni.example", "first_mistake": "",
    "dialogue": ["C: EHLO sv003-laptop", "C: MAIL FROM:<SV003@class.example>",
                 "S: 250 2.1.0 <sv003@class.example> ... Sender ok",
                 "C: RCPT TO:<an.nguyen@uni.example>", "C: Subject: from 20231234",
                 "C: Nguyễn Văn An says hi"],
}


def test_anonymous_dialogue_names_nobody():
    shown = dialogue({"students": [STUDENT]}, "sv003", "en", anonymous=True)
    for word in ("sv003", "SV003", "Nguyễn Văn An", "20231234", "an.nguyen"):
        assert word not in shown, word
    assert "MAIL FROM:<…@class.example>" in shown and "EHLO …-laptop" in shown


def test_the_named_dialogue_is_as_it_was():
    shown = dialogue({"students": [STUDENT]}, "sv003", "en")
    assert "MAIL FROM:<SV003@class.example>" in shown and "Nguyễn Văn An" in shown
