"""The shell's PIPELINING: a paste (with ``:pipeline on``) or ``:pipeline`` … ``:end``
leaves as groups in one write each, cut where RFC 2920 §3.1 says a group ends."""

from __future__ import annotations

from smtp_tutor.net.errors import TransportError
from smtp_tutor.protocol import State
from smtp_tutor.protocol.commands import CommandRefused
from smtp_tutor.protocol.pipeline import split_group
from smtp_tutor.render.views import note_view
from smtp_tutor.repl.meta import parse_meta
from smtp_tutor.repl.waiting import StoppedWaiting, wait_visibly


def offered(repl) -> bool:  # noqa: ANN001 - the Repl
    """PIPELINING is used only where the server advertised it (RFC 2920 §3)."""
    return "PIPELINING" in repl.session.capabilities


def _in_command_state(repl) -> bool:  # noqa: ANN001
    session = repl.session
    return session.chunk is None and session.state not in (State.DATA, State.AUTH, State.TLS,
                                                            State.CLOSED)


async def send_lines(repl, lines: list[str]) -> None:  # noqa: ANN001
    """Commands as pipelined groups; body lines, AUTH answers, chunk octets and
    meta-commands one at a time, as the shell always sends them."""
    lines = list(lines)
    while lines and not repl.connection.closed:
        commands = []
        if _in_command_state(repl):
            for line in lines:
                if parse_meta(line) is not None or not line.strip():
                    break
                commands.append(line)
        if len(commands) < 2:
            line = lines.pop(0)
            if repl.session.state is not State.DATA and repl.session.chunk is None:
                repl.renderer.text(f"{repl._prompt()}{line}", "hint")
            await repl.handle_line(line, confirmed=True)
            continue
        group, rest, note = split_group(commands)
        lines = rest + lines[len(commands):]
        if len(group) == 1:
            lines.insert(0, group[0])  # a lone command goes the ordinary way
            commands = []
            line = lines.pop(0)
            repl.renderer.text(f"{repl._prompt()}{line}", "hint")
            await repl.handle_line(line, confirmed=True)
            continue
        if note is not None:
            repl.renderer.note(note_view(note, repl.lang, shell=True))
        await _send_group(repl, group)


async def _send_group(repl, group: list[str]) -> None:  # noqa: ANN001
    repl.renderer.group_note(repl.session.next_group, len(group))
    try:
        await wait_visibly(repl.connection.send_group(group, show=repl.show),
                           repl.renderer.console, repl._waiting)
    except StoppedWaiting:
        repl.renderer.message("wait-stopped", {}, "warning")
    except CommandRefused as refused:
        repl.renderer.message(refused.note.key, {}, "error")
    except TransportError as error:
        repl.show(error.events)
        repl.renderer.message(error.key, error.params, "error")
