"""One dialogue table, both roles: the client's prediction is the server's decision.

For every state a command can be typed in and every verb, an in-memory pair plays the
dialogue through bytes: ``ClientSession`` writes the line, ``ServerDialogue`` parses it
and answers from its own state (asking the practice server's real policy,
``PracticeHandler``, what only a policy decides), and the client parses the reply
bytes.  Before each command the client predicts, from ``states.RULES``, whether it is
out of place and which reply that brings; the server must answer exactly that, and
after every reply both sides must stand in the same state.  It runs with each
teaching-fault knob of the policy, and once with a deliberately broken table on the
server side, which it must catch.
"""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

import pytest

from smtp_tutor.protocol.server import (
    NEED_DATA,
    Ask,
    Send,
    ServerDialogue,
    Settings,
    StartTls,
)
from smtp_tutor.protocol.session import ClientSession
from smtp_tutor.protocol.states import RULES, Rule, State, placement
from smtp_tutor.server.connection import credentials_ok
from smtp_tutor.server.handler import PracticeHandler
from smtp_tutor.server.policy import TeachingFaults
from smtp_tutor.server.wording import reply

USERS = {"alice": "wonderland", "bob": "builder"}
PLAIN = base64.b64encode(b"\0alice\0wonderland").decode()
LINES = {
    "HELO": "HELO crepes.fr",
    "EHLO": "EHLO crepes.fr",
    "MAIL": "MAIL FROM:<alice@crepes.fr>",
    "RCPT": "RCPT TO:<bob@hamburger.edu>",
    "DATA": "DATA",
    "BDAT": "BDAT 0 LAST",
    "RSET": "RSET",
    "NOOP": "NOOP",
    "VRFY": "VRFY bob",
    "HELP": "HELP",
    "STARTTLS": "STARTTLS",
    "AUTH": f"AUTH PLAIN {PLAIN}",
    "QUIT": "QUIT",
}
# how each state a command can be typed in is reached
PATHS = {
    State.HELLO: [],
    State.READY: ["EHLO crepes.fr"],
    State.MAIL: ["EHLO crepes.fr", "MAIL FROM:<alice@crepes.fr>"],
    State.RCPT: ["EHLO crepes.fr", "MAIL FROM:<alice@crepes.fr>", "RCPT TO:<bob@hamburger.edu>"],
}
KNOBS = {
    "none": TeachingFaults(),
    "fail-rate": TeachingFaults(fail_rate=1.0, seed=1),
    "mail-refused": TeachingFaults(replies={"MAIL": "451 4.3.0 Temporary local problem"}),
    "rcpt-refused": TeachingFaults(replies={"RCPT": "550 5.1.1 <{address}>: User unknown"}),
    "greylist": TeachingFaults(greylist_seconds=300),
    "any-recipient": TeachingFaults(any_recipient="bob"),
}


class Pair:
    """A client core and a server core joined by bytes, the policy answering the server."""

    def __init__(self, folder: Path, faults: TeachingFaults,
                 rules: dict[str, Rule] | None = None) -> None:
        self.loop = asyncio.new_event_loop()
        self.handler = PracticeHandler("hamburger.edu", USERS, folder, faults=faults)
        self.client = ClientSession()
        self.server = ServerDialogue(reply, Settings(auth_require_tls=False), rules=rules,
                                     peer=("127.0.0.1", 50000))
        self.client.receive(self._wire([self.server.greet()]))

    def close(self) -> None:
        self.handler.store.close()
        self.loop.close()

    def say(self, line: str) -> int:
        """Send one command line; the code of the reply it got (0: none)."""
        self.server.receive(self.client.send(line).wire)
        replies = [event for event in self.client.receive(self._wire(self._pump()))
                   if hasattr(event, "reply")]
        return replies[-1].reply.code if replies else 0

    def _pump(self) -> list[Send]:
        sent: list[Send] = []
        while True:
            event = self.server.next_event()
            if event is NEED_DATA:
                return sent
            if isinstance(event, Send):
                sent.append(event)
            elif isinstance(event, Ask):
                self.server.answer(self.loop.run_until_complete(self._decide(event)))
            elif isinstance(event, StartTls):
                return sent  # the handshake would come next: the dialogue stops here

    async def _decide(self, ask: Ask) -> str | list[str]:
        handler, server = self.handler, self.server
        session, envelope = server.session, server.envelope
        if ask.verb == "HELO":
            return await handler.handle_HELO(self, session, envelope, ask.argument)
        if ask.verb == "EHLO":
            lines = server.ehlo_lines()
            return await handler.handle_EHLO(self, session, envelope, ask.argument, lines)
        if ask.verb in ("MAIL", "RCPT"):
            hook = getattr(handler, f"handle_{ask.verb}")
            return await hook(self, session, envelope, ask.argument, list(ask.parameters))
        if ask.verb == "VRFY":
            return await handler.handle_VRFY(self, session, envelope, ask.argument)
        if ask.verb == "MESSAGE":
            return await handler.handle_DATA(self, session, envelope)
        return reply("auth-ok" if credentials_ok(USERS, ask) else "auth-failed")

    @staticmethod
    def _wire(sends: list[Send]) -> bytes:
        return b"".join(line.encode() + b"\r\n" for send in sends for line in send.lines)


def disagreements(folder: Path, faults: TeachingFaults,
                  rules: dict[str, Rule] | None = None) -> list[str]:
    """Every (state, verb) where the client's prediction and the server's decision part."""
    found: list[str] = []
    for target, path in PATHS.items():
        for verb, line in LINES.items():
            pair = Pair(folder, faults, rules)
            try:
                for step in path:
                    pair.say(step)
                    if pair.client.state is not pair.server.state:
                        found.append(f"after {step!r}: client {pair.client.state}, "
                                     f"server {pair.server.state}")
                if pair.client.state is not target:
                    continue  # a policy refusal kept the dialogue out of this state
                predicted = placement(verb, pair.client.state)
                code = pair.say(line)
                if code == 503 and pair.server.state is not target:
                    found.append(f"{verb} in {target}: a 503 moved the server to "
                                 f"{pair.server.state}")
                if predicted is not None and str(code) != predicted[1]:
                    found.append(f"{verb} in {target}: predicted {predicted[1]} "
                                 f"({predicted[0]}), server said {code}")
                if predicted is None and code in (503, 530):
                    found.append(f"{verb} in {target}: predicted in place, server said {code}")
                if pair.client.state is not pair.server.state:
                    found.append(f"{verb} in {target}: client {pair.client.state}, "
                                 f"server {pair.server.state}")
            finally:
                pair.close()
    return found


@pytest.mark.parametrize("knob", sorted(KNOBS))
def test_the_client_predicts_what_the_server_decides(tmp_path, knob):
    assert disagreements(tmp_path, KNOBS[knob]) == []


def test_every_state_and_verb_is_played(tmp_path):
    """With no fault, every (state, verb) of the table is reached and answered."""
    pair = Pair(tmp_path, TeachingFaults())
    try:
        for step in PATHS[State.RCPT]:
            assert pair.say(step) // 100 == 2
        assert pair.server.state is State.RCPT
    finally:
        pair.close()
    covered = {verb for verb in LINES} | set(RULES)
    assert covered == set(LINES), "a verb of the table has no line in the pair test"


def test_a_broken_table_on_one_side_is_caught(tmp_path):
    """RCPT allowed with no sender, on the server only: the pair test must fail."""
    broken = dict(RULES)
    broken["RCPT"] = Rule(frozenset({State.READY, State.MAIL, State.RCPT}), "rcpt-needs-mail")
    found = disagreements(tmp_path, TeachingFaults(), broken)
    assert any(item.startswith("RCPT in ready: predicted 503") for item in found), found


def test_a_refused_auth_keeps_the_transaction_on_both_sides(tmp_path):
    """The table once reset the client to READY after a 503 to AUTH in a transaction,
    while every server keeps the transaction (found by this pair test)."""
    pair = Pair(tmp_path, TeachingFaults())
    try:
        for step in PATHS[State.MAIL]:
            pair.say(step)
        assert pair.say(LINES["AUTH"]) == 503
        assert pair.client.state is pair.server.state is State.MAIL
    finally:
        pair.close()
