"""Kill -9 while senders are sending: every message that got its 250 is stored, whole."""

import smtplib
import threading
import time

from tests.server.raw import ServeProcess

SENDERS = 6


def body_for(sender: int, number: int) -> bytes:
    # big enough to span several writes, unique, and checkable line by line
    lines = [f"sender {sender} message {number} line {i:04d} ketchup and pickles"
             for i in range(400)]
    return ("\r\n".join(lines) + "\r\n").encode()


def test_every_acknowledged_message_survives_a_kill(tmp_path):
    server = ServeProcess(tmp_path / "mail", "--quiet")
    acknowledged: list[bytes] = []
    lock = threading.Lock()
    stop = threading.Event()

    def send(sender: int) -> None:
        number = 0
        while not stop.is_set():
            body = body_for(sender, number)
            message = (f"From: alice@crepes.fr\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
                       f"Message-Id: <{sender}.{number}@crepes.fr>\r\n\r\n").encode() + body
            try:
                with smtplib.SMTP("127.0.0.1", server.port, timeout=10) as client:
                    client.sendmail("alice@crepes.fr", ["bob@hamburger.edu"], message)
            except (OSError, smtplib.SMTPException):
                return  # the server is gone
            with lock:
                acknowledged.append(body)
            number += 1

    threads = [threading.Thread(target=send, args=(n,)) for n in range(SENDERS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 60 and time.monotonic() < deadline:
        time.sleep(0.01)
    server.process.kill()  # SIGKILL, mid-sending
    server.process.wait(10)
    stop.set()
    for thread in threads:
        thread.join(15)

    assert len(acknowledged) >= 60
    stored = set()
    for path in (tmp_path / "mail" / "bob" / "new").iterdir():
        _, _, body = path.read_bytes().replace(b"\n", b"\r\n").partition(b"\r\n\r\n")
        assert body.count(b"\r\n") == 400, path  # nothing in new/ is half a message
        stored.add(body)
    missing = [body[:40] for body in acknowledged if body not in stored]
    assert not missing, f"{len(missing)} of {len(acknowledged)} acknowledged messages lost"
