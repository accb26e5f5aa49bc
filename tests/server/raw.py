"""A socket client that sends exactly the bytes a test gives (a student's hand-written client)."""

from __future__ import annotations

import socket


class RawClient:
    def __init__(self, host: str, port: int, *, timeout: float = 10, greet: bool = True) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buffer = b""
        self.greeting = self.reply() if greet else ""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def line(self) -> str:
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"closed; unread: {self.buffer!r}")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line.decode("utf-8")

    def reply(self) -> str:
        """One whole reply (multi-line replies joined with newlines)."""
        lines = [self.line()]
        while lines[-1][3:4] == "-":
            lines.append(self.line())
        return "\n".join(lines)

    def ask(self, command: bytes) -> str:
        self.send(command)
        return self.reply()

    def open_message(self, helo: bytes = b"HELO crepes.fr") -> None:
        """Greeted, MAIL alice, RCPT bob, DATA: the next bytes are the message."""
        for command in (helo, b"MAIL FROM:<alice@crepes.fr>", b"RCPT TO:<bob@hamburger.edu>"):
            assert self.ask(command + b"\r\n").startswith("250")
        assert self.ask(b"DATA\r\n").startswith("354")

    def closed(self) -> bool:
        """True when the server has closed the connection (after what is buffered)."""
        try:
            return self.sock.recv(65536) == b""
        except ConnectionResetError:
            return True

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> RawClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ServeProcess:
    """``smtp-tutor serve`` in a child process (to kill it, or read its memory)."""

    def __init__(self, mailbox_dir, *flags: str) -> None:
        import subprocess

        from tests.conftest import tutor_command

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process = subprocess.Popen(
            [*tutor_command(), "serve", "--port", str(self.port), "--mailbox-dir",
             str(mailbox_dir), *flags], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        first = self.process.stdout.readline()
        if b"practice server" not in first:
            raise RuntimeError(first + self.process.stderr.read())

    def rss_kib(self) -> int:
        """Resident memory of the server, from /proc."""
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def stop(self) -> bytes:
        """Ctrl-C, as a user stops it; returns what it wrote on stderr."""
        import signal

        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        _, err = self.process.communicate(timeout=15)
        return err
