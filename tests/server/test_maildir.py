"""The group-commit Maildir store: spares made ahead, names of delivery time, cleanup."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

from smtp_tutor.server import maildir
from smtp_tutor.server.maildir import MaildirStore, remove_dead_spares


def _deliver_all(store: MaildirStore, messages: list[bytes], *, alone: bool) -> list:
    async def run() -> list:
        paths = []
        for message in messages:
            paths.append(await store.deliver("bob", message, alone=alone))
            await asyncio.sleep(0)  # the maker thread runs meanwhile
        return paths

    return asyncio.run(run())


def _wait_for_spares(tmp, at_least: int) -> list:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        spares = list(tmp.iterdir())
        if len(spares) >= at_least:
            return spares
        time.sleep(0.01)
    raise AssertionError(f"only {len(list(tmp.iterdir()))} spares were made")


def _stat(path):
    try:
        return path.stat()
    except FileNotFoundError:
        return None


def test_messages_land_in_new_in_delivery_order_and_close_removes_the_spares(tmp_path):
    store = MaildirStore(tmp_path)
    messages = [f"Subject: {number}\r\n\r\nbody {number}\r\n".encode() for number in range(150)]
    try:
        paths = _deliver_all(store, messages, alone=True)
        tmp = tmp_path / "bob" / "tmp"
        spares = _wait_for_spares(tmp, maildir.SPARES_LOW)
        # ready (empty) or delivered (linked into new/, its tmp/ name not dropped yet,
        # or dropped since the folder was listed)
        assert all(stat is None or stat.st_size == 0 or stat.st_nlink == 2
                   for stat in map(_stat, spares))
    finally:
        store.close()
    assert [path.read_bytes() for path in paths] == [m.replace(b"\r\n", b"\n") for m in messages]
    assert {path.stat().st_nlink for path in paths} == {1}
    assert sorted(paths, key=lambda path: path.name) == paths  # names of delivery time
    assert {path.parent.name for path in paths} == {"new"}
    assert list(tmp.iterdir()) == []


def test_a_batch_of_concurrent_messages_is_written_into_spares(tmp_path):
    """Spares made while one client was connected serve the next burst."""
    store = MaildirStore(tmp_path)

    async def run() -> list:
        await store.deliver("bob", b"first\r\n", alone=True)
        for _ in range(1000):  # until the maker thread has filled the reserve
            if len(list((tmp_path / "bob" / "tmp").iterdir())) >= maildir.SPARES:
                break
            await asyncio.sleep(0.01)
        return await asyncio.gather(*(store.deliver("bob", f"m{n}\r\n".encode())
                                      for n in range(40)))

    try:
        paths = asyncio.run(run())
    finally:
        store.close()
    assert sorted(path.read_bytes() for path in paths) == sorted(
        f"m{n}\n".encode() for n in range(40))  # stored with LF (maildir(5))
    assert len(list((tmp_path / "bob" / "new").iterdir())) == 41
    assert list((tmp_path / "bob" / "tmp").iterdir()) == []


def test_a_spare_removed_by_someone_else_does_not_lose_the_message(tmp_path):
    store = MaildirStore(tmp_path)
    try:
        _deliver_all(store, [b"one\r\n"], alone=True)
        tmp = tmp_path / "bob" / "tmp"
        # the refill may end before the first delivery takes one of them: 63 or 64 left
        for spare in _wait_for_spares(tmp, maildir.SPARES - 1):
            spare.unlink(missing_ok=True)  # a reader cleaning tmp/ (the maker may drop one first)
        paths = _deliver_all(store, [b"two\r\n", b"three\r\n"], alone=True)
    finally:
        store.close()
    assert [path.read_bytes() for path in paths] == [b"two\n", b"three\n"]


def test_spares_of_a_killed_server_are_removed_and_nothing_else(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    (tmp / f"1.P{dead}S1.host").write_bytes(b"")
    (tmp / f"1.P{os.getpid()}S2.host").write_bytes(b"")  # a live server's
    (tmp / f"1.P{dead}S3.host").write_bytes(b"half a message")  # not a spare any more
    (tmp / f"1.P{dead}Q4.host").write_bytes(b"")  # a message being written
    (tmp / f"1.P{dead}S5.host").write_bytes(b"delivered")
    os.link(tmp / f"1.P{dead}S5.host", tmp_path / "in-new")  # as if linked into new/
    remove_dead_spares(tmp)
    assert sorted(path.name for path in tmp.iterdir()) == sorted(
        [f"1.P{os.getpid()}S2.host", f"1.P{dead}S3.host", f"1.P{dead}Q4.host"])


def test_no_spares_are_made_for_concurrent_clients(tmp_path):
    store = MaildirStore(tmp_path)

    async def run() -> None:
        await asyncio.gather(*(store.deliver("bob", b"m\r\n") for _ in range(20)))
        await asyncio.sleep(0.2)

    try:
        asyncio.run(run())
        assert list((tmp_path / "bob" / "tmp").iterdir()) == []
    finally:
        store.close()


def test_serve_stopped_by_ctrl_c_or_sigterm_leaves_nothing_in_tmp(tmp_path):
    import signal
    import smtplib
    import socket

    from tests.conftest import tutor_command

    for stop in (signal.SIGINT, signal.SIGTERM):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        mail = tmp_path / f"mail-{stop.name}"
        server = subprocess.Popen([*tutor_command(), "serve", "--port", str(port), "--quiet",
                                   "--mailbox-dir", str(mail)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert b"practice server" in server.stdout.readline()
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
                client.sendmail("alice@crepes.fr", ["bob@hamburger.edu"], b"Subject: x\r\n\r\nhi\r\n")
            _wait_for_spares(mail / "bob" / "tmp", 1)
        finally:
            server.send_signal(stop)
            _, err = server.communicate(timeout=10)
        assert server.returncode == 0 and b"Traceback" not in err, err
        assert list((mail / "bob" / "tmp").iterdir()) == []
        assert len(list((mail / "bob" / "new").iterdir())) == 1
