"""Transport failures, keyed like the knowledge base's messages so they can be explained."""

from __future__ import annotations


class TransportError(Exception):
    """A failure the user must be told about in words, never as a traceback."""

    def __init__(self, key: str, **params: str) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
        self.events: list = []  # what arrived before the failure: shown before the message
