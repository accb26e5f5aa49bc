"""A correct solution of the textbook lab: reads every reply whole, checks each code."""
import os
import socket
import sys

host = os.environ.get("SMTP_HOST", "127.0.0.1")
port = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("SMTP_PORT", "1025"))
text = os.environ.get("SMTP_BODY", "I love computer networks!")
buffer = b""


def reply(sock):
    """One whole reply (all its lines), however the bytes were split."""
    global buffer
    lines = []
    while True:
        while b"\r\n" not in buffer:
            chunk = sock.recv(1024)
            if not chunk:
                raise SystemExit("connection closed")
            buffer += chunk
        line, buffer = buffer.split(b"\r\n", 1)
        lines.append(line.decode())
        if line[3:4] != b"-":
            return int(line[:3]), lines


def command(sock, line, expect):
    sock.sendall(line.encode() + b"\r\n")
    code, lines = reply(sock)
    if code != expect:
        print(f"{line!r}: {lines[-1]}")
        sock.sendall(b"RSET\r\n" if code != 421 else b"")
        if code != 421:
            reply(sock)
            sock.sendall(b"QUIT\r\n")
            reply(sock)
        sock.close()
        raise SystemExit(1)


sock = socket.create_connection((host, port))
code, lines = reply(sock)
if code != 220:
    print("greeting:", lines[-1])
    sock.close()
    raise SystemExit(1)
command(sock, "EHLO crepes.fr", 250)
command(sock, "MAIL FROM:<alice@crepes.fr>", 250)
command(sock, "RCPT TO:<someone@example.com>", 250)
command(sock, "DATA", 354)
body = "From: alice@crepes.fr\r\nSubject: lab\r\n\r\n"
for line in text.replace("\r\n", "\n").split("\n"):
    body += ("." + line if line.startswith(".") else line) + "\r\n"
sock.sendall(body.encode() + b".\r\n")
code, lines = reply(sock)
if code != 250:
    print("end of data:", lines[-1])
command(sock, "QUIT", 221)
sock.close()
print("sent")
