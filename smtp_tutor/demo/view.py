"""The full-screen demo (prompt_toolkit's application layer): panes, keys, status bar.

Printable keys type the scripted line, so every control is on a key that does not
type: arrows, Home, Tab, Ctrl-G, F1-F4, Ctrl-Q.
"""

from __future__ import annotations

from prompt_toolkit.application import Application
from prompt_toolkit.filters import Condition
from prompt_toolkit.formatted_text import ANSI
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.layout import ConditionalContainer, HSplit, Layout, VSplit, Window
from prompt_toolkit.layout.controls import FormattedTextControl
from prompt_toolkit.layout.dimension import Dimension
from prompt_toolkit.styles import Style

from smtp_tutor.demo.model import DemoModel
from smtp_tutor.demo.screen import diagram_lines, dialogue_ansi, pinned_tail, tail
from smtp_tutor.knowledge.catalogue import say
from smtp_tutor.protocol.numbers import ascii_int

AUTO_TYPE_SECONDS = 0.08
STYLES = {
    "dark": {"bar": "reverse", "narration": "bold", "help": "reverse", "diagram": "",
             "typing": "bold ansicyan", "ask": "bold ansiyellow", "error": "bold ansired"},
    "light": {"bar": "reverse", "narration": "bold", "help": "reverse", "diagram": "",
              "typing": "bold ansiblue", "ask": "bold ansimagenta", "error": "bold ansired"},
    "projector": {"bar": "bold reverse", "narration": "bold ansiwhite", "help": "bold reverse",
                  "diagram": "bold", "typing": "bold ansibrightcyan",
                  "ask": "bold ansiblack bg:ansibrightyellow", "error": "bold ansiwhite bg:ansired"},
}


class DemoView:
    def __init__(self, model: DemoModel, theme: str, server_name: str, *,
                 offline: bool = False) -> None:
        self.model = model
        self.theme = theme
        self.server_name = server_name
        self.offline = offline
        self.jump_digits: str | None = None
        self.app: Application[int] = Application(
            layout=self._layout(), key_bindings=self._keys(), full_screen=True,
            style=Style.from_dict(STYLES[theme]), mouse_support=False)

    # -- layout ---------------------------------------------------------------

    def _size(self) -> tuple[int, int]:
        size = self.app.output.get_size()
        return size.columns, size.rows

    def _diagram_width(self) -> int:
        columns, _ = self._size()
        return 34 if columns < 100 else min(60, columns // 3)

    def _body_height(self) -> int:
        _, rows = self._size()
        help_rows = self._help_height() if self.model.show_help else 0
        return max(3, rows - 1 - self._narration_height() - help_rows)

    def _help_height(self) -> int:
        return len(self._help_lines())

    def _help_lines(self) -> list[str]:
        """The key list wrapped between items (``F1: hide`` is never split or cut off)."""
        columns, _ = self._size()
        return wrap_items(say("ui", "demo_keys", self.model.lang).split(" · "), columns - 2)

    def _narration_height(self) -> int:
        """Three lines (five on a tall screen), more when this step's narration needs them,
        up to three more: a projector shows the whole sentence, and the dialogue gives way
        (every lesson's narration fits six lines at 80x24: tests/demo/test_narration_fits.py)."""
        import textwrap

        columns, rows = self._size()
        least = 3 if rows < 30 else 5
        needed = len(textwrap.wrap(self.model.narration, max(10, columns - 2),
                                   break_on_hyphens=False))
        return min(max(least, needed), least + 3)

    def _layout(self) -> Layout:
        help_visible = Condition(lambda: self.model.show_help)
        body = VSplit([
            Window(FormattedTextControl(self._dialogue), wrap_lines=False),
            Window(width=1, char="│", style="class:diagram"),
            Window(FormattedTextControl(self._diagram), width=lambda: self._diagram_width(),
                   style="class:diagram"),
        ])
        return Layout(HSplit([
            Window(FormattedTextControl(self._title), height=1, style="class:bar"),
            body,
            Window(FormattedTextControl(self._narration), wrap_lines=False, style="class:narration",
                   height=lambda: Dimension.exact(self._narration_height())),
            ConditionalContainer(Window(FormattedTextControl(self._help), wrap_lines=False,
                                        height=lambda: Dimension.exact(self._help_height()),
                                        style="class:help"), filter=help_visible),
        ]))

    def _title(self) -> str:
        """What changes goes first; the lesson title gives way (whole words, then …)."""
        model, lang = self.model, self.model.lang
        flags = " ".join(say("ui", key, lang) for key, on in (("demo_auto", model.auto),
                                                        ("demo_ask", model.ask_class)) if on)
        flags = f" [{flags}]" if flags else ""
        jump = ""
        if self.jump_digits is not None:
            jump = "  " + say("ui", "demo_goto", lang, digits=self.jump_digits)
        server = self.server_name + (f" ({say('ui', 'demo_offline', lang)})" if self.offline else "")
        head = f" {say('ui', 'demo_step', lang)} {model.move_number}/{model.move_count}{flags}{jump} — {lang}"
        columns, _ = self._size()
        room = columns - 1 - len(head) - len(f" —  — {server}")
        title = shorten(model.lesson.title_in(lang), room)
        return f"{head} — {title} — {server}" if title else f"{head} — {server}"[: columns - 1]

    def _dialogue(self) -> ANSI:
        model = self.model
        columns, _ = self._size()
        width = max(30, columns - self._diagram_width() - 1)
        lines = dialogue_ansi(model.events, model.lang, width, theme=self.theme,
                              explanations=model.explanations, spacing=self.theme == "projector")
        extra: list[str] = []
        step = model.step
        if model.error:
            extra.append(f"\x1b[1;31m✖ {model.error}\x1b[0m")
        elif step is not None and step.kind == "client":
            extra.append(f"\x1b[1;36mC: {model.typing}\x1b[0m\x1b[7m \x1b[0m")
        elif model.asking:
            extra.append(f"\x1b[1;33m? {say('ui', 'lesson_predict', model.lang).split('?')[0]}?\x1b[0m")
        return ANSI("\n".join(tail(lines + extra, self._body_height())))

    def _diagram(self):
        model = self.model
        if model.lesson.world:  # one labelled ladder per hop, the current hop's names pinned
            lines = diagram_lines(model.events, self._diagram_width(), "", "", model.lang)
            return "\n".join(pinned_tail(lines[1:], self._body_height()))
        client = model.values.get("client", "client")
        lines = diagram_lines(model.events, self._diagram_width(), client, self.server_name,
                              model.lang)
        head, rest = lines[:1], lines[1:]
        return "\n".join(head + tail(rest, self._body_height() - 1))

    def _narration(self) -> str:
        """Wrapped between words; what does not fit the pane ends in …."""
        import textwrap

        columns, _ = self._size()
        lines = textwrap.wrap(self.model.narration, max(10, columns - 2), break_on_hyphens=False)
        height = self._narration_height()
        if len(lines) > height:
            lines = lines[:height]
            lines[-1] = shorten(lines[-1] + " …", columns - 2)
        return "\n".join(f" {line}" for line in lines)

    def _help(self) -> str:
        return "\n".join(f" {line}" for line in self._help_lines())

    # -- keys -------------------------------------------------------------------

    def _do(self, coroutine) -> None:
        async def run():
            await coroutine
            self.app.invalidate()

        self.app.create_background_task(run())

    def _keys(self) -> KeyBindings:
        kb = KeyBindings()
        model = self.model

        @kb.add("c-q")
        @kb.add("c-c")
        def _quit(event) -> None:
            event.app.exit(result=0)

        @kb.add("right")
        def _next(event) -> None:
            self._do(model.next())

        @kb.add("left")
        def _back(event) -> None:
            self._do(model.back())

        @kb.add("home")
        def _restart(event) -> None:
            self._do(model.restart())

        @kb.add("c-g")
        def _jump(event) -> None:
            self.jump_digits = ""

        @kb.add("tab")
        def _auto(event) -> None:
            model.auto = not model.auto
            if model.auto:
                self.app.create_background_task(self._auto_type())

        @kb.add("f1")
        def _help(event) -> None:
            model.show_help = not model.show_help

        @kb.add("f2")
        def _explanations(event) -> None:
            model.explanations = not model.explanations

        @kb.add("f3")
        def _language(event) -> None:
            model.lang = "vi" if model.lang == "en" else "en"

        @kb.add("f4")
        def _ask(event) -> None:
            model.ask_class = not model.ask_class

        @kb.add("enter")
        def _enter(event) -> None:
            if self.jump_digits is not None:
                number = ascii_int(self.jump_digits)
                target = number if number is not None else model.move_number
                self.jump_digits = None
                self._do(model.jump(target))
                return
            self._do(model.enter())

        @kb.add("<any>")
        def _any(event) -> None:
            if self.jump_digits is not None:
                if len(event.data) == 1 and event.data in "0123456789":
                    self.jump_digits += event.data
                elif event.data in ("\x7f", "\x08"):
                    self.jump_digits = self.jump_digits[:-1]
                else:
                    self.jump_digits = None
                return
            self._do(model.key())

        return kb

    async def _auto_type(self) -> None:
        import asyncio

        while self.model.auto and self.model.step is not None and not self.model.error:
            await asyncio.sleep(AUTO_TYPE_SECONDS if self.model.step.kind == "client" else 1.2)
            if self.model.asking:
                continue  # the class is guessing: only the instructor's key reveals the reply
            if self.model.step is not None and self.model.step.kind == "client":
                await self.model.key()
            elif self.model.step is not None:
                await self.model.enter()
            self.app.invalidate()
        self.model.auto = False
        self.app.invalidate()

    async def run(self) -> int:
        return await self.app.run_async() or 0


def shorten(text: str, width: int) -> str:
    """``text`` cut at a word boundary to ``width`` columns, with … when cut ("" if no room)."""
    if len(text) <= width:
        return text
    if width < 2:
        return ""
    cut = text[: width - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" —,:;") + "…"


def wrap_items(items: list[str], width: int, separator: str = " · ") -> list[str]:
    """Items joined by ``separator`` into lines of at most ``width`` (an item is never split)."""
    lines: list[str] = []
    for item in items:
        if lines and len(lines[-1]) + len(separator) + len(item) <= width:
            lines[-1] += separator + item
        else:
            lines.append(item)
    return lines
