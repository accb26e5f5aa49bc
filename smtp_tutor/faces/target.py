"""Where to connect: ``HOST``, ``HOST PORT``, ``HOST:PORT``, ``[v6]:PORT``, bare ``::1``."""

from __future__ import annotations

DEFAULT_PORT = 25
IMPLICIT_TLS_PORT = 465


class TargetError(ValueError):
    """The host or port cannot be used; the message is for the user, in the run's language."""

    def __init__(self, key: str, **params: str) -> None:
        from smtp_tutor.knowledge import language_from_env
        from smtp_tutor.knowledge.catalogue import say

        super().__init__(say("ui", key, language_from_env(), **params))


def parse_target(host: str, port: str | int | None = None, *, tls: bool = False) -> tuple[str, int]:
    """A (host, port) pair; the port defaults to 25, or 465 with implicit TLS."""
    text = host.strip()
    embedded: str | None = None
    if text.startswith("["):
        inside, _, rest = text[1:].partition("]")
        text = inside
        if rest.startswith(":"):
            embedded = rest[1:]
    elif text.count(":") == 1:
        text, embedded = text.split(":")
    if not text:
        raise TargetError("target_no_host")
    chosen = port if port is not None else embedded
    if chosen in (None, ""):
        return text, IMPLICIT_TLS_PORT if tls else DEFAULT_PORT
    try:
        number = int(chosen)
    except ValueError as error:
        raise TargetError("target_port_nan", port=str(chosen)) from error
    if not 0 < number < 65536:
        raise TargetError("target_port_range", port=str(number))
    return text, number
