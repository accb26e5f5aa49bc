"""The classic busy loop: recv() on a socket the server has closed, forever."""
import os
import socket

sock = socket.create_connection((os.environ["SMTP_HOST"], int(os.environ["SMTP_PORT"])))
sock.sendall(b"QUIT\r\n")
while True:
    data = sock.recv(1024)
    if b"OK-never" in data:
        break
