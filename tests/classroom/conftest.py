"""A class server in-process (on the suite's loop thread), with a roster of N students."""

from __future__ import annotations

import ssl
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from smtp_tutor.classroom.roster import read_roster
from smtp_tutor.classroom.service import ClassConfig, open_folder, start_class

NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Minh Đức", "Hoàng Thị Én",
         "Võ Quốc Phong", "Đặng Thu Giang", "Bùi Ngọc Hà", "Đỗ Khánh Linh", "Hồ Gia Huy"]


def write_roster(path: Path, count: int) -> Path:
    lines = ["student id,name,email"]
    for number in range(1, count + 1):
        name = f"{NAMES[number % len(NAMES)]} {number}"
        email = f"sv{number:03d}@uni.example" if number % 3 == 0 else ""
        lines.append(f"SV{number:03d},{name},{email}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):  # noqa: ANN001, ANN201
    """In-process classes hash with a smaller scrypt cost (as Django's tests use a fast
    hasher); each hash keeps its own cost, and `class start` in a subprocess keeps the
    real one."""
    from smtp_tutor.classroom import accounts

    monkeypatch.setitem(accounts.SCRYPT, "n", 2 ** 8)


@dataclass
class Lab:
    folder: Path
    running: object
    passwords: dict[str, str]
    loop_thread: object

    @property
    def port(self) -> int:
        return self.running.port

    @property
    def pop3_port(self) -> int:
        return self.running.pop3_port

    def tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.running.ca_path))

    def account(self, number: int):  # noqa: ANN201
        return self.running.room.accounts.by_name[f"sv{number:03d}"]

    def board(self) -> dict:
        async def take() -> dict:
            return self.running.board()
        return self.loop_thread.run(take())

    def wait(self, condition, timeout: float = 10.0) -> dict:  # noqa: ANN001
        """The board once ``condition(board)`` holds (polled, no fixed sleep)."""
        deadline = time.monotonic() + timeout
        while True:
            board = self.board()
            if condition(board):
                return board
            if time.monotonic() > deadline:
                raise AssertionError(f"board never got there: {board['students'][:3]}")
            time.sleep(0.02)

    def row(self, board: dict, number: int) -> dict:
        return next(s for s in board["students"] if s["username"] == f"sv{number:03d}")

    def stop(self) -> None:
        self.loop_thread.run(self.running.stop())


def open_lab(loop_thread, folder: Path, count: int, **options) -> Lab:  # noqa: ANN001, ANN003
    accounts = open_folder(folder)
    passwords = accounts.add(read_roster(write_roster(folder.parent / "roster.csv", count)))
    accounts.save()

    async def start():  # noqa: ANN202
        return await start_class(ClassConfig(folder, port=0, pop3_port=0, imap_port=0, progress_port=0,
                                             **options), accounts)
    return Lab(folder, loop_thread.run(start()), passwords, loop_thread)


@pytest.fixture
def lab_of(loop_thread, tmp_path):  # noqa: ANN001, ANN201
    labs: list[Lab] = []

    def make(count: int, **options) -> Lab:  # noqa: ANN003
        lab = open_lab(loop_thread, tmp_path / "class", count, **options)
        labs.append(lab)
        return lab
    yield make
    for lab in labs:
        if lab.running.tasks and not lab.running.tasks[0].done():
            lab.stop()
