"""The practice server's fast address reading agrees with aiosmtpd's RFC 5322 parser."""

from __future__ import annotations

from aiosmtpd.smtp import SMTP
from hypothesis import given, settings
from hypothesis import strategies as st

from smtp_tutor.server.protocol import PracticeSMTP


class _Bare(PracticeSMTP):
    def __init__(self) -> None:  # only what _getaddr reads
        self.local_part_limit = 0


PIECES = st.sampled_from(["<", ">", "@", ".", " ", "\t", "alice", "crepes", "fr", "-", '"',
                          "SIZE=1", "BODY=8BITMIME", "+", "_", "(x)", ",", "é"])


@settings(max_examples=500)
@given(st.lists(PIECES, max_size=12).map("".join))
def test_the_fast_path_reads_what_aiosmtpd_reads(arg):
    server = _Bare()
    try:
        expected = SMTP._getaddr(server, arg)
    except Exception as error:  # noqa: BLE001 - aiosmtpd's parser fails on some ("<")
        expected = type(error)
    try:
        got = server._getaddr(arg)
    except Exception as error:  # noqa: BLE001 - the fast path falls back to it then
        got = type(error)
    assert got == expected
