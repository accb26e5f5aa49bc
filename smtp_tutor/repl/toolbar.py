"""The bottom toolbar: where you are connected and where the dialogue is."""

from __future__ import annotations

from smtp_tutor.protocol import ClientSession


def toolbar_text(host: str, port: int, session: ClientSession, lang: str) -> str:
    last = session.last_reply.code if session.last_reply else "-"
    tls = "TLS on" if session.tls else "TLS off"
    auth = " │ AUTH ok" if session.authenticated else ""
    keys = ("Tab: gợi ý · :help · Ctrl-D: thoát" if lang == "vi"
            else "Tab: complete · :help · Ctrl-D: quit")
    return f" {host}:{port} │ {tls}{auth} │ {session.state.value} │ last {last} │ {keys}"


def prompt_text(host: str, session: ClientSession) -> str:
    return f"{host} [{session.state.value}]> "
