"""The SMTP client dialogue as two tables (RFC 5321 §4.1.4, §4.3.2; RFC 3207; RFC 4954).

Theory of operation
-------------------
The state moves only when a *reply* arrives, never when a command leaves: a server
that accepts MAIL before HELO (Postfix does) or refuses a well-placed RCPT decides
where the dialogue really is.  ``TRANSITIONS`` maps (what the reply answers, reply
class) to the next state; pairs not listed leave the state alone.  A 421 from anywhere
closes the dialogue (§3.8), so does a 221 to anything (§4.2.2: "closing transmission
channel"), and so does a 521 to BDAT (Postfix hangs up: without the
count it cannot tell where the chunk ends).

``RULES`` is the other direction: before a command leaves, it says in which states the
command is in place.  Out of place, the core does not refuse it (a student learns by
seeing the 503) but returns a note with the rule and the reply to expect.
"""

from __future__ import annotations

from enum import Enum, StrEnum

from smtp_tutor.protocol.commands import AUTH_RESPONSE, END_OF_DATA, GREETING
from smtp_tutor.record import record


class State(StrEnum):
    """Where the dialogue is; the value is what the prompt and JSON output show."""

    GREETING = "greeting"  # connected, waiting for the 220
    HELLO = "helo"  # greeted: say HELO or EHLO
    READY = "ready"  # introduced, no mail transaction open
    MAIL = "mail"  # sender accepted: give recipients
    RCPT = "rcpt"  # at least one recipient accepted: DATA may follow
    DATA = "data"  # 354 received: the message body is being sent
    AUTH = "auth"  # a 334 challenge waits for an answer
    TLS = "tls"  # 220 to STARTTLS: the TLS handshake comes next
    CLOSED = "closed"


class Keep(Enum):
    """Targets that depend on where the dialogue was."""

    RESET = "reset"  # end any transaction: RCPT/MAIL/DATA -> READY, else unchanged


Target = State | Keep

TRANSITIONS: dict[tuple[str, int], Target] = {
    (GREETING, 2): State.HELLO,
    ("HELO", 2): State.READY,
    ("EHLO", 2): State.READY,
    ("MAIL", 2): State.MAIL,
    ("RCPT", 2): State.RCPT,
    ("DATA", 3): State.DATA,
    (END_OF_DATA, 2): State.READY,
    (END_OF_DATA, 4): State.READY,
    (END_OF_DATA, 5): State.READY,
    ("BDAT-LAST", 2): State.READY,
    ("BDAT-LAST", 4): State.READY,  # RFC 3030 §2: a failed chunk fails the transaction
    ("BDAT-LAST", 5): State.READY,
    ("BDAT", 2): State.RCPT,
    ("RSET", 2): Keep.RESET,
    ("STARTTLS", 2): State.TLS,
    ("AUTH", 3): State.AUTH,
    ("AUTH", 2): State.READY,
    (AUTH_RESPONSE, 3): State.AUTH,
    (AUTH_RESPONSE, 2): State.READY,
    (AUTH_RESPONSE, 4): State.READY,
    (AUTH_RESPONSE, 5): State.READY,
    ("QUIT", 2): State.CLOSED,
}

TRANSACTION_STATES = frozenset({State.MAIL, State.RCPT, State.DATA})


def next_state(current: State, answering: str, reply_code: int) -> State:
    """Where a reply with ``reply_code`` to ``answering`` leaves the dialogue."""
    if reply_code in (421, 221):  # 221 closes the channel whatever it answers (Postfix's
        return State.CLOSED       # "I can break rules, too" answers a header-like line)
    if reply_code == 521 and answering in ("BDAT", "BDAT-LAST"):
        return State.CLOSED  # a BDAT it cannot parse: the server cannot find the chunk's end
    if reply_code == 503 and current is not State.AUTH:
        return current  # "bad sequence of commands": nothing happened, on either side
    if answering == GREETING and reply_code // 100 == 5:
        return State.HELLO  # 554 greeting: only QUIT is useful, but the dialogue is open
    target = TRANSITIONS.get((answering, reply_code // 100))
    if target is None:
        if current is State.AUTH:
            return State.READY
        return current
    if target is Keep.RESET:
        return State.READY if current in TRANSACTION_STATES | {State.AUTH} else current
    return target


@record(frozen=True)
class Rule:
    """Where a command is in place; out of place, which note explains it."""

    allowed: frozenset[State]
    key: str  # note key for any other state
    expect: str = "503"  # what a server typically answers out of place
    rfc: str = "RFC 5321 §4.1.4"
    keys_by_state: tuple[tuple[State, str], ...] = ()

    def key_for(self, state: State) -> str:
        return dict(self.keys_by_state).get(state, self.key)


_OPEN = frozenset({State.HELLO, State.READY, State.MAIL, State.RCPT})
_IN_TRANSACTION = ((State.MAIL, "nested-mail"), (State.RCPT, "nested-mail"))

RULES: dict[str, Rule] = {
    "HELO": Rule(_OPEN, "out-of-place"),
    "EHLO": Rule(_OPEN, "out-of-place"),
    "MAIL": Rule(frozenset({State.READY}), "mail-before-helo", keys_by_state=_IN_TRANSACTION),
    "RCPT": Rule(frozenset({State.MAIL, State.RCPT}), "rcpt-needs-mail",
                 keys_by_state=((State.HELLO, "command-before-helo"),)),
    "DATA": Rule(frozenset({State.RCPT}), "data-needs-mail",
                 keys_by_state=((State.MAIL, "data-needs-rcpt"),
                                (State.HELLO, "command-before-helo"))),
    "BDAT": Rule(frozenset({State.RCPT}), "data-needs-mail", rfc="RFC 3030 §2",
                 keys_by_state=((State.MAIL, "data-needs-rcpt"),
                                (State.HELLO, "command-before-helo"))),
    "STARTTLS": Rule(frozenset({State.READY}), "starttls-needs-ehlo", rfc="RFC 3207 §4",
                     keys_by_state=((State.MAIL, "starttls-in-transaction"),
                                    (State.RCPT, "starttls-in-transaction"))),
    "AUTH": Rule(frozenset({State.READY}), "auth-needs-ehlo", rfc="RFC 4954 §4",
                 keys_by_state=((State.MAIL, "auth-in-transaction"),
                                (State.RCPT, "auth-in-transaction"))),
}

# States in which no command is in place at all, whatever the verb.
BLOCKING: dict[State, tuple[str, str]] = {
    State.GREETING: ("before-greeting", "RFC 5321 §4.3.1"),
    State.TLS: ("tls-handshake-pending", "RFC 3207 §4"),
    State.CLOSED: ("connection-closed", "RFC 5321 §3.8"),
}


def placement(verb: str, state: State) -> tuple[str, str, str] | None:
    """(note key, expected reply, RFC) when ``verb`` is out of place in ``state``."""
    if state in BLOCKING and verb != "QUIT":
        key, rfc = BLOCKING[state]
        return key, "", rfc
    rule = RULES.get(verb)
    if rule is None or state in rule.allowed:
        return None
    return rule.key_for(state), rule.expect, rule.rfc
