"""``smtp-tutor connect``'s face: the target and its errors, before any connection."""

from tests.conftest import tutor_in_process


def test_a_port_that_is_not_a_number_is_said_in_the_run_language():
    assert "port “abc” is not a number" in tutor_in_process("connect", "h:abc").stderr.decode()
    assert "cổng “abc” không phải là số" in tutor_in_process("--lang", "vi", "connect", "h:abc").stderr.decode()
