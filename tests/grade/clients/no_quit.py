"""Sends the message, then just closes the socket: no QUIT."""
import os
import socket

sock = socket.create_connection((os.environ["SMTP_HOST"], int(os.environ["SMTP_PORT"])))
stream = sock.makefile("rb")


def reply():
    while True:
        line = stream.readline()
        if not line or line[3:4] != b"-":
            return int(line[:3] or 0)


if reply() != 220:
    raise SystemExit(1)
for line, code in [("HELO crepes.fr", 250), ("MAIL FROM:<alice@crepes.fr>", 250),
                   ("RCPT TO:<bob@example.com>", 250), ("DATA", 354)]:
    sock.sendall((line + "\r\n").encode())
    if reply() != code:
        sock.sendall(b"QUIT\r\n")
        raise SystemExit(1)
sock.sendall(b"I love computer networks!\r\n.\r\n")
reply()
sock.close()
