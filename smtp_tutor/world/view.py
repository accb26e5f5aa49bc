"""The world console: the journey of each message, hop by hop, on one screen.

Hop 1 (Alice → crepes.fr) is the submission server's live console; the queue, the DNS
questions and answers, hop 2 (crepes.fr → hamburger.edu, from the relay client's side)
and hop 3 (into Bob's Maildir, with the ``Received:`` chain) are said here.  Anything
that came from a peer, a file or a mailbox goes through ``visible()`` (``say`` and
the renderer both do it).
"""

from __future__ import annotations

from smtp_tutor.knowledge.catalogue import say
from smtp_tutor.protocol.visible import visible_lines
from smtp_tutor.render.base import Renderer
from smtp_tutor.server.console import LiveConsole
from smtp_tutor.server.watch import Peer
from smtp_tutor.world.events import (
    Delivered,
    RelayConnecting,
    RelaySaid,
    Sentence,
    WorldEvent,
    WorldWatcher,
    tell,
)

SUBMISSION = "submission"


class WorldView(WorldWatcher):
    """The console: each event the world publishes, said at once in the console's language."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer
        self.lang = renderer.lang
        self.speaker = ""
        self.console: SubmissionConsole | None = None

    def submission_console(self) -> SubmissionConsole:
        self.console = SubmissionConsole(self, self.renderer)
        return self.console

    def publish(self, event: WorldEvent) -> None:
        self._mine()
        if isinstance(event, RelaySaid):
            self.renderer.show_all(list(event.events))
            return
        if isinstance(event, RelayConnecting):
            self._heading(event.sentence())
            return
        if isinstance(event, Delivered):
            self._heading(event.heading())
        sentence = event.sentence()
        self.renderer.text(tell(sentence, self.lang), sentence.style)
        if isinstance(event, Delivered):
            for line in event.trace:
                for part in visible_lines(line):
                    self.renderer.text(f"   │ {part}", "client.data")  # quoted from the message

    def _mine(self) -> None:
        """The relay and queue are speaking: the submission console re-heads next time."""
        self.speaker = "world"
        if self.console is not None:
            self.console.current = 0

    def _heading(self, sentence: Sentence) -> None:
        self.renderer.text("")
        self.renderer.text(tell(sentence, self.lang), sentence.style)


class SubmissionConsole(LiveConsole):
    """The live console of hop 1, headed as such whenever it takes the screen back."""

    def __init__(self, view: WorldView, renderer: Renderer) -> None:
        super().__init__(renderer)
        self.view = view

    def _header(self, peer: Peer, key: str) -> None:
        if self.view.speaker != SUBMISSION:
            self.view.speaker = SUBMISSION
            self.renderer.text("")
            self.renderer.text(say("world", "hop_submission", self.renderer.lang), "heading")
        super()._header(peer, key)
