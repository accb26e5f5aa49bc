"""The client core stays in step whatever the server does (issue 24, I1/I7/I14).

A property, not a list of cases: a generated server (``model_server``: which extensions
it advertises; per verb accept, refuse or hang up; whether an unadvertised BDAT's
"chunk" lines are read as commands) and a generated script, pipelined or not where the
server offers PIPELINING, with the server's replies delivered late (past the next line)
wherever the client is not waiting for one.  Every
reply must be matched to the command that caused it, the client must never wait for a
reply the server does not owe, and a hang-up must be known when its reply comes.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smtp_tutor.protocol import ClientSession, ReplyReceived, State
from smtp_tutor.protocol.commands import GREETING
from smtp_tutor.protocol.pipeline import ends_group
from tests.protocol.model_server import ACCEPT, HANG_UP, REFUSE, VERBS, ModelServer, Settings

EXTENSIONS = ("CHUNKING", "PIPELINING", "8BITMIME", "SMTPUTF8")

server_settings = st.builds(
    Settings,
    advertised=st.frozensets(st.sampled_from(EXTENSIONS)),
    verbs=st.dictionaries(st.sampled_from(VERBS),
                          st.sampled_from((ACCEPT, ACCEPT, REFUSE, HANG_UP))),
    unadvertised_bdat_read_as_commands=st.booleans(),
    unknown_bdat_reply=st.sampled_from((
        "500 unrecognized command", "502 5.5.1 Error: command not implemented",
        "503 BDAT command used when CHUNKING not advertised")),
)

words = st.text(st.sampled_from("abcdeHlo .:"), min_size=0, max_size=12)


@st.composite
def transaction(draw) -> list[str]:
    lines = ["MAIL FROM:<alice@crepes.fr>", "RCPT TO:<bob@hamburger.edu>"]
    body = draw(st.lists(words, max_size=3))
    kind = draw(st.sampled_from(("data", "bdat", "bdat", "bad-bdat", "bdat-0")))
    if kind == "data":
        lines += ["DATA", *(f"x{line}" for line in body), "."]
    elif kind == "bad-bdat":
        lines.append("BDAT abc")
    elif kind == "bdat-0":
        lines.append("BDAT 0 LAST")
    else:
        size = draw(st.integers(1, 40))
        last = draw(st.booleans())
        lines += [f"BDAT {size}{' LAST' if last else ''}", *body]
    return lines


scripts = st.builds(
    lambda hello, transactions, tail: [hello, *sum(transactions, []), *tail],
    st.sampled_from(("EHLO crepes.fr", "HELO crepes.fr")),
    st.lists(transaction(), min_size=1, max_size=2),
    st.lists(st.sampled_from(("NOOP", "RSET", "VRFY bob", "QUIT")), max_size=3),
)


class Run:
    """The client core and the model server, joined by a wire that may hold replies back."""

    def __init__(self, server: ModelServer) -> None:
        self.session = ClientSession()
        self.server = server
        self.delivered = 0
        self.replies: list[ReplyReceived] = []

    def deliver(self, octets: int | None = None) -> None:
        """Hand the client the next ``octets`` of what the server has said (all by default)."""
        out = self.server.outbox
        end = len(out) if octets is None else min(len(out), self.delivered + octets)
        data = bytes(out[self.delivered:end])
        self.delivered = end
        if not data:
            return
        for event in self.session.receive(data):
            if isinstance(event, ReplyReceived):
                self.check(event)

    def check(self, event: ReplyReceived) -> None:
        reply = event.reply
        said = reply.lines[-1].rpartition("re: ")[2] if reply.lines else ""
        assert event.answering is not None, f"reply {reply.code} {said!r} matched to nothing"
        answered = "(greeting)" if event.answering.verb == GREETING else event.answering.display
        assert said.rstrip().endswith(answered.strip()), f"reply to {said!r} matched to {answered!r}"
        if reply.code in (421, 521, 221):
            assert event.state is State.CLOSED, f"{reply.code} not taken as the end"
        self.replies.append(event)

    @property
    def waiting(self) -> bool:
        return self.delivered < len(self.server.outbox)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(server_settings, scripts, st.booleans(), st.data())
def test_every_reply_is_matched_to_the_command_that_caused_it(setup, script, eager, data):
    run = Run(ModelServer(setup))
    run.deliver()
    previous = ""
    for line in script:
        if run.session.state is State.CLOSED:
            break
        session = run.session
        pipelined = eager and "PIPELINING" in session.capabilities and previous \
            and not ends_group(previous) and session.state not in (State.DATA, State.AUTH) \
            and session.chunk is None
        previous = line
        if pipelined:  # RFC 2920: sent while replies are owed, which then arrive late
            run.deliver(data.draw(st.integers(0, 200), label="octets delivered early"))
        elif run.session.awaiting_reply:  # a blocking client waits for what is owed
            run.deliver()
            assert not run.session.awaiting_reply or run.session.state is State.CLOSED, \
                "the client waits for a reply the server does not owe"
            if run.session.state is State.CLOSED:
                break
        else:  # nothing owed: whatever the server said may still be on its way
            run.deliver(data.draw(st.integers(0, 200), label="octets delivered early"))
        run.server.feed(run.session.send(line).wire)
    run.deliver()
    assert not run.session.awaiting_reply or run.server.closed or run.session.chunk is not None


def test_the_interop_review_reproduction_stays_in_step():
    """I1 as the review ran it on aiosmtpd: BDAT unadvertised, one 12-octet "chunk" line,
    then NOOP, RSET, QUIT; each reply answers its own command and 221 ends it."""
    run = Run(ModelServer(Settings(unadvertised_bdat_read_as_commands=True)))
    run.deliver()
    for line in ("EHLO crepes.fr", "MAIL FROM:<alice@crepes.fr>", "RCPT TO:<bob@hamburger.edu>",
                 "BDAT 12 LAST", "Hello ther", "NOOP", "RSET", "QUIT"):
        if run.session.awaiting_reply:
            run.deliver()
        run.server.feed(run.session.send(line).wire)
    run.deliver()
    answered = [(event.reply.code, event.answering.display) for event in run.replies[4:]]
    assert answered == [(500, "BDAT 12 LAST"), (500, "Hello ther"), (250, "NOOP"),
                        (250, "RSET"), (221, "QUIT")]
    assert run.session.state is State.CLOSED
