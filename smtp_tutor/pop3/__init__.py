"""POP3 (RFC 1939): the practice server on the Maildirs, and the shell that speaks it.

- ``core``: the client's dialogue without I/O (replies, multi-line answers, dot-unstuffing);
- ``server``: the practice POP3 server;
- ``shell``: ``smtp-tutor connect --pop3``.
"""
