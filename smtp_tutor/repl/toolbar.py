"""The bottom toolbar: where you are connected and where the dialogue is."""

from __future__ import annotations

from smtp_tutor.knowledge.catalogue import has, say
from smtp_tutor.protocol import ClientSession


def toolbar_text(host: str, port: int, session: ClientSession, lang: str) -> str:
    last = session.last_reply.code if session.last_reply else "-"
    tls = say("ui", "toolbar_tls_on" if session.tls else "toolbar_tls_off", lang)
    auth = f" │ {say('ui', 'toolbar_auth_ok', lang)}" if session.authenticated else ""
    state = session.state.value
    gloss_key = f"state_gloss.{state}"  # vi: the protocol word, then its meaning
    gloss = say("ui", gloss_key, lang) if has("ui", gloss_key) else ""
    where = f"{state}: {gloss}" if gloss else state
    shown = f"[{host}]" if ":" in host else host  # ::1 port 2525 reads [::1]:2525
    parts = [f"{shown}:{port}", tls + auth, where, say("ui", "toolbar_last", lang, code=str(last)),
             say("ui", "toolbar_keys", lang)]
    columns = _columns()
    while len(parts) > 3 and len(" │ ".join(parts)) + 2 > columns:
        parts.pop()  # a narrow terminal: the keys go first, then the last code
    return " " + " │ ".join(parts)


def _columns() -> int:
    import shutil

    return shutil.get_terminal_size((120, 24)).columns


def prompt_text(host: str, session: ClientSession, lang: str = "en") -> str:
    """``host [state]> ``; inside a BDAT chunk, the octets still owed (RFC 3030)."""
    if session.chunk is not None:
        return f"{host} [{say('ui', 'prompt_chunk', lang, left=str(session.chunk.left))}]> "
    if session.between_chunks:  # RFC 3030: only BDAT (or RSET) may follow now (I5)
        return f"{host} [{say('ui', 'prompt_between_chunks', lang)}]> "
    return f"{host} [{session.state.value}]> "
