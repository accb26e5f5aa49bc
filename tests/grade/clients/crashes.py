"""Connects, reads the greeting, then dies with a traceback."""
import os
import socket

sock = socket.create_connection((os.environ["SMTP_HOST"], int(os.environ["SMTP_PORT"])))
sock.recv(1024)
raise RuntimeError("student bug")
