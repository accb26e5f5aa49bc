"""The world console: the journey of each message, hop by hop, on one screen.

Hop 1 (Alice → crepes.fr) is the submission server's live console; the queue, the DNS
questions and answers, hop 2 (crepes.fr → hamburger.edu, from the relay client's side)
and hop 3 (into Bob's Maildir, with the ``Received:`` chain) are said here.  Anything
that came from a peer, a file or a mailbox goes through ``visible()`` (``say`` and
the renderer both do it).
"""

from __future__ import annotations

from smtp_tutor.knowledge.words import say
from smtp_tutor.protocol.visible import visible_lines
from smtp_tutor.render.base import Renderer
from smtp_tutor.server.console import LiveConsole
from smtp_tutor.server.watch import Peer
from smtp_tutor.world.manager import WorldWatcher
from smtp_tutor.world.retry import describe_minutes

SUBMISSION = "submission"


class WorldView(WorldWatcher):
    def __init__(self, renderer: Renderer, speedup: float = 600.0) -> None:
        self.renderer = renderer
        self.lang = renderer.lang
        self.speedup = speedup
        self.speaker = ""
        self.console: SubmissionConsole | None = None

    def submission_console(self) -> SubmissionConsole:
        self.console = SubmissionConsole(self, self.renderer)
        return self.console

    # -- helpers --------------------------------------------------------------

    def _say(self, key: str, style: str = "note.info", **params: object) -> None:
        self._mine()
        self.renderer.text(say(key, self.lang, **params), style)

    def _mine(self, speaker: str = "world") -> None:
        """The relay and queue are speaking: the submission console re-heads next time."""
        self.speaker = speaker
        if self.console is not None and speaker != SUBMISSION:
            self.console.current = 0

    def _heading(self, key: str, **params: object) -> None:
        self._mine()
        self.renderer.text("")
        self.renderer.text(say(key, self.lang, **params), "heading")

    # -- the journey ----------------------------------------------------------

    def rcpt_checked(self, address: str, route) -> None:  # noqa: ANN001
        self._say("rcpt_checked", domain=route.domain, answer=_answer(route))

    def queued(self, entry, path: str) -> None:  # noqa: ANN001
        self._say("queued", id=entry.id, path=path, sender=entry.sender,
                  recipients=", ".join(entry.recipients))

    def pickup(self, entry) -> None:  # noqa: ANN001
        self._say("pickup", id=entry.id, tries=entry.tries, recipients=", ".join(entry.recipients))

    def route(self, route) -> None:  # noqa: ANN001
        self._route(route)

    def _route(self, route) -> None:  # noqa: ANN001
        if route.null_mx:
            self._say("route_null", domain=route.domain)
        elif route.missing:
            self._say("route_missing", domain=route.domain)
        elif route.fallback:
            self._say("route_fallback", domain=route.domain)
        else:
            records = ", ".join(f"{e.preference} {e.host}" for e in route.exchangers)
            self._say("route_mx", domain=route.domain, records=records)

    def address(self, host: str, address: str | None, lookups: list, port: int | None) -> None:
        records = "; ".join(f"{lookup.rdtype} {' '.join(lookup.records) or lookup.rcode}"
                            for lookup in lookups)
        if address is None or port is None:
            self._say("address_none", "note.warning", host=host, records=records)
        else:
            self._say("address", host=host, records=records, port=port)

    def connecting(self, host: str, address: str, port: int) -> None:
        self._heading("hop_relay", host=host, port=port)

    def events(self, events: list) -> None:
        self._mine()
        self.renderer.show_all(events)

    def body(self, octets: int, lines: int) -> None:
        self._say("body", "hint", octets=octets, lines=lines)

    def failed_connection(self, host: str, reason: str) -> None:
        self._say("connection_failed", "note.warning", reason=reason)

    def mx_delivered(self, domain: str, user: str, path, message: bytes) -> None:  # noqa: ANN001
        self._heading("hop_delivery", domain=domain, user=user)
        self._trace(path, message)

    def local_delivered(self, user: str, path, message: bytes) -> None:  # noqa: ANN001
        self._heading("hop_local", user=user)
        self._trace(path, message)

    def _trace(self, path, message: bytes) -> None:  # noqa: ANN001
        header = message.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("utf-8", "replace")
        trace = [line for line in _unfold(header) if line.lower().startswith(("received:",
                                                                              "return-path:"))]
        count = sum(1 for line in trace if line.lower().startswith("received:"))
        self._say("delivered", "check.ok", path=str(path), count=count)
        for line in trace:
            for part in visible_lines(line):
                self.renderer.text(f"   │ {part}", "client.data")  # quoted from the message

    def retry(self, entry, reply: str, minutes: float, seconds: float) -> None:  # noqa: ANN001
        self._say("retry", "note.warning", id=entry.id, reply=_sentence(reply),
                  minutes=describe_minutes(minutes), speedup=self.speedup, seconds=round(seconds, 2))

    def gave_up(self, entry, minutes: float) -> None:  # noqa: ANN001
        self._say("gave_up", "note.error", id=entry.id, minutes=describe_minutes(minutes))

    def failed(self, entry, result) -> None:  # noqa: ANN001
        self._say("failed", "note.error", id=entry.id, recipient=result.recipient,
                  reply=result.reply)

    def bounce(self, entry, dsn) -> None:  # noqa: ANN001
        self._say("bounce", "note.warning", sender=entry.sender, dsn=dsn.id)

    def double_bounce(self, entry) -> None:  # noqa: ANN001
        self._say("double_bounce", "note.warning", id=entry.id)

    def done(self, entry) -> None:  # noqa: ANN001
        self._say("done", "check.ok", id=entry.id)

    def tls_verified(self, host: str) -> None:
        self._say("relay_tls_verified", "check.ok", host=host)

    def tls_unverified(self, host: str, reason: str) -> None:
        self._say("relay_tls_unverified", "note.warning", reason=reason)

    def tls_clear(self, host: str, reason: str) -> None:
        self._say("relay_tls_clear", "note.warning", host=host, reason=reason)

    def pop3_refused(self, limit: int) -> None:
        self._say("pop3_refused", "note.warning", limit=limit)

    def pop3_failed(self, detail: str) -> None:
        self._say("pop3_failed", "note.error", detail=detail)

    def imap_refused(self, limit: int) -> None:
        from smtp_tutor.imap.view import say as say_imap

        self._mine()
        self.renderer.text(say_imap("imap_refused", self.lang, limit=limit), "note.warning")

    def imap_failed(self, detail: str) -> None:
        from smtp_tutor.imap.view import say as say_imap

        self._mine()
        self.renderer.text(say_imap("imap_failed", self.lang, detail=detail), "note.error")


class SubmissionConsole(LiveConsole):
    """The live console of hop 1, headed as such whenever it takes the screen back."""

    def __init__(self, view: WorldView, renderer: Renderer) -> None:
        super().__init__(renderer)
        self.view = view

    def _header(self, peer: Peer, key: str) -> None:
        if self.view.speaker != SUBMISSION:
            self.view.speaker = SUBMISSION
            self.renderer.text("")
            self.renderer.text(say("hop_submission", self.renderer.lang), "heading")
        super()._header(peer, key)


def _answer(route) -> str:  # noqa: ANN001
    if route.null_mx:
        return "MX 0 ."
    if route.missing:
        return "NXDOMAIN"
    if route.fallback:
        return "no MX"
    return ", ".join(f"MX {e.preference} {e.host}" for e in route.exchangers)


def _sentence(reply: str) -> str:
    reply = reply.strip()
    return reply if reply.endswith(".") else reply + "."


def _unfold(header: str) -> list[str]:
    lines: list[str] = []
    for line in header.split("\n"):
        if line[:1] in (" ", "\t") and lines:
            lines[-1] += " " + line.strip()
        else:
            lines.append(line)
    return lines
