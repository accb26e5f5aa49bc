"""A 20 MB upload via BDAT and via DATA, to the same server, in the same run.

Both go through smtp-tutor's own core and transport (``SmtpConnection``): DATA with
the body dot-stuffed in bulk (as scripted mode sends it), BDAT in 1 MB chunks, each
chunk in one write with its BDAT line.  The runs are interleaved (DATA, BDAT, DATA …)
so a busy machine slows both alike; the medians are printed next to each other.

    python scripts/bench_bdat.py [--host H --port P] [--runs 5] [--mb 20]

Without --host, the practice server is started in-process (its own Maildir in a
temporary directory).  The issue's target: BDAT ≥ 0.8 × DATA's throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from smtp_tutor.net.connection import SmtpConnection
from smtp_tutor.protocol.chunking import split_message

CHUNK = 1 << 20


def make_message(megabytes: int) -> bytes:
    line = b"The quick brown fox jumps over the lazy dog. 0123456789 .dots at times\r\n"
    body = line * (megabytes * (1 << 20) // len(line) + 1)
    return b"From: <alice@crepes.fr>\r\nTo: <bob@hamburger.edu>\r\nSubject: bench\r\n\r\n" \
        + body[: megabytes * (1 << 20)].rpartition(b"\r\n")[0] + b"\r\n"


async def upload(host: str, port: int, message: bytes, *, bdat: bool, recipient: str) -> float:
    connection = SmtpConnection(host, port, timeout=120)
    await connection.open()
    for line in ("EHLO crepes.fr", "MAIL FROM:<alice@crepes.fr>", f"RCPT TO:<{recipient}>"):
        await connection.send(line)
    session = connection.session
    start = time.perf_counter()
    if bdat:
        chunks = split_message(message, CHUNK)
        for number, chunk in enumerate(chunks, start=1):
            events = await connection.transmit(session.send_chunk(chunk,
                                                                  last=number == len(chunks)))
            assert events[-1].reply.code == 250, events[-1]
    else:
        await connection.send("DATA")
        offset = 0
        while offset < len(message):  # whole lines only: the core stuffs line by line
            found = message.find(b"\r\n", offset + CHUNK)
            end = len(message) if found < 0 else found + 2
            await connection.write(session.send_body_chunk(message[offset:end]))
            offset = end
        events = await connection.transmit(session.end_data())
        assert events[-1].reply.code == 250, events[-1]
    elapsed = time.perf_counter() - start
    await connection.send("QUIT")
    await connection.close()
    return elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host")
    parser.add_argument("--port", type=int, default=25)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--rcpt", default="bob@hamburger.edu")
    options = parser.parse_args()
    running = None
    mailbox = None  # the practice server's, removed at the end
    host, port = options.host, options.port
    if host is None:
        from smtp_tutor.server.app import ServerConfig, start_server
        from smtp_tutor.server.policy import Limits

        limits = Limits(max_message_size=(options.mb + 1) << 20)
        mailbox = Path(tempfile.mkdtemp(prefix="smtp-tutor-bench-bdat-"))
        running = await start_server(ServerConfig(port=0, limits=limits, mailbox_dir=mailbox))
        host, port = running.host, running.port
    message = make_message(options.mb)
    times: dict[str, list[float]] = {"DATA": [], "BDAT": []}
    try:
        for _ in range(options.runs):
            for name in ("DATA", "BDAT"):
                times[name].append(await upload(host, port, message, bdat=name == "BDAT",
                                                recipient=options.rcpt))
    finally:
        if running is not None:
            await running.stop()
        if mailbox is not None:
            shutil.rmtree(mailbox, ignore_errors=True)
    size = len(message) / (1 << 20)
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"server {host}:{port}, {size:.1f} MB message, {options.runs} interleaved runs each")
    for name in ("DATA", "BDAT"):
        runs = " ".join(f"{t:.3f}" for t in times[name])
        print(f"{name}: median {median[name]:.3f} s = {size / median[name]:7.1f} MB/s   "
              f"(runs: {runs})")
    ratio = median["DATA"] / median["BDAT"]
    verdict = "ok" if ratio >= 0.8 else "BELOW TARGET"
    print(f"BDAT throughput / DATA throughput = {ratio:.2f} (target ≥ 0.80: {verdict})")


if __name__ == "__main__":
    asyncio.run(main())
