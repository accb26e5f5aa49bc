"""A second practice server whose mailboxes live in a temporary folder.

Going back in the demo replays the lesson from a fresh connection.  Once the message
has been delivered, replaying its DATA on the real server would put a second copy in
bob's mailbox, so every replay after the first delivery goes here instead: the
replies are the practice server's own, and the real mailbox keeps exactly one copy.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from smtp_tutor.server.app import RunningServer


class ScratchServer:
    """Started on first use, stopped (and its folder removed) by ``close``."""

    def __init__(self, greylist_seconds: float = 0.0) -> None:
        self.greylist_seconds = greylist_seconds
        self._folder: tempfile.TemporaryDirectory | None = None
        self.running: RunningServer | None = None

    async def address(self) -> tuple[str, int, str]:
        """Host, port and CA file of the scratch server, starting it if needed."""
        if self.running is None:
            from smtp_tutor.server.app import ServerConfig, start_server
            from smtp_tutor.server.policy import TeachingFaults

            self._folder = tempfile.TemporaryDirectory(prefix="smtp-tutor-scratch-")
            config = ServerConfig(host="127.0.0.1", port=0, mailbox_dir=Path(self._folder.name),
                                  faults=TeachingFaults(greylist_seconds=self.greylist_seconds))
            self.running = await start_server(config)
        return self.running.host, self.running.port, str(self.running.ca_path)

    def remove_on_hangup(self) -> None:
        """A closed terminal or a ``kill`` removes the folder at once (then the demo stops
        as after Ctrl-C): a temporary folder must not outlive the projector's window."""
        from smtp_tutor.terminal import on_hangup

        def remove() -> None:
            if self._folder is not None:
                self._folder.cleanup()
                self._folder = None

        on_hangup(remove)

    async def close(self) -> None:
        if self.running is not None:
            await self.running.stop()
            self.running = None
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None
