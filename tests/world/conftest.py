"""The practice world on free loopback ports, in the tests' asyncio thread."""

from __future__ import annotations

import smtplib
import ssl
import time
from pathlib import Path

import pytest

from smtp_tutor.world.events import WorldWatcher


class Recorder(WorldWatcher):
    """Every event the world publishes, in order."""

    def __init__(self) -> None:
        self.events: list = []

    def publish(self, event) -> None:
        self.events.append(event)

    def of(self, kind: type) -> list:
        return [event for event in list(self.events) if isinstance(event, kind)]


def wait_for(predicate, timeout: float = 15.0, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out waiting")


def on_wire(path: Path) -> bytes:
    """A stored message (LF line ends, maildir(5)) as SMTP and POP3 carry it: CRLF."""
    return path.read_bytes().replace(b"\n", b"\r\n")


def messages(root: Path, user: str) -> list[Path]:
    box = root / user / "new"
    return sorted(box.iterdir()) if box.is_dir() else []


MESSAGE = (b"From: Alice <alice@crepes.fr>\r\nTo: Bob <bob@hamburger.edu>\r\n"
           b"Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nSubject: ketchup\r\n\r\n"
           b"Do you like ketchup?\r\n.How about pickles?\r\n..two dots\r\n")


def submit(world, recipients, message: bytes = MESSAGE, sender: str = "alice@crepes.fr"):
    """Alice's user agent: STARTTLS, AUTH, one message; returns smtplib's refusals."""
    context = ssl.create_default_context(cafile=str(world.ca_path))
    with smtplib.SMTP("127.0.0.1", world.submission.port, timeout=10) as client:
        client.ehlo("alice-laptop")
        client.starttls(context=context)
        client.ehlo("alice-laptop")
        client.login("alice", "ketchup")
        return client.sendmail(sender, recipients, message)


@pytest.fixture
def world_with(loop_thread, tmp_path):
    from smtp_tutor.world.retry import RetrySchedule
    from smtp_tutor.world.runner import WorldConfig, start_world

    started = []

    def start(**settings):
        recorder = Recorder()
        settings.setdefault("schedule", RetrySchedule(speedup=3600.0))
        config = WorldConfig(directory=tmp_path / "world", dns_port=0, submission_port=0,
                             mx_port=0, fallback_port=0, pop3_port=0, pop3_crepes_port=0, imap_port=0, watcher=recorder,
                             timeout=10, **settings)
        world = loop_thread.run(start_world(config))
        world.recorder = recorder
        started.append(world)
        return world

    yield start
    for world in started:
        loop_thread.run(world.stop())


@pytest.fixture
def world(world_with):
    return world_with()
