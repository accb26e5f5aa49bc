"""The instructor's demo in a real pseudo-terminal: forward, back, language, ask the class."""

import os
import signal
import time

import pexpect
import pyte
import pytest

from tests.conftest import spawn_pty, tutor_command


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
        """Key by key, each its own write (an escape sequence is one key). The demo acts on
        the keys in the order they came, one at a time: no pause is needed between them."""
        for key in keys.split("|") if "|" in keys else list(keys):
            self.child.send(key)

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
    child = spawn_pty(command, [*args, "demo", "alice-bob", "--lang", "en", "--notes", str(notes)],
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


def spawn_demo(tmp_path, *args: str, lesson: str = "alice-bob", ready: str = "/15") -> Terminal:
    """The demo of ``lesson`` at 80x24 with a home (and so a mailbox) of its own, once
    ``ready`` is on the screen."""
    home = tmp_path / "home"
    temp = tmp_path / "temp"  # its temporary folders, where a test can see them
    temp.mkdir()
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm", "COLUMNS": "80",
           "LINES": "24", "SMTP_TUTOR_HOME": str(home), "SMTP_TUTOR_CACHE": str(home / "cache"),
           "TMPDIR": str(temp)}
    command, *rest = tutor_command()
    child = spawn_pty(command, [*rest, "demo", lesson, *args], env=env,
                      encoding="utf-8", timeout=15, dimensions=(24, 80))
    terminal = Terminal(child)
    terminal.home = home
    terminal.temp = temp
    terminal.expect(ready)
    return terminal


def test_at_80x24_the_help_line_title_and_narration_are_whole(demo):
    screen = demo.expect("^Q: quit").splitlines()
    help_lines = [line for line in screen if " · " in line]
    keys = " · ".join(line.strip() for line in help_lines)
    assert "F1: hide" in keys and "^Q: quit" in keys and "F4: ask the class" in keys
    assert "Enter: go to step" in keys  # not split as "N E / nter"
    assert all(line.rstrip() == line.rstrip().rstrip("·").rstrip() for line in help_lines)
    title = screen[0]
    assert title.rstrip().endswith("hamburger.edu")
    full, shown = "The textbook session: Alice asks Bob about ketchup", title.split(" — ")[2]
    cut = shown.rstrip("…")
    assert full.startswith(cut) and (shown == full or full[len(cut)] == " ")  # whole words
    narration = " ".join(line.strip() for line in screen[18:21])
    assert "port 25 of hamburger.edu." in narration  # wrapped between words


def test_ctrl_g_shows_the_number_being_typed(demo):
    demo.send("\x07")
    demo.expect("go to step: _")
    demo.send("12")
    demo.expect("go to step: 12_")
    demo.send("\x7f")
    demo.expect("go to step: 1_")
    demo.send("0\r")
    demo.expect("step 10/15")
    assert "go to step:" not in demo.text().splitlines()[0]


def test_ask_the_class_waits_for_a_key_even_in_auto_mode(demo):
    demo.send("\x1bOS|\t")  # F4, then Tab: auto
    demo.expect("[AUTO ASK]")
    demo.expect("What will the server answer")
    # auto mode used to reveal the greeting after 1.2 s: a negative check needs a window,
    # and two of auto mode's steps fit in this one
    time.sleep(2.6)
    shown = demo.text()
    assert "What will the server answer" in shown and "step 0/15" in shown
    demo.send("x")
    demo.expect("Greeting: the server is ready")


def test_going_back_never_delivers_a_second_copy(tmp_path):
    demo = spawn_demo(tmp_path, "--lang", "en")
    try:
        for _ in range(15):
            demo.send("\x1b[C|")
        demo.expect("step 15/15")
        inbox = demo.home / "mail" / "bob" / "new"
        assert len(list(inbox.iterdir())) == 1
        for step in (14, 13, 12):
            demo.send("\x1b[D|")  # ← replays the lesson from a fresh connection
            demo.expect(f"step {step}/15")  # (← counts back from the step on the screen)
        for _ in range(3):
            demo.send("\x1b[C|")
        demo.expect("step 15/15")
        demo.expect("closing connection")
        assert len(list(inbox.iterdir())) == 1
        scratch = [path.name for path in demo.temp.iterdir()]
        assert len(scratch) == 1 and scratch[0].startswith("smtp-tutor-scratch-")
        demo.child.kill(signal.SIGHUP)  # the projector's window closed
        demo.child.expect(pexpect.EOF)
        assert list(demo.temp.iterdir()) == []  # the replays' mailbox went with it
    finally:
        demo.child.terminate(force=True)


def test_vietnamese_flags_offline_and_the_ladder(tmp_path):
    demo = spawn_demo(tmp_path, "--lang", "vi", "--offline")
    try:
        demo.expect("(ngoại tuyến)")
        demo.send("\x1bOS|\t")
        demo.expect("[TỰ GÕ HỎI LỚP]")
        demo.send("\t|\x07|1|1|\r")  # auto off; go to step 11 (both body lines sent)
        demo.expect("bước 11/15")
        demo.expect("thư (2 dòng)")
    finally:
        demo.child.terminate(force=True)


def test_a_world_lesson_draws_one_ladder_per_hop_at_80x24(tmp_path):
    demo = spawn_demo(tmp_path, "--lang", "en", lesson="mx-and-relay", ready="step 0/")
    try:
        screen = demo.expect("step 0/").splitlines()
        assert screen[0].rstrip().endswith("practice world")
        assert "1 · submission" in demo.expect("1 · submission")  # the first hop, at once
        assert "Alice" in demo.text() and "crepes.fr" in demo.text()
        demo.send("\x07|3|1|\r")  # go to step 31: the DNS hop has asked and been answered
        demo.expect("step 31/")
        screen = demo.expect("2 · DNS")
        assert "MX hamburger.edu?" in screen and "MX 10 mx.hamburger.edu." in screen, screen
        demo.send("\x07|4|6|\r")  # the relay hop, performed by crepes.fr
        demo.expect("step 46/")
        screen = demo.expect("3 · relay")
        assert "hamburger.edu" in screen and "───▶" in screen
        for _ in range(3):
            demo.send("\x1b[C|")
        demo.expect("step 49/")
        assert all(len(line) <= 80 for line in demo.text().splitlines())
    finally:
        demo.child.terminate(force=True)


def test_ctrl_g_then_a_superscript_digit_is_ignored(demo):
    """``'²'.isdigit()`` is true and ``int('²')`` raises: the projector must not show that."""
    demo.send("\x07")
    wait_for(demo, "go to step: _")
    demo.send("²")
    demo.send("\r")
    wait_for(demo, "step 1/15")  # ² ended the jump: Enter went on by one step
    demo.send("\x07")
    demo.send("3\r")
    shown = wait_for(demo, "step 3/15")
    assert "Traceback" not in shown and demo.child.isalive()


def test_the_worlds_notes_follow_f3(tmp_path):
    """The world's events are kept as events: F3 says the queue's notes again in Vietnamese
    (they were caught as English text once, and stayed English)."""
    demo = spawn_demo(tmp_path, "--lang", "en", lesson="mx-and-relay", ready="step 0/")
    try:
        demo.expect("step 0/")
        demo.send("\x07|2|6|\r")  # the 250 to the final dot: the message was queued before it
        demo.expect("step 26/")
        assert " written to" in demo.expect("QUEUE · ")
        demo.send("\x1bOR|")  # F3: Vietnamese, the whole screen redrawn
        screen = _screen_where(demo, lambda text: "HÀNG ĐỢI · " in text and "QUEUE ·" not in text)
        assert " được ghi vào" in screen and "bước 26/" in screen
        demo.send("\x1bOR|")  # and back
        _screen_where(demo, lambda text: "QUEUE · " in text and "HÀNG ĐỢI" not in text)
    finally:
        demo.child.terminate(force=True)


def _screen_where(terminal: Terminal, holds, timeout: float = 15) -> str:
    """The first screen for which ``holds`` is true (a redraw may be read half done)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = terminal.text()
        if holds(shown):
            return shown
    raise AssertionError(f"no such screen:\n{terminal.text()}")
