# Connects, reads until the server hangs up, never sends a command.
import os
import socket

s = socket.create_connection((os.environ["SMTP_HOST"], int(os.environ["SMTP_PORT"])))
while s.recv(1024):
    pass
