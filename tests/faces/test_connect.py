"""``smtp-tutor connect``'s face: the target and its errors, before any connection."""

from tests.conftest import tutor_in_process


def test_a_port_that_is_not_a_number_is_said_in_the_run_language():
    assert "port “abc” is not a number" in tutor_in_process("connect", "h:abc").stderr.decode()
    assert "cổng “abc” không phải là số" in tutor_in_process("--lang", "vi", "connect", "h:abc").stderr.decode()


def test_an_unreadable_cafile_is_said_by_every_shell_in_a_terminal(tmp_path):
    """The class slip's join line run before its CA was fetched: a message and exit 2 from
    the SMTP, POP3 and IMAP shells alike, before anything is sent (it was a traceback)."""
    import os

    import pexpect

    from tests.conftest import spawn_pty, tutor_command

    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm",
           "SMTP_TUTOR_HOME": str(tmp_path)}
    command, *args = tutor_command()
    for protocol in ([], ["--pop3"], ["--imap"]):
        child = spawn_pty(command, [*args, "connect", *protocol, "127.0.0.1", "9", "--cafile",
                                    str(tmp_path / "class-ca.pem"), "--lang", "en"],
                          env=env, encoding="utf-8", timeout=15)
        child.expect(pexpect.EOF)
        child.close()
        assert "Cannot read the CA file" in child.before and "class check" in child.before
        assert "unexpected error" not in child.before and child.exitstatus == 2, protocol
