"""The only place with client sockets: asyncio TCP and TLS around the protocol core."""
