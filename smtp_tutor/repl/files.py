"""Files the shell reads for ``:attach`` and ``:bdat``: regular files of bounded size.

``/dev/zero`` never ends and a FIFO never opens until someone writes: read whole, either
one ends the shell (MemoryError) or hangs it.  A message file is a regular file no larger
than the practice server's SIZE, and the user is told which of these a path is not.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_FILE = 10 * 1024 * 1024  # octets: the practice server's SIZE (policy.Limits)


class FileRefused(Exception):
    """Why a path is not read: ``key`` in messages.toml, with ``params``."""

    def __init__(self, key: str, **params: str) -> None:
        super().__init__(key)
        self.key, self.params = key, params


def read_message_file(path: str, limit: int = MAX_FILE) -> bytes:
    """The contents of a regular file of at most ``limit`` octets; else ``FileRefused``."""
    try:
        fd = os.open(Path(path).expanduser(), os.O_RDONLY | os.O_NONBLOCK)  # a FIFO: no wait
    except OSError as error:
        raise FileRefused("bdat-file-failed", path=path,
                          detail=error.strerror or str(error)) from error
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise FileRefused("file-not-regular", path=path)
        chunks, size = [], 0
        while chunk := os.read(fd, 1 << 20):
            size += len(chunk)
            if size > limit:  # a file that grows while it is read is caught here too
                raise FileRefused("file-too-large", path=path, limit=str(limit))
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as error:
        raise FileRefused("bdat-file-failed", path=path,
                          detail=error.strerror or str(error)) from error
    finally:
        os.close(fd)
