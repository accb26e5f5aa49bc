"""What Tab offers, as a pure function of the typed text and the dialogue (no prompt_toolkit).

Two steps, as pgcli does: first decide what kind of thing comes next (a verb, the
``FROM:<`` keyword, an address, a MAIL parameter, an AUTH mechanism), then match the
candidates of that kind.  Candidates come from the command table in the knowledge
base; which verbs fit now comes from the core's rule table.
"""

from __future__ import annotations

from dataclasses import dataclass

from smtp_tutor.knowledge.catalogue import pick
from smtp_tutor.knowledge.store import load
from smtp_tutor.protocol import ClientSession, State
from smtp_tutor.protocol.states import placement

DEFAULT_ADDRESSES = ("alice@crepes.fr", "bob@hamburger.edu")
DEFAULT_DOMAIN = "crepes.fr"
META_COMMANDS = (":help", ":explain ", ":raw on", ":raw off", ":headers", ":save ",
                 ":save-lesson ", ":lang en", ":lang vi", ":quit", ":pipeline", ":pipeline on",
                 ":pipeline off", ":end", ":cancel", ":bdat ", ":compose", ":attach ",
                 ":send")


@dataclass(frozen=True)
class Candidate:
    text: str  # replaces the last `replace` characters before the cursor
    replace: int
    display: str
    meta: str = ""


def offered_verbs(session: ClientSession) -> list[str]:
    """Verbs in place now, extensions only when advertised."""
    table = load("commands")
    verbs = []
    for verb, entry in table.items():
        required = entry.get("requires")
        if required and required not in session.capabilities:
            continue
        if placement(verb, session.state) is not None:
            continue
        verbs.append(verb)
    return verbs


def complete(text: str, session: ClientSession, lang: str = "en") -> list[Candidate]:
    """Completions for ``text`` (what is left of the cursor)."""
    if session.chunk is not None:
        return []  # BDAT octets: nothing to complete, a ":" is data too
    if text.startswith(":"):
        return [Candidate(m, len(text), m.strip()) for m in META_COMMANDS
                if m.startswith(text.lower()) and m != text]
    if session.state in (State.DATA, State.AUTH):
        return []
    verb, space, rest = text.partition(" ")
    if not space:
        return _verbs(verb, session, lang)
    entry = load("commands").get(verb.upper())
    if entry is None:
        return []
    return _arguments(verb.upper(), entry, rest, session)


def _verbs(prefix: str, session: ClientSession, lang: str) -> list[Candidate]:
    table = load("commands")
    out = []
    for verb in offered_verbs(session):
        if not verb.startswith(prefix.upper()):
            continue
        template = table[verb].get("template", verb)
        out.append(Candidate(template, len(prefix), verb, pick(table[verb], lang)["short"]))
    return out


def _arguments(verb: str, entry: dict, rest: str, session: ClientSession) -> list[Candidate]:
    kind = entry.get("args")
    if verb in ("MAIL", "RCPT"):
        return _path(verb, entry, rest, session)
    if kind == "domain":
        return _match([DEFAULT_DOMAIN], rest)
    if kind == "auth-mechanisms":
        return _match(list(session.capabilities.auth_mechanisms), rest.upper(), len(rest))
    if kind == "address":
        return _match(_addresses(session), rest)
    return []


def _path(verb: str, entry: dict, rest: str, session: ClientSession) -> list[Candidate]:
    keyword = "FROM:<" if verb == "MAIL" else "TO:<"
    upper = rest.upper()
    if len(rest) < len(keyword) and keyword.startswith(upper.replace(" ", "")):
        return [Candidate(keyword, len(rest), keyword)]
    if ">" not in rest:
        head, _, typed = rest.partition("<")
        if not head.upper().replace(" ", "").startswith(keyword[:-1].rstrip(":") + ":"):
            return []
        return [Candidate(a + ">", len(typed), a) for a in _addresses(session)
                if a.lower().startswith(typed.lower()) and a != typed]
    last = rest.rsplit(" ", 1)[-1] if rest.rsplit(" ", 1)[-1] != rest else ""
    offered = [p["name"] for p in entry.get("params", []) if p["requires"] in session.capabilities]
    return _match(offered, last.upper(), len(last))


def _addresses(session: ClientSession) -> list[str]:
    return list(dict.fromkeys([*session.addresses, *DEFAULT_ADDRESSES]))


def _match(options: list[str], typed: str, replace: int | None = None) -> list[Candidate]:
    length = len(typed) if replace is None else replace
    return [Candidate(o, length, o) for o in options
            if o.lower().startswith(typed.lower()) and o.lower() != typed.lower()]
