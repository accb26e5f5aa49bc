"""The progress channel: `lesson play --server HOST --class-user ADDRESS` tells the class
server how a lesson went (tries, hints, skips, finished) over its own TLS connection,
authenticated with the student's password, never inside an SMTP or POP3 transcript.

One JSON line each way, on TLS from the first octet: the student's report (``user``,
``password``, ``lesson``, ``passed``, ``skipped``, ``shown``), then ``{"ok": true}`` or
``{"ok": false}``.  A line is at most ``MAX_LINE`` octets; every wait has a deadline.

``{"ca": true}`` asks for the class CA's certificate instead (public, no password): the
student saves it and compares its fingerprint with the slip's and the board's before
trusting it (`smtp-tutor class check HOST --save-ca class-ca.pem`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

MAX_LINE = 4096
TIMEOUT = 10.0

Record = Callable[[str, str, dict[str, Any], str], Awaitable[bool]]


async def serve_channel(host: str, port: int, tls: ssl.SSLContext, record: Record,
                        ca_pem: str = "") -> asyncio.base_events.Server:
    """Listen for reports; ``record(user, password, report, address)`` checks and keeps
    one (the client's address: a wrong password counts against it)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        ok = False
        try:
            line = await asyncio.wait_for(reader.readline(), TIMEOUT)
            report = json.loads(line[:MAX_LINE]) if line.endswith(b"\n") else None
            if isinstance(report, dict) and report.get("ca") is True:
                writer.write(json.dumps({"ca": ca_pem}).encode() + b"\n")
                await writer.drain()
                return
            if isinstance(report, dict):
                user, password = str(report.pop("user", "")), str(report.pop("password", ""))
                peer = writer.get_extra_info("peername") or ("?", 0)
                ok = await record(user, password, report, str(peer[0]))
            writer.write(json.dumps({"ok": ok}).encode() + b"\n")
            await writer.drain()
        except (OSError, ValueError, TimeoutError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 2)

    return await asyncio.start_server(handle, host, port, ssl=tls, limit=MAX_LINE,
                                      backlog=1024)


async def send_report(host: str, port: int, cafile: str | None, user: str, password: str,
                      report: dict[str, Any]) -> bool:
    """True when the class server checked the password and kept the report."""
    context = ssl.create_default_context(cafile=cafile)
    keep = ("lesson", "mode", "passed", "completed", "skipped", "shown")
    line = json.dumps({"user": user, "password": password,
                       **{key: report.get(key) for key in keep}}).encode() + b"\n"
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, ssl=context), TIMEOUT)
    except (OSError, TimeoutError, ssl.SSLError):
        return False
    try:
        writer.write(line)
        await writer.drain()
        answer = await asyncio.wait_for(reader.readline(), TIMEOUT)
        return json.loads(answer or b"{}").get("ok") is True
    except (OSError, ValueError, TimeoutError, ssl.SSLError):
        return False
    finally:
        writer.close()


async def fetch_ca(host: str, port: int) -> str:
    """The class CA's certificate (PEM), fetched without checking: trust comes from
    comparing its fingerprint with the slip's, which the caller shows."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(host, port, ssl=context, limit=MAX_LINE * 4), TIMEOUT)
    try:
        writer.write(b'{"ca": true}\n')
        await writer.drain()
        answer = await asyncio.wait_for(reader.readline(), TIMEOUT)
        pem = json.loads(answer).get("ca", "")
        if not isinstance(pem, str) or "BEGIN CERTIFICATE" not in pem:
            raise ValueError("no certificate")
        return pem
    finally:
        writer.close()
