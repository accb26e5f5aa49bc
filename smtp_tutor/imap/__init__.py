"""IMAP (RFC 9051): the practice server on the Maildirs, and the shell that speaks it.

- ``maildir``: flags in file names, UIDs in a uidlist file;
- ``server``: the asyncio driver around ``protocol.imap.server``;
- ``shell``: ``smtp-tutor connect --imap``.
"""
