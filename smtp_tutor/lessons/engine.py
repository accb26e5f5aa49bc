"""One playing of a lesson: steps in order, lines out to a backend, replies checked.

No UI here: the watch and practice players and the instructor's demo all drive a
``LessonRun`` and decide themselves what to show and when.  Replies are held back
until their ``S:`` step comes, so its narration can be shown (or the class asked to
guess) before the reply is revealed.

A world lesson's steps carry their hop: when the next step is on another hop, the
backend is told (``enter``) and answers with what the new hop starts with (a new
connection's greeting, the relay's notes); nothing else changes here.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from smtp_tutor.lessons.hops import reply_status
from smtp_tutor.lessons.model import CLIENT, SERVER, Hop, Lesson, Step
from smtp_tutor.lessons.placeholders import fill
from smtp_tutor.protocol import State


@dataclass(frozen=True)
class Outcome:
    """How a server step went: the reply that came (None: none came) and whether it fits."""

    step: Step
    reply: object | None  # ReplyReceived, or a POP3 reply or DNS answer event
    ok: bool

    @property
    def got(self) -> str | None:
        """The reply's code as the lesson writes it: "250", "+OK", "DNS"."""
        status = reply_status(self.reply) if self.reply is not None else None
        return status[0] if status else None


class LessonRun:
    """The position in a lesson and the replies not yet revealed."""

    def __init__(self, lesson: Lesson, backend, values: dict[str, str]) -> None:
        self.lesson = lesson
        self.backend = backend
        self.values = values
        self.position = 0
        self.outcomes: list[Outcome] = []
        self._held: deque[list] = deque()
        self._hop: Hop | None = None

    @property
    def session(self):
        return self.backend.session

    @property
    def current(self) -> Step | None:
        steps = self.lesson.steps
        return steps[self.position] if self.position < len(steps) else None

    @property
    def in_data(self) -> bool:
        return self.session.state is State.DATA

    def line_for(self, step: Step) -> str:
        """The client line with placeholders filled for this server."""
        return fill(step.text, self.values)

    async def start(self) -> list:
        """Connect; what is shown at once (the greeting is held for its step)."""
        events = await self.backend.open()
        if self.current is not None:
            events += await self._enter(self.current)  # a world lesson: its first hop
        return self._hold(events)

    async def send(self, line: str) -> list:
        """Send the current client step's line (as typed, or as written)."""
        step = self.current
        assert step is not None and step.kind == CLIENT
        entered = await self._enter(step)
        self.position += 1
        return self._hold(entered + await self.backend.send(line))

    async def reveal(self) -> tuple[Outcome, list]:
        """The current server step: its reply (with what came with it) and whether it fits."""
        step = self.current
        assert step is not None and step.kind == SERVER
        shown = self._hold(await self._enter(step))
        self.position += 1
        group = self._held.popleft() if self._held else []
        status = reply_status(group[0]) if group else None
        reply = group[0] if status else None
        ok = status is not None and step.expects(*status)
        group = shown + group
        outcome = Outcome(step, reply, ok)
        self.outcomes.append(outcome)
        return outcome, group

    async def arrive(self) -> list:
        """The current step's hop, entered before its narration is shown: the move to
        the next hop is announced before the student is asked anything on it."""
        step = self.current
        return self._hold(await self._enter(step)) if step is not None else []

    async def attempt(self, line: str) -> tuple[bool, list]:
        """Send the current client step's line; when the reply fits the server step that
        follows, the step is done (as ``send``).  Otherwise (a 535 to a wrong password)
        the step stays and the events come back to be shown: the student tries again."""
        step = self.current
        assert step is not None and step.kind == CLIENT
        events = await self._enter(step) + await self.backend.send(line)
        following = self.lesson.steps[self.position + 1:self.position + 2]
        status = next((s for s in map(reply_status, events) if s is not None), None)
        if following and following[0].kind == SERVER and status is not None \
                and not following[0].expects(*status):
            return False, events
        self.position += 1
        return True, self._hold(events)

    async def send_extra(self, line: str) -> list:
        """A line the lesson did not record (one more body line of the student's own
        message): sent, and the step stays where it is."""
        return self._hold(await self.backend.send(line))

    def end_data(self) -> bool:
        """The student ended the message early with ``.``: move to the lesson's own final
        ``.`` past the recorded body lines not typed (False: no such step ahead)."""
        steps = self.lesson.steps
        for index in range(self.position, len(steps)):
            if steps[index].kind != CLIENT:
                return False
            if steps[index].text == ".":
                self.position = index
                return True
        return False

    def data_lines_left(self) -> list[str]:
        """The lesson's body lines from here up to its final ``.``."""
        out = []
        for step in self.lesson.steps[self.position:]:
            if step.kind != CLIENT or step.text == ".":
                break
            out.append(fill(step.text, self.values))
        return out

    def skip(self) -> None:
        """Past a step that needs no I/O (a wait, once waited)."""
        self.position += 1

    async def _enter(self, step: Step) -> list:
        """A step on a new hop: the backend moves there first (world lessons only)."""
        if step.hop is None or step.hop is self._hop:
            return []
        self._hop = step.hop
        return await self.backend.enter(step.hop)

    def _hold(self, events: list) -> list:
        """Split events: those before the first reply are returned; replies are held."""
        shown: list = []
        replied = False
        for event in events:
            if reply_status(event) is not None:
                self._held.append([event])
                replied = True
            elif replied:
                self._held[-1].append(event)  # e.g. the TLS handshake after 220
            else:
                shown.append(event)
        return shown

    async def close(self) -> None:
        await self.backend.close()

