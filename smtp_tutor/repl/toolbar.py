"""The bottom toolbar: where you are connected and where the dialogue is."""

from __future__ import annotations

from smtp_tutor.knowledge import ui
from smtp_tutor.protocol import ClientSession


def toolbar_text(host: str, port: int, session: ClientSession, lang: str) -> str:
    last = session.last_reply.code if session.last_reply else "-"
    tls = ui("toolbar_tls_on" if session.tls else "toolbar_tls_off", lang)
    auth = f" │ {ui('toolbar_auth_ok', lang)}" if session.authenticated else ""
    state = session.state.value
    gloss = ui("state_gloss", lang).get(state, "")  # vi: the protocol word, then its meaning
    where = f"{state}: {gloss}" if gloss else state
    return (f" {host}:{port} │ {tls}{auth} │ {where} │ {ui('toolbar_last', lang, code=str(last))}"
            f" │ {ui('toolbar_keys', lang)}")


def prompt_text(host: str, session: ClientSession) -> str:
    return f"{host} [{session.state.value}]> "
