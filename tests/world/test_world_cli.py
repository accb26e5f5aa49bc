"""The commands as a student runs them: `world` (killed with -9 and restarted, and in
tmux, read from the screen), `queue`, `connect --pop3`."""

from __future__ import annotations

import os
import shutil
import signal
import smtplib
import ssl
import subprocess
import time
import uuid

from smtp_tutor.world.runner import read_state
from tests.conftest import need, run_tutor, tutor_command
from tests.world.conftest import MESSAGE, messages, submit, wait_for


def _submit_to(state: dict, recipients: list[str]) -> None:
    context = ssl.create_default_context(cafile=state["ca"])
    with smtplib.SMTP("127.0.0.1", state["submission"], timeout=10) as client:
        client.ehlo("alice-laptop")
        client.starttls(context=context)
        client.ehlo("alice-laptop")
        client.login("alice", "ketchup")
        assert client.sendmail("alice@crepes.fr", recipients, MESSAGE) == {}


def _start(directory, *extra) -> tuple[subprocess.Popen, dict]:
    old = read_state(directory)
    process = subprocess.Popen([*tutor_command(), "world", "--free-ports", "--dir", str(directory),
                                *extra], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    state = wait_for(lambda: (s := read_state(directory)) and s != old and s["pid"] == process.pid
                     and s)
    return process, state


def test_kill_9_while_queued_loses_nothing(tmp_path):
    directory = tmp_path / "world"
    # hamburger.edu greylists for 5 minutes: every message stays queued
    process, state = _start(directory, "--greylist", "300")
    try:
        for _ in range(3):
            _submit_to(state, ["bob@hamburger.edu"])
        os.kill(process.pid, signal.SIGKILL)  # right after the 250s: no clean shutdown
        process.wait(10)
        listing = run_tutor("queue", "--dir", str(directory))
        assert listing.returncode == 0
        assert listing.stdout.decode().count("<alice@crepes.fr> -> bob@hamburger.edu") == 3
        process, state = _start(directory)  # no greylisting now
        bob = directory / "mail" / "hamburger.edu"
        wait_for(lambda: len(messages(bob, "bob")) == 3, timeout=20)
        wait_for(lambda: not list((directory / "queue").glob("*.json")))
        assert "empty" in run_tutor("queue", "--dir", str(directory)).stdout.decode()
    finally:
        process.kill()
        process.wait(10)


def test_connect_pop3_scripted(world):
    submit(world, ["bob@hamburger.edu"])
    wait_for(lambda: messages(world.maildir("hamburger.edu"), "bob"))
    script = b"CAPA\nSTLS\nUSER bob\nPASS pickles\nSTAT\nLIST\nRETR 1\nQUIT\n"
    result = run_tutor("connect", "--pop3", "127.0.0.1", str(world.pop3.port), "--cafile",
                       str(world.ca_path), stdin=script)
    out = result.stdout.decode()
    assert result.returncode == 0, out + result.stderr.decode()
    assert "PASS ********" in out and "PASS pickles" not in out
    assert out.count("S: Received:") == 3
    assert "S: .How about pickles?" in out  # dot-unstuffed for the reader
    assert "S: -ERR" not in out


def test_connect_pop3_vietnamese_explains_err(world):
    result = run_tutor("connect", "--pop3", "127.0.0.1", str(world.pop3.port), "--lang", "vi",
                       stdin=b"USER bob\nQUIT\n")
    out = result.stdout.decode()
    assert "S: -ERR [AUTH]" in out and "Phản hồi tiêu cực của POP3" in out
    assert result.returncode == 0


def test_world_in_tmux_as_a_student_sees_it(tmp_path):
    need(shutil.which("tmux") is not None, "tmux: sudo apt-get install tmux")
    socket, directory = f"w16-{uuid.uuid4().hex[:8]}", tmp_path / "world"
    command = " ".join([*tutor_command(), "world", "--free-ports", "--dir", str(directory)])
    subprocess.run(["tmux", "-L", socket, "new-session", "-d", "-x", "110", "-y", "50",
                    command], check=True, env={**os.environ, "TERM": "xterm-256color"})
    try:
        state = wait_for(lambda: read_state(directory))

        def screen() -> str:
            shown = subprocess.run(["tmux", "-L", socket, "capture-pane", "-p", "-J", "-S", "-"],
                                   capture_output=True, text=True, timeout=10).stdout
            return " ".join(shown.split())  # rich wraps long lines at the pane's width

        assert "dig @127.0.0.1 -p" in wait_for(lambda: "Ctrl-C" in screen() and screen())
        _submit_to(state, ["bob@hamburger.edu"])
        text = wait_for(lambda: "removed from the queue" in screen() and screen())
        order = ["hop 1", "AUTH PLAIN ********", "QUEUE ·", "fsync", "DNS · MX hamburger.edu?",
                 "hop 2", "C: EHLO crepes.fr", "C: RCPT TO:<bob@hamburger.edu>", "hop 3",
                 "this practice delivery agent (3 here)", "removed from the queue"]
        positions = [text.find(word) for word in order]
        assert -1 not in positions, list(zip(order, positions, strict=True))
        assert positions[:2] == sorted(positions[:2]) and positions[4] < positions[8]
        assert "ketchup" not in text.split("AUTH PLAIN")[1][:40]
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], check=False, timeout=10)
        time.sleep(0.2)


def _seven_free_ports() -> int:
    """A start port whose next six are free too (on loopback, TCP and UDP)."""
    import socket

    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            start = probe.getsockname()[1]
        if start > 65000:
            continue
        try:
            holders = []
            for port in range(start, start + 7):
                for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                    holder = socket.socket(socket.AF_INET, kind)
                    holders.append(holder)
                    holder.bind(("127.0.0.1", port))
            return start
        except OSError:
            continue
        finally:
            for holder in holders:
                holder.close()
    raise AssertionError("no seven free ports in a row")


def test_world_on_a_chosen_port_range(tmp_path):
    """D25: `--ports START` places the world on START..START+6 (not only on free ports)."""
    directory = tmp_path / "world"
    start = _seven_free_ports()
    process = subprocess.Popen([*tutor_command(), "world", "--ports", str(start), "--dir",
                                str(directory)], stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        state = wait_for(lambda: (s := read_state(directory)) and s["pid"] == process.pid and s)
        assert [state[k] for k in ("dns", "submission", "mx", "fallback", "pop3", "pop3_crepes",
                                   "imap")] == list(range(start, start + 7))
        _submit_to(state, ["bob@hamburger.edu"])
        wait_for(lambda: len(messages(directory / "mail" / "hamburger.edu", "bob")) == 1)
    finally:
        process.kill()
        process.wait(10)
