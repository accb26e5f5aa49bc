"""``smtp-tutor connect``'s face: the target and its errors, before any connection."""

from tests.conftest import run_tutor


def test_a_port_that_is_not_a_number_is_said_in_the_run_language():
    assert "port “abc” is not a number" in run_tutor("connect", "h:abc").stderr.decode()
    assert "cổng “abc” không phải là số" in run_tutor("--lang", "vi", "connect", "h:abc").stderr.decode()
