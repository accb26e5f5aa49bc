"""Transcripts other tools print, read back as who-said-what lines (``transcript.Line``).

Students arrive with output they did not understand: the textbook's ``S:``/``C:``
notation, a swaks run (``->``/``<-``, ``~>``/``<~`` once TLS is on), Python smtplib's
debug output (``send:``/``reply:``) or a raw telnet/netcat capture.  Each line is
classified here; a bare telnet line stays ``UNKNOWN`` until the replay knows whether
the session is inside DATA (where everything is the client's).
"""

from __future__ import annotations

import ast
import re

from smtp_tutor.protocol.transcript import CLIENT, SERVER, TOOL, UNKNOWN, Line

TLS_STARTED = "tls-started"
TLS_FAILED = "tls-failed"

_TEXTBOOK = re.compile(r"^\s*([SC]):(?: (.*)|(.*))$")
_SWAKS_SERVER = re.compile(r"^\s*(?:<-|<~|<\*\*|<~\*)\s+(.*)$")
_SWAKS_CLIENT = re.compile(r"^\s*(?:->|~>)(?: (.*)|$)")
_SWAKS_INFO = re.compile(r"^\s*(?:===|\*\*\*|\+\s)")
_SWAKS_TLS_STARTED = re.compile(r"^\s*=== TLS started")
_SWAKS_TLS_FAILED = re.compile(r"^\s*\*\*\* TLS startup failed\s*(.*)$")
_TIMESTAMP = re.compile(r"^\d{2}:\d{2}:\d{2}\.\d+ ")
_SMTPLIB = re.compile(r"^(send|reply|data|connect): (.*)$")
_SHELL_PROMPT = re.compile(r"^\S*[$#%] (?:telnet|nc|ncat|openssl|swaks)\b")
_TELNET_NOISE = ("Trying ", "Connected to ", "Escape character is", "Connection closed",
                 "telnet>", "Connection to ")
MAX_SMTPLIB_LINE = 1 << 20  # a longer ``send:`` repr is read as plain text, not parsed
REPLY_SHAPE = re.compile(r"^\d{3}(?:[ -].*)?$")
GROUP_MARK = re.compile(r"^# pipelined group \d+$")  # what :save writes before a group
# what the grader's transcripts write between connections (grade/client.py)
_OUR_REMARK = re.compile(
    r"^# (?:connection \d+(?: \(graded\))?|… \d+ more (?:lines|connections) not kept)$")


def read_transcript(text: str) -> list[Line]:
    """Every dialogue line of ``text``; tool chatter (``===``, ``Trying ...``) is dropped."""
    lines: list[Line] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        lines.extend(classify(raw, number))
    if any(line.source != "telnet" for line in lines):
        # a tool's output with other text around it (a shell prompt, a traceback)
        lines = [line for line in lines if line.source != "telnet"]
    return lines


def classify(raw: str, number: int = 0) -> list[Line]:
    """The dialogue lines one printed line holds (smtplib's ``send:`` may hold several)."""
    line = raw.rstrip("\r\n")
    if not line.strip():
        return []
    if GROUP_MARK.match(line) or _OUR_REMARK.match(line):
        return []
    match = _TEXTBOOK.match(line)
    if match:
        side = match.group(1)
        body = match.group(2) if match.group(2) is not None else match.group(3)
        return [Line(side, body if side == CLIENT else body.strip(), number, "textbook")]
    match = _SWAKS_SERVER.match(line)
    if match:
        return [Line(SERVER, match.group(1).strip(), number, "swaks")]
    match = _SWAKS_CLIENT.match(line)
    if match:
        return [Line(CLIENT, match.group(1) or "", number, "swaks")]
    failed = _SWAKS_TLS_FAILED.match(line)
    if failed:  # swaks' word on a handshake that failed: the annotation must keep it
        return [Line(TOOL, f"{TLS_FAILED} {failed.group(1).strip()}", number, "swaks")]
    if _SWAKS_TLS_STARTED.match(line):
        return [Line(TOOL, TLS_STARTED, number, "swaks")]
    if _SWAKS_INFO.match(line):
        return []
    smtplib_lines = _smtplib(_TIMESTAMP.sub("", line), number)
    if smtplib_lines is not None:
        return smtplib_lines
    if line.startswith(_TELNET_NOISE) or _SHELL_PROMPT.match(line):
        return []
    return [Line(UNKNOWN, line, number, "telnet")]


def _smtplib(line: str, number: int) -> list[Line] | None:
    match = _SMTPLIB.match(line)
    if not match:
        return None
    kind, rest = match.groups()
    if kind in ("data", "connect"):
        return [] if rest.startswith("(") else None
    if rest.startswith("retcode ("):
        return []
    if len(rest) > MAX_SMTPLIB_LINE:
        return None
    try:
        value = ast.literal_eval(rest)
    except (ValueError, SyntaxError, RecursionError, MemoryError, TypeError):
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    side = CLIENT if kind == "send" else SERVER
    parts = value.split("\r\n")
    if parts and parts[-1] == "":
        parts.pop()
    return [Line(side, part, number, "smtplib") for part in parts]


def resolve_side(line: Line, in_data: bool) -> str:
    """Who said a telnet line: inside DATA the client; a reply-shaped line the server."""
    if line.side != UNKNOWN:
        return line.side
    if in_data:
        return CLIENT
    return SERVER if REPLY_SHAPE.match(line.text) else CLIENT
