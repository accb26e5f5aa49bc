"""`smtp-tutor class check HOST`: what stops a student from joining the class server.

Each step is tried in order and the first that fails is named: the host name, the route,
a firewall or Wi-Fi client isolation (no answer at all), the port (refused), something
else on the port (no SMTP greeting), and the certificate (not signed by the class CA the
student holds).  Plain sockets, a deadline on every wait.
"""

from __future__ import annotations

import errno
import socket
import ssl
from pathlib import Path

from smtp_tutor.classroom.tls import fingerprint
from smtp_tutor.knowledge.catalogue import say

TIMEOUT = 5.0
UNREACHABLE = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.ENETDOWN}


def why_not_connected(error: OSError) -> str:
    """The key of classroom.toml that explains a failed connect."""
    if isinstance(error, socket.gaierror):
        return "check_no_name"
    if isinstance(error, ConnectionRefusedError):
        return "check_refused"
    if isinstance(error, TimeoutError | socket.timeout):
        return "check_silent"
    if error.errno in UNREACHABLE:
        return "check_no_route"
    return "check_other"


def _reply(reader) -> bytes:  # noqa: ANN001 - a socket file
    while True:
        line = reader.readline(1024)
        if not line or line[3:4] != b"-":
            return line


def check(host: str, port: int, cafile: str | None, lang: str, *,
          mail_ports: tuple[int, int] | None = None) -> tuple[bool, list[str]]:
    """(everything works, what to tell the student, one line each); ``mail_ports``:
    (POP3, IMAP) are tried too, once SMTP works (a student reads their mail there)."""
    out: list[str] = []
    try:
        sock = socket.create_connection((host, port), timeout=TIMEOUT)
    except OSError as error:
        key = why_not_connected(error)
        return False, [say("classroom", key, lang, host=host, port=port, reason=str(error))]
    out.append(say("classroom", "check_connected", lang, host=host, port=port))
    with sock:
        reader = sock.makefile("rb")
        try:
            greeting = reader.readline(1024)
            if not greeting.startswith(b"220"):
                return False, [*out, say("classroom", "check_not_smtp", lang, port=port,
                                         got=greeting[:60].decode("ascii", "replace"))]
            sock.sendall(b"EHLO class-check\r\n")
            _reply(reader)
            sock.sendall(b"STARTTLS\r\n")
            if not _reply(reader).startswith(b"220"):
                return False, [*out, say("classroom", "check_no_tls", lang)]
            context = ssl.create_default_context(cafile=cafile) if cafile else None
            if context is None:
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            with context.wrap_socket(sock, server_hostname=host) as secure:
                secure.sendall(b"QUIT\r\n")
        except ssl.SSLCertVerificationError as error:
            return False, [*out, say("classroom", "check_certificate", lang, reason=error.verify_message
                                     or str(error))]
        except (OSError, ssl.SSLError) as error:
            return False, [*out, say("classroom", "check_other", lang, host=host, port=port,
                                     reason=str(error))]
    if mail_ports is not None:
        problem = reading_doors(host, *mail_ports, lang)
        if problem:
            return False, [*out, problem]
        out.append(say("classroom", "check_mail_ok", lang, host=host, pop3_port=mail_ports[0],
                       imap_port=mail_ports[1]))
    if not cafile:
        return False, [*out, say("classroom", "check_no_cafile", lang)]
    out.append(say("classroom", "check_ok", lang, fingerprint=fingerprint(Path(cafile))))
    return True, out


def reading_doors(host: str, pop3_port: int, imap_port: int, lang: str) -> str:
    """What stops reading mail over POP3 or IMAP, or "" when both greet as they should."""
    for protocol, port, greeting in (("POP3", pop3_port, b"+OK"), ("IMAP", imap_port, b"* OK")):
        try:
            with socket.create_connection((host, port), timeout=TIMEOUT) as sock:
                got = sock.makefile("rb").readline(1024)
        except OSError as error:
            return say("classroom", "check_mail_closed", lang, protocol=protocol, host=host, port=port,
                       reason=str(error) or type(error).__name__)
        if not got.startswith(greeting):
            return say("classroom", "check_mail_other", lang, protocol=protocol, port=port,
                       got=got[:60].decode("ascii", "replace"))
    return ""


def save_ca(host: str, port: int, path: Path, lang: str) -> tuple[bool, str]:
    """Fetch the class CA from the progress channel into ``path``; say its fingerprint."""
    import asyncio
    import ssl as _ssl

    from smtp_tutor.classroom.channel import fetch_ca

    try:
        pem = asyncio.run(fetch_ca(host, port))
    except (OSError, ValueError, TimeoutError, _ssl.SSLError) as error:
        return False, say("classroom", "ca_not_fetched", lang, host=host, port=port, reason=str(error))
    path.write_text(pem)
    return True, say("classroom", "ca_saved", lang, path=str(path), fingerprint=fingerprint(path))
