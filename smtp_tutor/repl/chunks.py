"""``:bdat``: a BDAT chunk from a file, or a composed message cut into chunks (RFC 3030).

A typed chunk needs nothing here: after ``BDAT n`` the core counts the typed octets.
"""

from __future__ import annotations

import shlex

from smtp_tutor.knowledge.catalogue import say
from smtp_tutor.net.errors import TransportError
from smtp_tutor.protocol.chunking import split_message
from smtp_tutor.protocol.numbers import ascii_int
from smtp_tutor.repl.files import FileRefused, read_message_file
from smtp_tutor.repl.waiting import StoppedWaiting, wait_visibly

DEFAULT_CHUNK = 64 * 1024  # octets per chunk when a composed message is sent with :bdat


async def bdat_command(repl, argument: str) -> None:  # noqa: ANN001 - the Repl
    """``:bdat FILE [--last]`` or ``:bdat [--size N]`` (the message from :compose)."""
    try:
        words = shlex.split(argument)
    except ValueError:
        words = []
    last = "--last" in words
    size = DEFAULT_CHUNK
    if "--size" in words:
        index = words.index("--size")
        value = words[index + 1] if index + 1 < len(words) else ""
        number = ascii_int(value)
        if number is None or number < 1:
            repl.renderer.message("bdat-usage", {}, "warning")
            return
        size = number
        del words[index:index + 2]
    files = [word for word in words if word != "--last"]
    if repl.session.chunk is not None:
        repl.renderer.message("bdat-in-chunk", {"left": str(repl.session.chunk.left)}, "warning")
        return
    if files:
        path = files[0]
        try:
            payload = read_message_file(path)
        except FileRefused as refused:
            repl.renderer.message(refused.key, refused.params, "error")
            return
        await send_chunks(repl, [payload], last=last, label=path)
        return
    message = getattr(repl, "composed", None)
    if message is None:
        repl.renderer.message("bdat-usage", {}, "warning")
        return
    await send_chunks(repl, split_message(message, size), last=True,
                      label=say("ui", "compose_sent_label", repl.lang))


async def send_chunks(repl, chunks: list[bytes], *, last: bool, label: str) -> None:  # noqa: ANN001
    """Each chunk in one write with its BDAT line, its reply awaited and explained; a
    refused chunk ends the run (RFC 3030 §2: no more chunks after an error)."""
    for number, chunk in enumerate(chunks, start=1):
        final = last and number == len(chunks)
        part = say("ui", "chunk_part", repl.lang, number=str(number), count=str(len(chunks))) \
            if len(chunks) > 1 else ""
        shown = say("ui", "chunk_label", repl.lang, octets=str(len(chunk)), source=label,
                    part=part)
        outgoing = repl.session.send_chunk(chunk, last=final, label=shown)
        try:
            await wait_visibly(repl.connection.transmit(outgoing, repl.show),
                               repl.renderer.console, repl._waiting)
        except StoppedWaiting:
            repl.renderer.message("wait-stopped", {}, "warning")
            return
        except TransportError as error:
            repl.show(error.events)
            repl.renderer.message(error.key, error.params, "error")
            return
        last_reply = repl.session.last_reply
        if last_reply is None or last_reply.klass != 2:
            return
