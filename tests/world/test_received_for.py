"""I11, D18: a ``Received: … for <…>`` clause names one recipient, or is left out: it
must not list Bcc and refused recipients in everybody's copy (RFC 5321 §4.4)."""

from __future__ import annotations

import re

from tests.world.conftest import messages, submit, wait_for


def _received(data: bytes) -> list[str]:
    header = data.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode()
    unfolded = re.sub(r"\n[ \t]+", " ", header)
    return [line for line in unfolded.splitlines() if line.startswith("Received:")]


def test_several_recipients_are_never_listed(world):
    refused = submit(world, ["bob@hamburger.edu", "carol@hamburger.edu", "dave@hamburger.edu"])
    assert refused == {}
    [stored] = wait_for(lambda: messages(world.maildir("hamburger.edu"), "bob"))
    lines = _received(stored.read_bytes())
    assert len(lines) == 3
    assert not any("carol" in line or "dave" in line for line in lines), lines
    assert not any(" for <" in line for line in lines[1:])  # MX and submission: 3 rcpts


def test_one_recipient_is_named(world):
    submit(world, ["bob@hamburger.edu"])
    [stored] = wait_for(lambda: messages(world.maildir("hamburger.edu"), "bob"))
    lines = _received(stored.read_bytes())
    assert all(line.rstrip().split("; ")[0].endswith("for <bob@hamburger.edu>")
               for line in lines), lines
