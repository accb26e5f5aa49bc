"""The textbook skeleton as most students write it: one recv(1024) per reply."""
import os
import socket

sock = socket.create_connection((os.environ["SMTP_HOST"], int(os.environ["SMTP_PORT"])))
print(sock.recv(1024).decode())
for line in ["HELO crepes.fr", "MAIL FROM:<alice@crepes.fr>", "RCPT TO:<bob@example.com>",
             "DATA"]:
    sock.send((line + "\r\n").encode())
    print(sock.recv(1024).decode())
sock.send(b"\r\n I love computer networks!\r\n.\r\n")
print(sock.recv(1024).decode())
sock.send(b"QUIT\r\n")
print(sock.recv(1024).decode())
sock.close()
