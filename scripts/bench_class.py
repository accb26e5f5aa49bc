#!/usr/bin/env python3
"""A simulated lab session: N students on one class server, reply latency and board refresh.

The class server runs as the instructor runs it (`smtp-tutor class start`, its own
process); the students are asyncio clients in this process.  Each student, after a
random start within the first RAMP seconds, does the textbook session one step every few
seconds (1-4 s between commands): EHLO, STARTTLS, EHLO, AUTH PLAIN, MAIL, RCPT, DATA,
the message, QUIT, then reads the mailbox over IMAP (STARTTLS, LOGIN, SELECT, LOGOUT),
then again.  One student in five is a raw-socket program instead: no TLS, no AUTH, the
token in EHLO, no IMAP.  Reported: the latency of every reply (from the last
octet of the command to the last line of the reply) p50/p99, and the board's refresh
time: the server building and writing board.json, and `class board` reading and drawing
it at 80x24 and 160x45.

    python scripts/bench_class.py              # 200 and 20 students, 40 s each
    python scripts/bench_class.py --students 30 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from smtp_tutor.classroom.board import render  # noqa: E402
from smtp_tutor.classroom.roster import read_roster  # noqa: E402
from smtp_tutor.classroom.service import open_folder  # noqa: E402

DOMAIN = "class.example"


class Student:
    def __init__(self, username: str, password: str, token: str, raw: bool) -> None:
        self.username, self.password, self.token, self.raw = username, password, token, raw


async def reply(reader: asyncio.StreamReader) -> bytes:
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("closed")
        if line[3:4] != b"-":
            return line


async def step(reader, writer, line: bytes, latencies: list[float]) -> bytes:  # noqa: ANN001
    writer.write(line)
    await writer.drain()
    began = time.perf_counter()
    answer = await reply(reader)
    latencies.append(time.perf_counter() - began)
    return answer


async def session(student: Student, host: str, port: int, tls: ssl.SSLContext,
                  latencies: list[float], pause: tuple[float, float], errors: list[str]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        await reply(reader)

        async def do(line: bytes) -> bytes:
            await asyncio.sleep(random.uniform(*pause))
            return await step(reader, writer, line, latencies)

        me = f"{student.username}@{DOMAIN}"
        if student.raw:
            await do(f"EHLO {student.token}.lab\r\n".encode())
        else:
            await do(b"EHLO lab-pc\r\n")
            await do(b"STARTTLS\r\n")
            await writer.start_tls(tls)
            await do(b"EHLO lab-pc\r\n")
            plain = base64.b64encode(f"\0{me}\0{student.password}".encode()).decode()
            answer = await do(f"AUTH PLAIN {plain}\r\n".encode())
            if not answer.startswith(b"235"):
                errors.append(answer.decode())
        await do(f"MAIL FROM:<{me}>\r\n".encode())
        await do(f"RCPT TO:<{me}>\r\n".encode())
        await do(b"DATA\r\n")
        answer = await do(b"Subject: lab\r\n\r\nHello from the lab.\r\n.\r\n")
        if not answer.startswith(b"250"):
            errors.append(answer.decode())
        await do(b"QUIT\r\n")
    finally:
        writer.close()


async def imap_read(student: Student, host: str, port: int, tls: ssl.SSLContext,
                    latencies: list[float], pause: tuple[float, float],
                    errors: list[str]) -> None:
    """The student's mailbox over IMAP; each tagged reply's latency."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        greeting = await reader.readline()
        if not greeting.startswith(b"* OK"):
            raise ConnectionError(greeting.decode(errors="replace").strip())

        async def do(tag: str, command: str) -> bytes:
            await asyncio.sleep(random.uniform(*pause))
            writer.write(f"{tag} {command}\r\n".encode())
            await writer.drain()
            began = time.perf_counter()
            while True:
                line = await reader.readline()
                if not line:
                    raise ConnectionError("closed")
                if line.startswith(tag.encode() + b" "):
                    latencies.append(time.perf_counter() - began)
                    return line

        await do("a", "STARTTLS")
        await writer.start_tls(tls)
        for tag, command in (("b", f"LOGIN {student.username} {student.password}"),
                             ("c", "SELECT INBOX"), ("d", "LOGOUT")):
            answer = await do(tag, command)
            if not answer.startswith(f"{tag} OK".encode()):
                errors.append(answer.decode())
    finally:
        writer.close()


async def student_life(student: Student, host: str, port: int, tls: ssl.SSLContext,
                       until: float, ramp: float, latencies: list[float],
                       errors: list[str], imap_port: int = 0,
                       imap_latencies: list[float] | None = None) -> None:
    await asyncio.sleep(random.uniform(0, ramp))
    while time.monotonic() < until:
        door = "SMTP"
        try:
            await session(student, host, port, tls, latencies, (1.0, 4.0), errors)
            if imap_port and not student.raw and imap_latencies is not None \
                    and time.monotonic() < until:
                door = "IMAP"
                await imap_read(student, host, imap_port, tls, imap_latencies, (1.0, 4.0),
                                errors)
        except (OSError, ConnectionError, ssl.SSLError) as error:
            errors.append(f"{door} {type(error).__name__}: {error}")
            await asyncio.sleep(1)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


async def watch_board(folder: Path, until: float, server_took: list[float],
                      drawn: list[float]) -> None:
    while time.monotonic() < until:
        await asyncio.sleep(1.0)
        began = time.perf_counter()
        try:
            board = json.loads((folder / "board.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        render(board, width=80, height=24)
        render(board, width=160, height=45)
        drawn.append(time.perf_counter() - began)
        server_took.append(board.get("took", 0.0))


def run(count: int, seconds: float) -> dict:
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "class"
        roster = Path(temporary) / "roster.csv"
        roster.write_text("id,name\n" + "".join(f"SV{n:03d},Sinh Viên {n}\n"
                                                for n in range(1, count + 1)), encoding="utf-8")
        accounts = open_folder(folder)
        passwords = accounts.add(read_roster(roster))
        accounts.save()
        students = [Student(a.username, passwords[a.username], a.token, n % 5 == 4)
                    for n, a in enumerate(accounts.by_name.values())]
        command = [sys.executable, "-m", "smtp_tutor", "class", "start", "--folder",
                   str(folder), "--port", "0", "--pop3-port", "0", "--imap-port", "0",
                   "--progress-port", "0"]
        server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT,
                                  env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            first = server.stdout.readline()
            port = int(first.split("SMTP on ")[1].split(" ")[0].rsplit(":", 1)[1])
            imap_port = int(first.split("IMAP on ")[1].split(",")[0].rsplit(":", 1)[1])
            tls = ssl.create_default_context(cafile=str(folder / "tls" / "ca.pem"))
            latencies: list[float] = []
            imap_latencies: list[float] = []
            errors: list[str] = []
            server_took: list[float] = []
            drawn: list[float] = []

            async def main() -> None:
                until = time.monotonic() + seconds
                await asyncio.gather(
                    watch_board(folder, until, server_took, drawn),
                    *(student_life(s, "127.0.0.1", port, tls, until, min(10.0, seconds / 3),
                                   latencies, errors, imap_port, imap_latencies)
                      for s in students))
            asyncio.run(main())
        finally:
            server.send_signal(signal.SIGTERM)  # as Ctrl-C; SIGINT is ignored in `cmd &`
            server.wait(30)
        board = json.loads((folder / "board.json").read_text(encoding="utf-8"))
        sent = sum(s["sent"] for s in board["students"])
        return {"students": count, "replies": len(latencies), "messages": sent,
                "errors": len(errors), "first_errors": sorted(set(errors))[:5],
                "p50_ms": 1000 * percentile(latencies, 0.5),
                "p99_ms": 1000 * percentile(latencies, 0.99),
                "imap_replies": len(imap_latencies),
                "imap_p50_ms": 1000 * percentile(imap_latencies, 0.5),
                "imap_p99_ms": 1000 * percentile(imap_latencies, 0.99),
                "board_server_ms": 1000 * max(server_took or [0]),
                "board_draw_ms": 1000 * max(drawn or [0])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="*", default=[200, 20])
    parser.add_argument("--seconds", type=float, default=40.0)
    options = parser.parse_args()
    print(f"{'students':>8} {'replies':>8} {'messages':>8} {'errors':>6} {'p50 ms':>8} "
          f"{'p99 ms':>8} {'board: server ms':>17} {'board: draw ms':>15} "
          f"{'IMAP replies':>12} {'p50 ms':>7} {'p99 ms':>7}")
    for count in options.students:
        result = run(count, options.seconds)
        print(f"{result['students']:>8} {result['replies']:>8} {result['messages']:>8} "
              f"{result['errors']:>6} {result['p50_ms']:>8.1f} {result['p99_ms']:>8.1f} "
              f"{result['board_server_ms']:>17.1f} {result['board_draw_ms']:>15.1f} "
              f"{result['imap_replies']:>12} {result['imap_p50_ms']:>7.1f} "
              f"{result['imap_p99_ms']:>7.1f}",
              flush=True)
        for error in result["first_errors"]:
            print("  error:", error[:200])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
