"""BDAT on the practice server (RFC 3030), which aiosmtpd does not implement.

A chunk is read as exactly the octets its BDAT line announced, straight from the
stream: no line framing, no dot-stuffing, so none of DATA's framing rules (bare LF,
the ``<LF>.<LF>`` smuggling shape) can apply or be bypassed: after the last octet the
next byte is a command again, whatever the chunk held.  The octets are read even when
the chunk is refused (no transaction, too big), so client and server never lose step.
"""

from __future__ import annotations

from smtp_tutor.protocol.chunking import parse_bdat

PIECE = 1 << 20  # octets read at once: a 20 MB chunk never needs a 20 MB read


async def read_octets(reader, size: int, keep: bytearray | None) -> bool:  # noqa: ANN001
    """Read exactly ``size`` octets into ``keep`` (or discard them); False if the
    connection ended first."""
    left = size
    while left:
        piece = await reader.read(min(left, PIECE))
        if not piece:
            return False
        left -= len(piece)
        if keep is not None:
            keep += piece
    return True


async def smtp_bdat(server, arg: str) -> None:  # noqa: ANN001 - the PracticeSMTP
    """One ``BDAT n [LAST]`` and its octets; LAST hands the message to the DATA hook."""
    if await server.check_helo_needed() or await server.check_auth_needed("BDAT"):
        return
    parsed = parse_bdat(arg or "")
    words = (arg or "").split()
    if parsed is None or len(words) > 2 or (len(words) == 2 and not parsed[1]):
        # the size is unknown, so nothing can be read: the next line is a command again
        await server.push("501 5.5.4 Syntax: BDAT <chunk-size> [LAST] (RFC 3030)")
        return
    size, last = parsed
    envelope = server.envelope
    chunks: bytearray = envelope.chunks
    limit = server.data_size_limit
    refusal = ""
    if not envelope.rcpt_tos:
        refusal = "503 5.5.1 Error: need RCPT command"
    elif envelope.bdat_failed:
        refusal = "503 5.5.1 Error: an earlier chunk was refused; RSET and start again"
    elif limit and len(chunks) + size > limit:
        refusal = "552 5.3.4 Error: message too big for the practice server"
    keep = None if refusal else chunks
    if not await read_octets(server._reader, size, keep):
        return
    if refusal:
        if envelope.rcpt_tos:
            envelope.bdat_failed = True
        await server.push(refusal)
        return
    if not last:
        await server.push(f"250 2.0.0 {size} octets received, {len(chunks)} in all")
        return
    content = bytes(chunks)
    envelope.original_content = content
    envelope.content = content.decode("utf-8", "surrogateescape") if server._decode_data \
        else content
    status = await server._call_handler_hook("DATA")
    server._set_post_data_state()
    await server.push(status if isinstance(status, str) else "250 2.0.0 OK")
