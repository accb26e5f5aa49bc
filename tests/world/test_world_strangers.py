"""The world against strangers and rough stops: a POP3 flood is capped and said once,
SIGTERM and kill -9 leave no spare files behind in tmp/."""

from __future__ import annotations

import os
import signal
import socket
import subprocess

from smtp_tutor.world.runner import read_state
from tests.conftest import tutor_command
from tests.world.conftest import messages, wait_for
from tests.world.test_world_cli import _start, _submit_to


def _spares(directory) -> list:
    return [p for p in (directory / "mail").glob("*/*/tmp/*")]


def test_pop3_connections_over_the_cap_are_refused_and_reported(world_with):
    world = world_with(pop3_max_connections=2)
    opened = []
    try:
        for _ in range(2):
            opened.append(socket.create_connection(("127.0.0.1", world.pop3.port), timeout=10))
            assert opened[-1].makefile("rb").readline().startswith(b"+OK")
        for _ in range(3):
            opened.append(socket.create_connection(("127.0.0.1", world.pop3.port), timeout=10))
            assert opened[-1].makefile("rb").readline().startswith(b"-ERR [SYS/TEMP]")
        from smtp_tutor.world.events import ReaderRefused

        assert world.recorder.of(ReaderRefused) == [ReaderRefused("pop3", 2)]
        # the submission server still answers
        with socket.create_connection(("127.0.0.1", world.submission.port), timeout=10) as smtp:
            assert smtp.makefile("rb").readline().startswith(b"220 ")
    finally:
        for sock in opened:
            sock.close()


def test_sigterm_leaves_no_spare_files(tmp_path):
    directory = tmp_path / "world"
    process, state = _start(directory)
    try:
        _submit_to(state, ["bob@hamburger.edu"])
        wait_for(lambda: messages(directory / "mail" / "hamburger.edu", "bob"))
        wait_for(lambda: _spares(directory))  # the lone client's delivery made spares
        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    assert _spares(directory) == []


def test_after_kill_9_the_next_start_removes_the_spares(tmp_path):
    directory = tmp_path / "world"
    process, state = _start(directory)
    try:
        _submit_to(state, ["bob@hamburger.edu"])
        wait_for(lambda: messages(directory / "mail" / "hamburger.edu", "bob"))
        wait_for(lambda: _spares(directory))
        process.kill()
        process.wait(10)
        assert _spares(directory)
        process, _ = _start(directory)  # nothing delivered: starting is enough
        assert _spares(directory) == []
    finally:
        process.kill()
        process.wait(10)


def test_a_flood_of_pop3_connections_leaves_the_world_answering(tmp_path):
    """150 connections from one stranger: 100 served, the rest refused, one console line,
    no traceback, and the submission server still greets."""
    directory = tmp_path / "world"
    old = None
    process = subprocess.Popen([*tutor_command(), "world", "--free-ports", "--dir",
                                str(directory)], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    opened = []
    try:
        state = wait_for(lambda: (s := read_state(directory)) and s != old
                         and s["pid"] == process.pid and s)
        refused = 0
        for _ in range(150):
            sock = socket.create_connection(("127.0.0.1", state["pop3"]), timeout=10)
            opened.append(sock)
            refused += sock.makefile("rb").readline().startswith(b"-ERR [SYS/TEMP]")
        assert refused == 50
        with socket.create_connection(("127.0.0.1", state["submission"]), timeout=10) as smtp:
            assert smtp.makefile("rb").readline().startswith(b"220 ")
    finally:
        for sock in opened:
            sock.close()
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    text = out.decode() + err.decode()
    assert "Traceback" not in text
    assert text.count("100 connections are open") == 1


def test_the_console_into_a_pipe_keeps_each_line_whole(tmp_path):
    directory = tmp_path / "world"
    process = subprocess.Popen([*tutor_command(), "world", "--free-ports", "--dir",
                                str(directory)], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, "COLUMNS": "40"})
    try:
        state = wait_for(lambda: (s := read_state(directory)) and s["pid"] == process.pid and s)
        _submit_to(state, ["bob@hamburger.edu"])
        wait_for(lambda: messages(directory / "mail" / "hamburger.edu", "bob"))
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=20)
    lines = out.decode().splitlines()
    assert any(line.startswith("As Alice:") and "--cafile" in line for line in lines)
    assert any("C: RCPT TO:<bob@hamburger.edu>" in line for line in lines)
