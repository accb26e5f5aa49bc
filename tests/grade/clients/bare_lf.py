"""Reads replies well, but ends every line with a bare LF (as nc does)."""
import os
import socket

sock = socket.create_connection((os.environ["SMTP_HOST"], int(os.environ["SMTP_PORT"])))
stream = sock.makefile("rb")


def reply():
    while True:
        line = stream.readline()
        if not line or line[3:4] != b"-":
            return line


reply()
for line in ["HELO crepes.fr", "MAIL FROM:<alice@crepes.fr>", "RCPT TO:<bob@example.com>",
             "DATA"]:
    sock.sendall((line + "\n").encode())
    print(reply())
sock.sendall(b"I love computer networks!\n.\n")
print(reply())
sock.sendall(b"QUIT\n")
print(reply())
