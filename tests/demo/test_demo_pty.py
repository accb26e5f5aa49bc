"""The instructor's demo in a real pseudo-terminal: forward, back, language, ask the class."""

import os
import time

import pexpect
import pyte
import pytest

from tests.conftest import tutor_command


class Terminal:
    """pexpect's pty read through pyte, a terminal emulator: what a person would see."""

    def __init__(self, child) -> None:
        self.child = child
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.Stream(self.screen)

    def text(self) -> str:
        while True:
            try:
                self.stream.feed(self.child.read_nonblocking(65536, timeout=0.05))
            except (pexpect.TIMEOUT, pexpect.EOF):
                break
        return "\n".join(self.screen.display)

    def send(self, keys: str) -> None:
        """Key by key, as a person types (an escape sequence is one key)."""
        for key in keys.split("|") if "|" in keys else list(keys):
            self.child.send(key)
            time.sleep(0.15)

    def expect(self, needle: str, timeout: float = 15) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.text()
            if needle in shown:
                return shown
        raise AssertionError(f"{needle!r} not on screen:\n{self.text()}")


@pytest.fixture
def demo(tmp_path):
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm", "COLUMNS": "80", "LINES": "24"}
    command, *args = tutor_command()
    notes = tmp_path / "notes.txt"
    child = pexpect.spawn(command, [*args, "demo", "alice-bob", "--lang", "en", "--notes", str(notes)],
                          env=env, encoding="utf-8", timeout=15, dimensions=(24, 80))
    terminal = Terminal(child)
    terminal.notes = notes
    terminal.expect("step 0/15")
    yield terminal
    child.terminate(force=True)


def wait_for(terminal, text: str) -> str:
    return terminal.expect(text)


def test_forward_through_the_whole_lesson_back_and_forward_again(demo):
    demo.send("g")  # the first step is the server's greeting: a key reveals it
    wait_for(demo, "step 1/15")
    demo.send("abc")  # any key types the scripted line, three characters a key
    wait_for(demo, "C: HELO crep")
    demo.send("\r")  # Enter sends it
    wait_for(demo, "step 2/15")
    demo.send("x")  # the next key reveals the reply
    wait_for(demo, "Hello accepted")
    wait_for(demo, "step 3/15")
    for _ in range(12):
        demo.send("\x1b[C|")  # → finishes each step
    wait_for(demo, "step 15/15")
    wait_for(demo, "closing connection")
    demo.send("\x1b[D|")  # ← replays from a fresh connection up to step 14
    wait_for(demo, "step 14/15")
    demo.send("\x1b[C|")
    wait_for(demo, "step 15/15")
    demo.send("\x11")  # Ctrl-Q
    demo.child.expect(pexpect.EOF)
    notes = demo.notes.read_text()
    assert "line 16: client HELO crepes.fr" in notes and "say: Now the client" in notes


def test_switching_language_and_the_sequence_diagram(demo):
    demo.send("\x1b[C|\x1b[C|\x1b[C")
    wait_for(demo, "step 3/15")
    demo.send("\x1bOR|")  # F3: Vietnamese
    wait_for(demo, "bước 3/15")
    screen = wait_for(demo, "thành công")
    assert "crepes.fr" in screen.splitlines()[1] and "hamburger.edu" in screen.splitlines()[1]
    demo.send("\x1bOR|")
    wait_for(demo, "step 3/15")
    wait_for(demo, "───▶")  # the client's arrow in the ladder


def test_ask_the_class_holds_the_reply_back(demo):
    demo.send("\x1bOS|")  # F4: ask the class
    wait_for(demo, "ASK")
    demo.send("\x1b[C|")  # the greeting step: asks first
    wait_for(demo, "What will the server answer")
    demo.send("x")
    wait_for(demo, "Greeting: the server is ready")
