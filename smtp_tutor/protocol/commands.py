"""Client command lines: parsing what the student typed and putting it on the wire.

A command always leaves with CRLF.  A bare CR or LF inside a line is refused: it would
split one command into two on a lenient server (the trick behind SMTP smuggling).  What
many servers accept but the RFC grammar does not (``MAIL FROM: <a@b>``, HELO instead of
EHLO) is sent as typed, with a note, because a tutor shows the real world.
"""

from __future__ import annotations

import re
from collections.abc import Container

from smtp_tutor.protocol.events import Note
from smtp_tutor.record import record

TYPE_CHECKING = False  # (typing costs 2 ms at start: annotations only)
if TYPE_CHECKING:
    from smtp_tutor.protocol.capabilities import Capabilities

MAX_COMMAND_LINE = 512  # RFC 5321 §4.5.3.1.4, CRLF included

# Pseudo-verbs for things that are answered like commands but are not typed as one.
GREETING = "<greeting>"
END_OF_DATA = "<end-of-data>"
AUTH_RESPONSE = "<auth-response>"

KNOWN_VERBS = frozenset(
    ["HELO", "EHLO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP", "VRFY", "EXPN", "HELP",
     "QUIT", "STARTTLS", "AUTH", "ETRN"]
)

_PATH = re.compile(
    r"^(?P<kw>FROM|TO)(?P<colon>:?)(?P<space>\s*)(?P<path><[^>]*>|\S+)?(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)


class CommandRefused(ValueError):
    """The line cannot be sent as one SMTP command; ``note`` says why."""

    def __init__(self, note: Note) -> None:
        super().__init__(note.key)
        self.note = note


@record(frozen=True)
class Command:
    """A command as the dialogue sees it; ``display`` is safe to show, store and log."""

    verb: str
    args: str = ""
    display: str = ""
    secret: bool = False

    @property
    def is_pseudo(self) -> bool:
        return self.verb.startswith("<")


def parse_command(line: str, *, secret: bool = False) -> Command:
    """Split a typed line into verb and arguments (verbs are case-insensitive)."""
    stripped = line.strip()
    words = stripped.split(None, 1)
    verb = words[0].upper() if words else ""
    args = words[1] if len(words) > 1 else ""
    if secret or is_secret_command(verb, args):
        display = mask_command(verb, args)
        return Command(verb, display.partition(" ")[2], display, secret=True)
    return Command(verb, args.strip(), stripped)


def is_secret_command(verb: str, args: str) -> bool:
    """AUTH with an initial response carries credentials in the line itself."""
    return verb.upper() == "AUTH" and len(args.split()) > 1


def is_secret_line(line: str) -> bool:
    """A typed line that holds credentials (words may be split by spaces or tabs)."""
    words = line.split(None, 1)
    return bool(words) and is_secret_command(words[0], words[1] if len(words) > 1 else "")


_BASE64_TOKEN = re.compile(r"^[A-Za-z0-9+/]{4,}={0,2}$")


def looks_like_auth_answer(line: str) -> bool:
    """A lone base64 token: what a client sends to a 334 (or sends anyway after a refusal)."""
    text = line.strip()
    return bool(_BASE64_TOKEN.match(text)) and text.upper() not in KNOWN_VERBS


def is_auth_cancel(text: str) -> bool:
    """A lone ``*`` answering a 334 cancels the exchange (RFC 4954 §4): not a secret."""
    return text.strip() == "*"


def mask_command(verb: str, args: str) -> str:
    """The line with credentials replaced, e.g. ``AUTH PLAIN ********``; a cancel stays ``*``."""
    if verb == AUTH_RESPONSE:
        if is_auth_cancel(args):
            return "*"
        return "********"
    parts = args.split()
    shown = [verb] + parts[:1] + ["********"] * min(1, len(parts) - 1)
    return " ".join(shown)


def mail_path(command: Command) -> str | None:
    """The address inside ``MAIL FROM:<...>`` or ``RCPT TO:<...>``, or None."""
    if command.verb not in ("MAIL", "RCPT"):
        return None
    match = _PATH.match(command.args)
    if not match or not match.group("path"):
        return None
    return match.group("path").strip("<>")


def encode_line(line: str, *, smtputf8: bool) -> tuple[bytes, list[Note]]:
    """The wire form of one command line, with warnings; raises CommandRefused."""
    if "\r" in line or "\n" in line:
        raise CommandRefused(Note("bare-cr-lf-in-command", level="warning", rfc="RFC 5321 §2.3.8"))
    notes: list[Note] = []
    wire = line.encode("utf-8") + b"\r\n"
    if not line.isascii() and not smtputf8:
        notes.append(Note("non-ascii-without-smtputf8", level="warning", rfc="RFC 6531 §3.2"))
    if len(wire) > MAX_COMMAND_LINE:
        notes.append(Note("command-line-too-long", {"octets": str(len(wire))},
                          level="warning", rfc="RFC 5321 §4.5.3.1.4", expect="500"))
    return wire, notes


def syntax_notes(command: Command,
                 advertised: Capabilities | Container[str] = ()) -> list[Note]:
    """What the RFC grammar says about a command that servers may still accept.

    A keyword the server ``advertised`` in its EHLO reply (XCLIENT, XFORWARD, a vendor's
    own) is a command that server knows: it is not flagged as unknown.
    """
    verb = command.verb
    if command.is_pseudo:
        return []
    if verb not in KNOWN_VERBS and verb not in advertised:
        import difflib  # only for a verb that is not SMTP's: it costs a ms at start-up

        close = difflib.get_close_matches(verb, sorted(KNOWN_VERBS), n=1, cutoff=0.6)
        if close:  # MIAL → MAIL
            return [Note("unknown-command-close", {"verb": verb, "close": close[0]},
                         level="warning", rfc="RFC 5321 §4.2.4", expect="500")]
        return [Note("unknown-command", {"verb": verb}, level="warning",
                     rfc="RFC 5321 §4.2.4", expect="500")]
    if verb in ("HELO", "EHLO") and not command.args:
        return [Note("helo-needs-domain", {"verb": verb}, level="warning",
                     rfc="RFC 5321 §4.1.1.1", expect="501")]
    if verb == "HELO":
        return [Note("helo-not-ehlo", rfc="RFC 5321 §4.1.1.1, Appendix F.3")]
    if verb in ("MAIL", "RCPT"):
        return _path_notes(command)
    return []


def _path_notes(command: Command) -> list[Note]:
    keyword = "FROM" if command.verb == "MAIL" else "TO"
    params = {"verb": command.verb, "keyword": keyword}
    match = _PATH.match(command.args)
    if not match or match.group("kw").upper() != keyword:
        typed = re.split(r"[:<\s]", command.args.strip(), maxsplit=1)[0]
        if typed and _close_to(typed.upper(), keyword):  # MAIL FORM: → FROM
            return [Note("path-keyword-typo", {**params, "typed": typed[:20]},
                         level="warning", rfc="RFC 5321 §4.1.1.2", expect="501")]
        return [Note("path-keyword-missing", params, level="warning",
                     rfc="RFC 5321 §4.1.1.2", expect="501")]
    if not match.group("colon"):
        return [Note("path-colon-missing", params, level="warning",
                     rfc="RFC 5321 §4.1.1.2", expect="501")]
    notes = []
    if match.group("space"):
        notes.append(Note("space-after-colon", params, rfc="RFC 5321 §4.1.2"))
    path = match.group("path") or ""
    if not path:
        notes.append(Note("path-missing", params, level="warning",
                          rfc="RFC 5321 §4.1.2", expect="501"))
    elif not (path.startswith("<") and path.endswith(">")):
        notes.append(Note("path-brackets-missing", params, level="warning",
                          rfc="RFC 5321 §4.1.2", expect="501"))
    return notes


def _close_to(typed: str, keyword: str) -> bool:
    """FORM, FRM, FROMM for FROM; OT, TOO for TO: the same letters, or one edit away."""
    if sorted(typed) == sorted(keyword):
        return True
    import difflib

    return difflib.SequenceMatcher(None, typed, keyword).ratio() >= 0.6 and typed != keyword


_COMMAND_SHAPES = re.compile(
    r"^(?:(?:QUIT|RSET|NOOP|DATA|STARTTLS)\s*|(?:EHLO|HELO)\s+\S+|MAIL\s+FROM:.*|RCPT\s+TO:.*"
    r"|BDAT\s+\d+(?:\s+LAST)?|(?:VRFY|EXPN|AUTH)\s+\S.*)$", re.IGNORECASE)


def looks_like_command(line: str) -> bool:
    """The whole line has a command's shape (`QUIT`, `RCPT TO:<…>`), not just its first
    word ("Data from the survey" is body text)."""
    return _COMMAND_SHAPES.match(line.strip()) is not None
