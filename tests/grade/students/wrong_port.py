# Hard-codes a server address other than the grader's.
import socket

s = socket.create_connection(("127.0.0.1", 3324))
