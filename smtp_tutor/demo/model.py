"""What the instructor's demo shows and how each key changes it (no screen code here).

It drives a ``LessonRun``: keys type the scripted client line a few characters at a
time, Enter sends it, the next key reveals the reply.  Going back replays the lesson
from a fresh connection up to the earlier step, so the server's side is real again;
once the message has been delivered, those replays go to ``make_replay_backend`` (a
scratch server) so the real mailbox never gets a second copy.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from smtp_tutor.lessons.engine import LessonRun
from smtp_tutor.lessons.model import CLIENT, SERVER, WAIT, Lesson, Step

CHARS_PER_KEY = 3
MOVES = (CLIENT, SERVER)


class DemoModel:
    """The demo's state: the run, what has been shown, the line being typed."""

    def __init__(self, lesson: Lesson, make_backend: Callable[[], Awaitable[object]],
                 values: dict[str, str], lang: str, *, fast_waits: bool = False) -> None:
        self.lesson = lesson
        self.make_backend = make_backend
        self.values = values
        self.lang = lang
        self.fast_waits = fast_waits
        self.run: LessonRun | None = None
        self.events: list = []  # what the dialogue pane shows, in order
        self.outcomes: list = []
        self.typed = 0
        self.asking = False  # "what will the server answer?" is on screen
        self.ask_class = False
        self.explanations = True
        self.show_help = True
        self.auto = False
        self.error = ""
        self.on_notes: Callable[[Step], None] | None = None
        self.make_replay_backend: Callable[[], Awaitable[object]] | None = None
        self.delivered = False  # a message reached the real server's mailbox
        self._lock = asyncio.Lock()

    # -- what the view reads ------------------------------------------------

    @property
    def step(self) -> Step | None:
        return self.run.current if self.run else None

    @property
    def move_number(self) -> int:
        """Client and server steps done so far (what "step N" means to the instructor)."""
        if self.run is None:
            return 0
        return sum(1 for s in self.lesson.steps[: self.run.position] if s.kind in MOVES)

    @property
    def move_count(self) -> int:
        return sum(1 for s in self.lesson.steps if s.kind in MOVES)

    @property
    def typing(self) -> str:
        """The part of the current client line the class has seen typed."""
        step = self.step
        if step is None or step.kind != CLIENT or self.run is None:
            return ""
        from smtp_tutor.lessons.placeholders import has_secret

        line = self.run.line_for(step)[: self.typed]
        if has_secret(step.text):  # a password is typed as stars, even on a projector
            prefix = self.run.line_for(Step(CLIENT, 0, text=step.text.partition("{")[0]))
            return line[: len(prefix)] + "*" * max(0, len(line) - len(prefix))
        return line

    @property
    def narration(self) -> str:
        step = self.step
        texts = step.narration if step is not None else self.lesson.closing
        return texts.get(self.lang) or texts.get("en") or ""

    # -- actions (each key) ---------------------------------------------------

    async def restart(self, target_moves: int = 0) -> None:
        """A fresh connection, then silently replay ``target_moves`` moves."""
        async with self._lock:
            if self.run is not None:
                await self.run.close()
            self.events, self.outcomes, self.typed, self.asking, self.error = [], [], 0, False, ""
            self.run = LessonRun(self.lesson, await self._backend(), self.values)
            await self._guard(self._start())
            while self.error == "" and self.step is not None and self.move_number < target_moves:
                await self._guard(self._complete(fast=True))
            self._announce()

    async def _backend(self):
        """The real server, or the scratch one once the message was delivered."""
        if self.delivered and self.make_replay_backend is not None:
            return await self.make_replay_backend()
        return await self.make_backend()

    async def _start(self) -> None:
        assert self.run is not None
        self.events += await self.run.start()
        await self._pass_waits(fast=True)

    async def key(self) -> None:
        """Any key: type more of the client line (sent once whole), or reveal the reply."""
        await self._act(type_more=True)

    async def enter(self) -> None:
        """Enter: send the line being typed (typing the rest at once), or reveal."""
        await self._act(type_more=False)

    async def _act(self, *, type_more: bool) -> None:
        async with self._lock:
            step = self.step
            if step is None or self.error:
                return
            if step.kind == CLIENT:
                assert self.run is not None  # a step is the run's
                line = self.run.line_for(step)
                if type_more and self.typed < len(line):
                    self.typed = min(len(line), self.typed + CHARS_PER_KEY)
                    return
                await self._guard(self._send())
            elif step.kind == SERVER:
                if self.ask_class and not self.asking:
                    self.asking = True
                    return
                await self._guard(self._reveal())
            self._announce()

    async def next(self) -> None:
        """→: finish the current step whatever it is."""
        async with self._lock:
            step = self.step
            if step is None or self.error:
                return
            if step.kind == SERVER and self.ask_class and not self.asking:
                self.asking = True  # the class answers first, even when skipping ahead
                return
            await self._guard(self._complete(fast=False))
            self._announce()

    async def back(self) -> None:
        """←: the previous move, replayed from a fresh connection."""
        await self.restart(max(0, self.move_number - 1))

    async def jump(self, move: int) -> None:
        await self.restart(max(0, min(move, self.move_count)))

    # -- internals ------------------------------------------------------------

    async def _complete(self, *, fast: bool) -> None:
        step = self.step
        if step is None:
            return
        if step.kind == CLIENT:
            await self._send()
        elif step.kind == SERVER:
            await self._reveal()
        await self._pass_waits(fast=fast)

    async def _send(self) -> None:
        assert self.run is not None and self.step is not None
        line = self.run.line_for(self.step)
        ending_data = self.run.in_data and line == "."
        self.events += await self.run.send(line)
        self.delivered = self.delivered or ending_data
        self.typed = 0
        await self._pass_waits(fast=False)

    async def _reveal(self) -> None:
        assert self.run is not None
        outcome, group = await self.run.reveal()
        self.events += group
        self.outcomes.append(outcome)
        self.asking = False
        await self._pass_waits(fast=False)

    async def _pass_waits(self, *, fast: bool) -> None:
        while self.step is not None and self.step.kind == WAIT:
            if not (fast or self.fast_waits):
                await asyncio.sleep(self.step.seconds)
            assert self.run is not None  # a step is the run's
            self.run.skip()

    async def _guard(self, action: Awaitable[None]) -> None:
        """A transport failure stops the demo with its message, never a traceback."""
        from smtp_tutor.knowledge import explain_note
        from smtp_tutor.net.errors import TransportError

        try:
            await action
        except TransportError as error:
            text, hint = explain_note(error.key, error.params, self.lang)
            self.error = f"{text} {hint}".strip()

    def _announce(self) -> None:
        if self.on_notes is not None and self.step is not None:
            self.on_notes(self.step)

    async def close(self) -> None:
        if self.run is not None:
            await self.run.close()
