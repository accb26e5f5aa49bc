"""What the world says happened, as records: the console and the lessons read the same ones.

The queue manager, the relay client, the MX handlers and the POP3 and IMAP servers
publish each of these to the world's watcher (``WorldWatcher.publish``), as it happens.
A record holds facts only (ids, addresses, replies, the trace of a stored message), no
sentence: each consumer says it when it shows it, in its reader's language then
(``sentence()`` names the words, ``tell()`` says them), so the console and the lessons
(whose reader may switch language mid-way: F3 in the demo) never share rendered text.
"""

from __future__ import annotations

from smtp_tutor.record import record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from smtp_tutor.world.zone import Route


@record(frozen=True)
class Sentence:
    """Which words say an event: a key of ``world.toml`` (or ``imap.toml``), its style
    (note.info, note.warning, note.error, check.ok, hint) and its parameters."""

    key: str
    style: str
    params: dict
    words: str = "world"


@record(frozen=True)
class Minutes:
    """A delay of the retry schedule, said in the reader's units by ``tell`` (30 min, 30 phút)."""

    value: float


class WorldEvent:
    """Something the world did; ``sentence()`` names the words that say it."""

    def sentence(self) -> Sentence:
        raise NotImplementedError


# -- submission and the queue ---------------------------------------------------


@record(frozen=True)
class RcptChecked(WorldEvent):
    """crepes.fr looked the recipient's domain up before its yes to RCPT."""

    address: str
    domain: str
    answer: str  # the DNS answer, as dig would sum it up: "MX 10 mx.hamburger.edu", "NXDOMAIN"

    def sentence(self) -> Sentence:
        return Sentence("rcpt_checked", "note.info", {"domain": self.domain, "answer": self.answer})


@record(frozen=True)
class Queued(WorldEvent):
    """A message was accepted for relaying: on disk (fsync'ed) before the 250."""

    id: str
    path: str
    sender: str
    recipients: tuple[str, ...]

    def sentence(self) -> Sentence:
        return Sentence("queued", "note.info", {"id": self.id, "path": self.path, "sender": self.sender,
                                                "recipients": ", ".join(self.recipients)})


@record(frozen=True)
class PickedUp(WorldEvent):
    """The queue manager takes a message for a try."""

    id: str
    tries: int
    recipients: tuple[str, ...]

    def sentence(self) -> Sentence:
        return Sentence("pickup", "note.info", {"id": self.id, "tries": self.tries,
                                                "recipients": ", ".join(self.recipients)})


@record(frozen=True)
class Deferred(WorldEvent):
    """A transient failure: the message stays queued until its next try."""

    id: str
    reply: str
    minutes: float  # of the retry schedule
    seconds: float  # the same wait, compressed by the world's speed-up
    speedup: float

    def sentence(self) -> Sentence:
        return Sentence("retry", "note.warning", {
            "id": self.id, "reply": self.reply.strip(), "minutes": Minutes(self.minutes),
            "speedup": self.speedup, "seconds": round(self.seconds, 2)})


@record(frozen=True)
class GaveUp(WorldEvent):
    """Still failing at the end of the schedule: the message will be bounced."""

    id: str
    minutes: float

    def sentence(self) -> Sentence:
        return Sentence("gave_up", "note.error", {"id": self.id, "minutes": Minutes(self.minutes)})


@record(frozen=True)
class Refused(WorldEvent):
    """A recipient refused for good (a 5xx, or no such domain)."""

    id: str
    recipient: str
    reply: str

    def sentence(self) -> Sentence:
        return Sentence("failed", "note.error", {"id": self.id, "recipient": self.recipient,
                                                 "reply": self.reply})


@record(frozen=True)
class Bounced(WorldEvent):
    """A delivery status notification went back to the sender, queued as ``dsn``."""

    id: str
    sender: str
    dsn: str

    def sentence(self) -> Sentence:
        return Sentence("bounce", "note.warning", {"sender": self.sender, "dsn": self.dsn})


@record(frozen=True)
class NotBounced(WorldEvent):
    """A bounce that failed: never bounced again (RFC 5321 §4.5.5), only logged."""

    id: str

    def sentence(self) -> Sentence:
        return Sentence("double_bounce", "note.warning", {"id": self.id})


@record(frozen=True)
class Done(WorldEvent):
    """Every recipient delivered or bounced: the message left the queue."""

    id: str

    def sentence(self) -> Sentence:
        return Sentence("done", "check.ok", {"id": self.id})


# -- the relay: DNS, the connection, its SMTP, TLS -------------------------------


@record(frozen=True)
class Routed(WorldEvent):
    """The MX answer for the recipients' domain."""

    domain: str
    exchangers: tuple[tuple[int, str], ...]  # (preference, host), lowest first
    null_mx: bool = False
    missing: bool = False
    fallback: bool = False

    def sentence(self) -> Sentence:
        if self.null_mx:
            return Sentence("route_null", "note.info", {"domain": self.domain})
        if self.missing:
            return Sentence("route_missing", "note.info", {"domain": self.domain})
        if self.fallback:
            return Sentence("route_fallback", "note.info", {"domain": self.domain})
        records = ", ".join(f"{preference} {host}" for preference, host in self.exchangers)
        return Sentence("route_mx", "note.info", {"domain": self.domain, "records": records})


@record(frozen=True)
class AddressFound(WorldEvent):
    """An exchanger's address, and the practice port that plays its port 25 (None: none)."""

    host: str
    address: str | None
    records: str  # "A 127.0.0.1; AAAA NOERROR"
    port: int | None

    def sentence(self) -> Sentence:
        if self.address is None or self.port is None:
            return Sentence("address_none", "note.warning", {"host": self.host,
                                                             "records": self.records})
        return Sentence("address", "note.info", {"host": self.host, "records": self.records,
                                                 "port": self.port})


@record(frozen=True)
class RelayConnecting(WorldEvent):
    """crepes.fr's relay client opens a connection: a relay hop starts here."""

    host: str
    address: str
    port: int

    def sentence(self) -> Sentence:
        return Sentence("hop_relay", "heading", {"host": self.host, "port": self.port})


@record(frozen=True)
class RelaySaid(WorldEvent):
    """What the relay client's SMTP session produced (the protocol core's own events:
    commands, replies, body lines, TLS), in order."""

    events: tuple

    def sentence(self) -> Sentence:
        raise TypeError("the relay's dialogue is shown by a renderer, not said")


@record(frozen=True)
class BodySent(WorldEvent):
    """The relay sent a message body (its first lines were in ``RelaySaid``)."""

    octets: int
    lines: int

    def sentence(self) -> Sentence:
        return Sentence("body", "hint", {"octets": self.octets, "lines": self.lines})


@record(frozen=True)
class ConnectionFailed(WorldEvent):
    """An exchanger could not take the message at all: the next one is tried."""

    host: str
    reason: str

    def sentence(self) -> Sentence:
        return Sentence("connection_failed", "note.warning",
                        {"host": self.host, "reason": self.reason})


@record(frozen=True)
class RelayTls(WorldEvent):
    """How the relay's STARTTLS went: ``verified`` (the MX's name), ``unverified`` (on
    over TLS anyway) or ``clear`` (the handshake failed: the same MX again in clear)."""

    host: str
    outcome: str
    reason: str = ""

    def sentence(self) -> Sentence:
        if self.outcome == "verified":
            return Sentence("relay_tls_verified", "check.ok", {"host": self.host})
        if self.outcome == "unverified":
            return Sentence("relay_tls_unverified", "note.warning", {"reason": self.reason})
        return Sentence("relay_tls_clear", "note.warning", {"host": self.host,
                                                            "reason": self.reason})


# -- the last hop: into the mailbox, and out of it --------------------------------


@record(frozen=True)
class Delivered(WorldEvent):
    """A message stored in a user's Maildir: by an MX (``domain``) or, at crepes.fr,
    by local delivery; ``trace`` is its Return-Path and Received lines, unfolded."""

    domain: str
    user: str
    path: str
    trace: tuple[str, ...]
    local: bool = False

    @property
    def received(self) -> int:
        return sum(1 for line in self.trace if line.lower().startswith("received:"))

    def heading(self) -> Sentence:
        if self.local:
            return Sentence("hop_local", "heading", {"user": self.user})
        return Sentence("hop_delivery", "heading", {"domain": self.domain, "user": self.user})

    def sentence(self) -> Sentence:
        return Sentence("delivered", "check.ok", {"path": self.path, "count": self.received})


@record(frozen=True)
class ReaderRefused(WorldEvent):
    """The POP3 or IMAP server (``protocol``) is at its connection limit."""

    protocol: str  # "pop3" or "imap"
    limit: int

    def sentence(self) -> Sentence:
        return Sentence(f"{self.protocol}_refused", "note.warning", {"limit": self.limit},
                        words=_words(self.protocol))


@record(frozen=True)
class ReaderFailed(WorldEvent):
    """A POP3 or IMAP session ended on an error of the server's own."""

    protocol: str
    detail: str

    def sentence(self) -> Sentence:
        return Sentence(f"{self.protocol}_failed", "note.error", {"detail": self.detail},
                        words=_words(self.protocol))


@record(frozen=True)
class Fetched(WorldEvent):
    """A mail program took a whole message from a mailbox: POP3's RETR (it stays on the
    server until DELE and QUIT) or IMAP's ``FETCH n BODY[]`` (it stays there too)."""

    protocol: str  # "pop3" or "imap"
    mailbox: str  # user@domain
    number: int
    octets: int

    def sentence(self) -> Sentence:
        return Sentence(f"{self.protocol}_retrieved", "note.info", {
            "mailbox": self.mailbox, "number": self.number, "octets": self.octets},
            words=_words(self.protocol))


def tell(sentence: Sentence, lang: str) -> str:
    """The sentence in ``lang``; its text parameters pass through ``visible()`` there."""
    from smtp_tutor.knowledge.catalogue import say
    from smtp_tutor.world.retry import describe_minutes

    catalogue = "imap" if sentence.words == "imap" else "world"
    params = {name: describe_minutes(value.value, lang) if isinstance(value, Minutes) else value
              for name, value in sentence.params.items()}
    return say(catalogue, sentence.key, lang, **params)


def answer_of(route: Route) -> str:
    """An MX answer summed up as dig would: ``MX 10 mx.hamburger.edu``, ``NXDOMAIN``."""
    if route.null_mx:
        return "MX 0 ."
    if route.missing:
        return "NXDOMAIN"
    if route.fallback:
        return "no MX"
    return ", ".join(f"MX {e.preference} {e.host}" for e in route.exchangers)


def routed(route: Route) -> Routed:
    return Routed(route.domain, tuple((e.preference, e.host) for e in route.exchangers),
                  null_mx=route.null_mx, missing=route.missing, fallback=route.fallback)


def trace_of(message: bytes) -> tuple[str, ...]:
    """The Return-Path and Received lines of a message's header, each unfolded."""
    header = message.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("utf-8", "replace")
    lines: list[str] = []
    for line in header.split("\n"):
        if line[:1] in (" ", "\t") and lines:
            lines[-1] += " " + line.strip()
        else:
            lines.append(line)
    return tuple(line for line in lines if line.lower().startswith(("received:", "return-path:")))


def _words(protocol: str) -> str:
    return "imap" if protocol == "imap" else "world"


class WorldWatcher:
    """Where the world publishes its events; the base drops them (a world without a view)."""

    def publish(self, event: WorldEvent) -> None:
        """One event, as it happens (called in the world's event loop; must not block)."""
