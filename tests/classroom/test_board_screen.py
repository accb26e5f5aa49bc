"""The board as a person sees it: a real pseudo-terminal read through pyte, at 80x24 and
160x45; and `class start` as the instructor runs it, stopped by Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time

import pytest

from tests.classroom.test_class_of_30 import raw_session, textbook
from tests.conftest import tutor_command
from tests.pty_screen import PtyScreen

SGR = re.compile(r"\x1b\[[0-9;]*m")


@pytest.mark.parametrize(("columns", "rows"), [(80, 24), (160, 45)])
def test_board_fits_the_screen_and_says_everything_in_words(lab_of, columns, rows):
    lab = lab_of(30)
    textbook(lab, 5, 6)
    raw_session(lab.port, [f"EHLO {lab.account(7).token}.lab\n".encode(), b"QUIT\r\n"])
    lab.wait(lambda b: lab.row(b, 7)["first_mistake"] and lab.row(b, 5)["sent"])
    lab.running.write_board()
    screen = PtyScreen("class", "board", "--folder", str(lab.folder), rows=rows,
                       columns=columns, env={"NO_COLOR": "1"})
    try:
        shown = screen.wait("sorted by: stuck longest")
        lines = screen.screen.display
        assert "0/30 connected" in lines[0] and "Stuck" in lines[1]
        # the one who started and is stuck comes first, with the lint's finding
        assert lines[2].startswith("▶Bùi Ngọc Hà 7") and "EHLO" in lines[2], lines[2]
        assert lines[2].rstrip().endswith("bare LF, not CRLF")  # whole, even at 80 columns
        assert all(len(line.rstrip()) <= columns for line in lines)
        finished = [line for line in lines if "sent ✓" in line]
        assert bool(finished) == (rows > 33)  # finished students come last
        if finished:
            assert finished[0].startswith(" Võ Quốc Phong 5")
        more = "more students" in shown
        assert more == (rows - 3 < 30)
        assert not SGR.search(screen.raw)  # NO_COLOR: no colour, no bold
        # anonymous mode: no name anywhere
        anon = PtyScreen("class", "board", "--folder", str(lab.folder), "--anonymous",
                         rows=rows, columns=columns)
        try:
            text = anon.wait("sorted by")
            assert "student 1" in text and "Nguyễn" not in text and "Trần" not in text
        finally:
            anon.close()
    finally:
        screen.close()


def test_the_first_mistake_in_vietnamese_whole_at_80x24_and_its_advice_on_enter(lab_of):
    lab = lab_of(30)
    raw_session(lab.port, [f"EHLO {lab.account(7).token}.lab\n".encode(), b"QUIT\r\n"])
    lab.wait(lambda b: lab.row(b, 7)["first_mistake"])
    lab.running.write_board()
    screen = PtyScreen("class", "board", "--folder", str(lab.folder), "--lang", "vi",
                       rows=24, columns=80, env={"NO_COLOR": "1"})
    try:
        screen.wait("Enter")
        row = screen.screen.display[2]
        assert row.startswith("▶Bùi Ngọc Hà 7") and row.rstrip().endswith(
            "LF đơn, không phải CRLF"), row
        screen.child.send("\r")
        shown = screen.wait("Lỗi đầu tiên: LF đơn, không phải CRLF.")
        assert "Hãy kết thúc mọi dòng bằng" in shown  # the lint's hint, from messages.toml
        assert all(len(line.rstrip()) <= 80 for line in screen.screen.display)
        screen.child.send("q")
        assert screen.ended() == 0
    finally:
        screen.close()


def test_keys_open_one_students_dialogue_and_q_quits(lab_of):
    lab = lab_of(3)
    token = lab.account(2).token
    raw_session(lab.port, [f"EHLO {token}.lab\r\n".encode(),
                           b"MAIL FROM:<sv002@class.example>\r\n", b"QUIT\r\n"])
    lab.wait(lambda b: lab.row(b, 2)["reached"] == "mail")
    lab.running.write_board()
    screen = PtyScreen("class", "board", "--folder", str(lab.folder), rows=24, columns=80)
    try:
        screen.wait("Enter: dialogue")
        lines = screen.screen.display
        assert lines[2].startswith("▶") and "MAIL" in lines[2]  # the stuck one, chosen
        screen.child.send("\r")
        shown = screen.wait("Last lines of Lê Hoàng Cường 2's dialogue")
        assert "C: EHLO ‹token›.lab" in shown and "S: 250" in shown  # never the token
        assert token not in screen.raw
        screen.child.send("\r")
        screen.wait("sorted by")
        screen.child.send("a")
        screen.wait("student 2")
        screen.child.send("q")
        assert screen.ended() == 0
    finally:
        screen.close()


def test_class_start_says_where_it_listens_and_stops_on_ctrl_c(tmp_path):
    from tests.classroom.conftest import write_roster

    roster = write_roster(tmp_path / "roster.csv", 3)
    folder = tmp_path / "class"
    child = subprocess.Popen([*tutor_command(), "class", "start", "--roster", str(roster),
                              "--folder", str(folder), "--port", "0", "--pop3-port", "0", "--imap-port", "0",
                              "--progress-port", "0"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        out = ""
        deadline = time.monotonic() + 20
        while "Ctrl-C" not in out and time.monotonic() < deadline:
            out += child.stdout.readline()
        assert "Listening on loopback only" in out and "SHA-256 fingerprint" in out
        slips = (folder / "slips.txt").read_text(encoding="utf-8")
        assert slips.count("Mật khẩu:") == 3 and "Nguyễn" not in out
        accounts = (folder / "accounts.json").read_text(encoding="utf-8")
        password = re.search(r"Password:\s+(\S+)", slips).group(1)
        assert password not in accounts  # hashed only
        child.send_signal(signal.SIGINT)
        assert child.wait(20) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    # a student added later: only their slip, printed (--slips -); the others' accounts kept
    write_roster(roster, 4)
    child = subprocess.Popen([*tutor_command(), "class", "start", "--roster", str(roster),
                              "--folder", str(folder), "--port", "0", "--pop3-port", "0", "--imap-port", "0",
                              "--progress-port", "0", "--slips", "-"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        out = ""
        deadline = time.monotonic() + 20
        while "Ctrl-C" not in out and time.monotonic() < deadline:
            out += child.stdout.readline()
        assert out.count("Password:") == 1 and "(SV004)" in out
        assert (folder / "accounts.json").read_text(encoding="utf-8").count('"token"') == 4
        child.send_signal(signal.SIGINT)
        assert child.wait(20) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def test_class_start_board_is_the_keyed_board_in_the_same_terminal(tmp_path):
    """`class start --board`: the live board of `class board` (keys, anonymous, sort,
    one student's dialogue) drawn from the running class itself; q stops the class."""
    import json

    from tests.classroom.conftest import write_roster

    roster = write_roster(tmp_path / "roster.csv", 4)
    folder = tmp_path / "class"
    screen = PtyScreen("class", "start", "--board", "--roster", str(roster), "--folder",
                       str(folder), "--port", "0", "--pop3-port", "0", "--imap-port", "0",
                       "--progress-port", "0", rows=24, columns=80, env={"NO_COLOR": "1"})
    try:
        shown = screen.wait("q: stop the class")
        port = int(re.search(r"127\.0\.0\.1:(\d+)", shown).group(1))
        tokens = {a["username"]: a["token"]
                  for a in json.loads((folder / "accounts.json").read_text(encoding="utf-8"))}
        raw_session(port, [f"EHLO {tokens['sv003']}.lab\r\n".encode(),
                           b"MAIL FROM:<sv003@class.example>\r\n", b"QUIT\r\n"])
        deadline = time.monotonic() + 20
        while not screen.screen.display[2].startswith("▶Phạm Minh Đức 3"):
            assert time.monotonic() < deadline, screen.text()
            screen.text()
        assert "MAIL" in screen.screen.display[2]  # stuck at MAIL: first, chosen
        screen.child.send("\r")
        shown = screen.wait("Last lines of Phạm Minh Đức 3's dialogue")
        assert "C: EHLO ‹token›.lab" in shown and tokens["sv003"] not in screen.raw
        screen.child.send("\r")
        screen.wait("sorted by: stuck longest")
        screen.child.send("s")
        screen.wait("sorted by: roster order")
        assert screen.screen.display[2].startswith("▶Trần Thị Bình 1")
        screen.child.send("j")
        deadline = time.monotonic() + 20
        while not screen.screen.display[3].startswith("▶"):
            assert time.monotonic() < deadline, screen.text()
            screen.text()
        screen.child.send("a")
        screen.wait("student 2")
        assert "Trần" not in "\n".join(screen.screen.display)
        assert not SGR.search(screen.raw)  # NO_COLOR
        screen.child.send("q")
        assert screen.ended() == 0
    finally:
        screen.close()
    board = json.loads((folder / "board.json").read_text(encoding="utf-8"))
    three = next(s for s in board["students"] if s["username"] == "sv003")
    assert three["reached"] == "mail" and three["connected"] == 0  # saved on the way out
