"""A restart of the class server loses nothing; the CSV export parses back."""

from __future__ import annotations

import csv
import io
import smtplib
import subprocess

from smtp_tutor.classroom.export import COLUMNS
from tests.classroom.conftest import open_lab
from tests.classroom.test_class_of_30 import DOMAIN, pop3_count, textbook
from tests.conftest import tutor_command


def test_a_restart_mid_session_loses_nothing(lab_of, loop_thread):
    lab = lab_of(4)
    textbook(lab, 1, 2)
    with smtplib.SMTP("127.0.0.1", lab.port, timeout=10) as client:  # stuck at MAIL
        client.starttls(context=lab.tls())
        client.login(f"sv003@{DOMAIN}", lab.passwords["sv003"])
        client.mail(f"sv003@{DOMAIN}")
    lab.wait(lambda b: lab.row(b, 3)["reached"] == "mail")
    lab.stop()
    again = open_lab(loop_thread, lab.folder, 4)  # the same roster: no new accounts
    assert again.passwords == {}
    try:
        board = again.board()
        assert again.row(board, 1)["sent"] == 1 and again.row(board, 2)["received"] == 1
        assert again.row(board, 3)["reached"] == "mail"
        again.passwords = lab.passwords  # the slips' passwords still open the accounts
        assert pop3_count(again, 2) == 1
        textbook(again, 2, 1)
        board = again.wait(lambda b: again.row(b, 1)["received"] == 1)
        assert again.row(board, 2)["sent"] == 1
    finally:
        again.stop()


def test_export_parses_back_with_vietnamese_names(lab_of, tmp_path):
    lab = lab_of(6)
    textbook(lab, 3, 4)
    lab.wait(lambda b: lab.row(b, 3)["sent"] == 1)
    lab.running.write_board()
    out = tmp_path / "grades.csv"
    result = subprocess.run([*tutor_command(), "class", "export", "--folder", str(lab.folder),
                             "--csv", str(out)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == COLUMNS and len(rows) == 6
    three = next(r for r in rows if r["idnumber"] == "SV003")
    assert three["username"] == "sv003" and three["email"] == "sv003@uni.example"
    assert three["fullname"] == "Phạm Minh Đức 3"  # intact, as typed
    assert three["reached"] == "sent" and three["messages_sent"] == "1"
    assert next(r for r in rows if r["idnumber"] == "SV004")["messages_received"] == "1"
    assert next(r for r in rows if r["idnumber"] == "SV001")["email"] == "sv001@class.example"
