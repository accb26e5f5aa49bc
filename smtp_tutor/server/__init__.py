"""The practice server (hamburger.edu): a thin asyncio driver (``connection.py``) over the
sans-I/O dialogue core (``protocol/server.py``), the policies that choose who gets mail
(``handler.py``), and the Maildir store."""
