"""Client connections: one connection plan (``plan.py``) for SMTP, POP3 and IMAP, run by
an asyncio driver (``connection.py``) or on a blocking socket (``blocking.py``); TLS."""
