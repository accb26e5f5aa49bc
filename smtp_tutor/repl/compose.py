"""``:compose``, ``:attach FILE`` and ``:send``: a real message, built and explained.

The composer asks for the header fields and the body, shows the bytes it will send
with each part explained (``protocol/compose.py``), and keeps them for ``:send``
(DATA) or ``:bdat`` (BDAT chunks); nothing leaves before the student says so.
"""

from __future__ import annotations

from pathlib import Path

from smtp_tutor.knowledge.catalogue import say
from smtp_tutor.net.errors import TransportError
from smtp_tutor.protocol import State
from smtp_tutor.protocol.compose import Draft, compose
from smtp_tutor.render.views import note_view
from smtp_tutor.repl.waiting import AuthCancelled, StoppedWaiting, wait_visibly

SHOWN_PART_LINES = 8  # of a long base64 part, the first lines are enough to see its shape


class Cancelled(Exception):
    """Ctrl-C or Ctrl-D at a composer prompt."""


async def _ask(repl, key: str, default: str = "") -> str:  # noqa: ANN001 - the Repl

    try:
        return await repl._ask(say("ui", key, repl.lang), default=default)
    except AuthCancelled:
        raise Cancelled() from None


async def compose_command(repl) -> None:  # noqa: ANN001
    envelope = repl.envelope
    try:
        sender = await _ask(repl, "compose_from", envelope.sender or "alice@crepes.fr")
        to = await _ask(repl, "compose_to", ", ".join(envelope.recipients) or "bob@hamburger.edu")
        cc = await _ask(repl, "compose_cc")
        subject = await _ask(repl, "compose_subject", "Hello from smtp-tutor")
        repl.renderer.text(say("ui", "compose_body", repl.lang), "hint")
        body: list[str] = []
        while True:
            line = await _ask(repl, "compose_body_line")
            if line == ".":
                break
            body.append(line)
    except Cancelled:
        repl.renderer.message("compose-cancelled", {}, "info")
        return
    draft = Draft(sender, _split(to), subject, "\n".join(body) + "\n", _split(cc),
                  attachments=[(Path(p).name, data) for p, data in repl.attachments])
    composed = compose(draft, repl.session.capabilities, body_8bit=repl.session.body_8bit)
    repl.attachments = []
    show_message(repl, composed.message)
    for note in composed.parts + composed.notes:
        repl.renderer.note(note_view(note, repl.lang, shell=True))
    repl.composed = composed.message
    repl.renderer.message("compose-ready", {"octets": str(len(composed.message))}, "info")


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def show_message(repl, message: bytes) -> None:  # noqa: ANN001
    """The bytes as they will leave, line by line; a long base64 run is shortened."""
    run = 0
    for line in message.decode("utf-8", "replace").split("\r\n"):
        is_base64 = len(line) == 76 and " " not in line
        run = run + 1 if is_base64 else 0
        if run == SHOWN_PART_LINES + 1:
            repl.renderer.text("   │ …", "hint")
        if run > SHOWN_PART_LINES:
            continue
        repl.renderer.text(f"   │ {line}", "client.data")


def attach_command(repl, argument: str) -> None:  # noqa: ANN001
    from smtp_tutor.repl.files import FileRefused, read_message_file

    path = argument.strip()
    try:
        data = read_message_file(path)
    except FileRefused as refused:
        repl.renderer.message(refused.key, refused.params, "error")
        return
    repl.attachments.append((path, data))
    repl.renderer.message("compose-attached", {"path": path, "octets": str(len(data))}, "info")


async def send_command(repl) -> None:  # noqa: ANN001
    """``:send``: DATA, the composed message in one write (dot-stuffed), the final dot."""
    if repl.composed is None:
        repl.renderer.message("compose-nothing", {}, "warning")
        return
    if repl.session.state is not State.RCPT:
        repl.renderer.message("compose-send-needs-rcpt", {}, "warning")
        return
    await repl.send("DATA")
    session = repl.session
    if session.state is not State.DATA:
        return
    message = repl.composed
    try:
        await repl.connection.write(session.send_body_chunk(message))
        repl.renderer.message("compose-sent-body", {"lines": str(message.count(b"\n")),
                                                    "octets": str(len(message))}, "info")
        await wait_visibly(repl.connection.transmit(session.end_data(), repl.show),
                           repl.renderer.console, repl._waiting)
    except StoppedWaiting:
        repl.renderer.message("wait-stopped", {}, "warning")
    except TransportError as error:
        repl.show(error.events)
        repl.renderer.message(error.key, error.params, "error")
