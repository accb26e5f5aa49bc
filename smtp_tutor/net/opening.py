"""Opening a client connection from the command line's options, for every face."""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from smtp_tutor.net.blocking import BlockingConnection
    from smtp_tutor.net.connection import SmtpConnection


def check_cafile(cafile: str | None) -> None:
    """Fail before connecting when ``--cafile`` cannot be read (a student who follows a
    slip out of order), in the operating system's words, for every protocol's shell."""
    from smtp_tutor.net.errors import TransportError

    if cafile and not os.access(cafile, os.R_OK):
        import errno

        reason = errno.EACCES if os.path.exists(cafile) else errno.ENOENT
        raise TransportError("cafile-unreadable", path=cafile, detail=os.strerror(reason))


def make_connection(options: argparse.Namespace, host: str, port: int, *,
                    blocking: bool = False) -> SmtpConnection | BlockingConnection:
    """The connection (asyncio, or a blocking socket for scripts); its TLS context (costly:
    it loads the CA store) is made when first used."""
    check_cafile(options.cafile)
    Connection: type[BlockingConnection] | type[SmtpConnection]
    if blocking:
        from smtp_tutor.net.blocking import BlockingConnection as Connection
    else:
        from smtp_tutor.net.connection import SmtpConnection as Connection
    low, high = getattr(options, "tls_min", None), getattr(options, "tls_max", None)
    return Connection(host, port, timeout=options.timeout, implicit_tls=options.tls,
                      cafile=options.cafile, insecure=options.insecure,
                      servername=getattr(options, "servername", None), tls_min=low, tls_max=high)
