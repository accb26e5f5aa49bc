"""IMAP (RFC 9051, RFC 3501) without I/O: the data syntax, the client's dialogue, the server's.

- ``syntax``: atoms, strings, literals ``{n}``, lists; the framer of logical lines;
- ``client``: tagged commands in, responses (tagged, untagged, ``+``) out;
- ``server``: a teaching server's dialogue over any ``mailbox.Account``;
- ``sequence``, ``fetch``, ``search``: the parts of the server's commands.
"""
