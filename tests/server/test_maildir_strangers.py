"""A shared ``--mailbox-dir`` (a class folder others can write to) and a killed server:
delivery never follows a planted symbolic link, and dead spares go at the next start."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest

from smtp_tutor.server.maildir import MaildirError, MaildirStore, deliver, list_messages


def test_a_mailbox_planted_as_a_symbolic_link_is_not_followed(tmp_path):
    shared, victim = tmp_path / "class", tmp_path / "victim"
    shared.mkdir()
    for sub in ("tmp", "new", "cur"):
        (victim / sub).mkdir(parents=True)
    (shared / "bob").symlink_to(victim)
    store = MaildirStore(shared)
    try:
        with pytest.raises(MaildirError):
            asyncio.run(store.deliver("bob", b"Subject: x\r\n\r\nhi\r\n", alone=True))
        with pytest.raises(MaildirError):
            deliver(shared, "bob", b"Subject: x\r\n\r\nhi\r\n")
    finally:
        store.close()
    assert [p for sub in ("tmp", "new", "cur") for p in (victim / sub).iterdir()] == []


def test_a_subdirectory_planted_as_a_link_is_not_followed(tmp_path):
    shared, victim = tmp_path / "class", tmp_path / "victim"
    (shared / "bob").mkdir(parents=True)
    victim.mkdir()
    (shared / "bob" / "new").symlink_to(victim)
    with pytest.raises(MaildirError):
        deliver(shared, "bob", b"hi\r\n")
    assert list(victim.iterdir()) == []


def test_a_linked_message_file_is_not_listed(tmp_path):
    deliver(tmp_path, "bob", b"mine\r\n")
    secret = tmp_path / "secret"
    secret.write_bytes(b"not bob's\r\n")
    (tmp_path / "bob" / "new" / "0.planted").symlink_to(secret)
    assert [p.read_bytes() for p in list_messages(tmp_path, "bob")] == [b"mine\n"]


def test_spares_of_a_killed_server_are_removed_when_the_next_one_starts(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, check=True)
    pid = int(dead.stdout)
    tmp = tmp_path / "bob" / "tmp"
    tmp.mkdir(parents=True)
    for number in range(5):
        (tmp / f"1700000000000000000.P{pid}S{number}.host").write_bytes(b"")
    (tmp / "somebody-elses-file").write_bytes(b"kept")
    store = MaildirStore(tmp_path)  # no delivery yet: the start alone cleans
    try:
        assert sorted(p.name for p in tmp.iterdir()) == ["somebody-elses-file"]
    finally:
        store.close()
    assert os.path.exists(tmp / "somebody-elses-file")


def test_a_delivered_spare_does_not_keep_the_message_on_disk(tmp_path):
    """A message linked from a spare into new/ and then deleted (POP3 DELE) must not keep
    its space through the spare's tmp/ name while the server runs."""
    import time

    def until(condition) -> None:
        deadline = time.monotonic() + 10
        while not condition():
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.005)

    store = MaildirStore(tmp_path)
    tmp = tmp_path / "bob" / "tmp"
    try:
        asyncio.run(store.deliver("bob", b"first\r\n", alone=True))  # spares are made
        from smtp_tutor.server.maildir import SPARES

        until(lambda: len(list(tmp.iterdir())) == SPARES)  # all made
        ready = SPARES
        paths = [asyncio.run(store.deliver("bob", b"m%d\r\n" % n, alone=True))
                 for n in range(3)]  # each written into a spare, linked into new/
        # each delivered message has lost its tmp/ name (the maker may already be making
        # new spares, so the count of tmp/ is no measure)
        until(lambda: {path.stat().st_nlink for path in paths} == {1})
        assert all(entry.stat().st_nlink == 1 for entry in tmp.iterdir())
        assert len(list(tmp.iterdir())) <= ready
    finally:
        store.close()
