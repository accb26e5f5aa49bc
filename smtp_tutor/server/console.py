"""The server's live console: every connection's dialogue, both sides, explained.

An instructor projects it while students connect.  Each client line and each reply is
fed through the same ``ClientSession`` replay the ``annotate`` command uses, so a reply
is explained in the context of the command it answers, exactly as on the client side.
Lines of several connections interleave; a header marks each change of connection.
"""

from __future__ import annotations

from smtp_tutor.protocol.events import CommandSent, Note
from smtp_tutor.protocol.replay import Replayer, ReplayNote, TlsAssumed
from smtp_tutor.protocol.transcript import CLIENT, SERVER, Line
from smtp_tutor.record import replace
from smtp_tutor.render.base import Renderer
from smtp_tutor.render.views import note_view
from smtp_tutor.server.watch import AUTH_ANSWER, UNFINISHED, Peer, Watcher

MAX_SHOWN = 200  # characters of one client line (a 1000-octet body line is cut)


class LiveConsole(Watcher):
    def __init__(self, renderer: Renderer, stream=None) -> None:  # noqa: ANN001
        self.renderer = renderer
        self.stream = stream  # a ConsoleStream to close when the server stops
        self.replayers: dict[int, Replayer] = {}
        self.lines: dict[int, int] = {}
        self.current = 0

    def opened(self, peer: Peer) -> None:
        self.replayers[peer.number] = Replayer()
        self.lines[peer.number] = 0
        self._header(peer, "console-connected")

    def closed(self, peer: Peer) -> None:
        self.replayers.pop(peer.number, None)
        self.lines.pop(peer.number, None)
        self._header(peer, "console-closed")

    def client_line(self, peer: Peer, line: bytes, kind: str) -> None:
        if kind == UNFINISHED:  # a line cut by the hang-up: not a command to replay
            return
        replayer = self._switch(peer)
        if replayer is None:
            return
        text = line.rstrip(b"\r\n").decode("utf-8", "replace")[:MAX_SHOWN]
        if kind == AUTH_ANSWER:
            text = text if text == "*" else "*" * 8  # AUTH answers are never shown
        for event in replayer.feed(self._line(peer, CLIENT, text)):
            if isinstance(event, CommandSent):
                # the client-side advice ("type :headers") is for someone typing;
                # the lint findings say what the server holds against this client
                event = replace(event, notes=())
            self._show(event)

    def server_line(self, peer: Peer, line: str) -> None:
        replayer = self._switch(peer)
        if replayer is None:
            self.renderer.text(f"S: {line}")
            return
        for event in replayer.feed(self._line(peer, SERVER, line)):
            self._show(event)

    def tls(self, peer: Peer) -> None:
        self._switch(peer)
        self.renderer.message("console-tls", {"number": str(peer.number)}, "info")

    def findings(self, peer: Peer, notes: list[Note]) -> None:
        self._switch(peer)
        for note in notes:
            self.renderer.note(note_view(note, self.renderer.lang))

    # -- helpers --------------------------------------------------------------

    def _switch(self, peer: Peer) -> Replayer | None:
        if self.current != peer.number:
            self._header(peer, "console-connection")
        return self.replayers.get(peer.number)

    def _header(self, peer: Peer, key: str) -> None:
        self.current = peer.number
        self.renderer.message(key, {"number": str(peer.number), "peer": peer.address}, "info")

    def _line(self, peer: Peer, side: str, text: str) -> Line:
        self.lines[peer.number] = self.lines.get(peer.number, 0) + 1
        return Line(side, text, self.lines[peer.number], "server")

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()

    def _show(self, event: object) -> None:
        if isinstance(event, TlsAssumed):
            return  # already said by tls(), when the handshake ended
        if isinstance(event, ReplayNote):
            self.renderer.message(event.note.key, event.note.params, event.note.level)
        else:
            self.renderer.show(event)
