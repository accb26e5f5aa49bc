# A client whose HELO and MAIL FROM carry a byte that is not UTF-8 (0xFF).
import os
import socket

sock = socket.create_connection((os.environ["SMTP_HOST"], int(os.environ["SMTP_PORT"])))
replies = sock.makefile("rb")


def reply():
    line = replies.readline()
    while line[3:4] == b"-":
        line = replies.readline()
    return line


reply()
for command in (b"HELO \xff", b"MAIL FROM:<\xff@crepes.fr>", b"RCPT TO:<bob@hamburger.edu>",
                b"DATA"):
    sock.sendall(command + b"\r\n")
    reply()
sock.sendall(b"I love computer networks!\r\n.\r\n")
reply()
sock.sendall(b"QUIT\r\n")
reply()
sock.close()
