"""``smtp-tutor mailbox USER``: what the practice server delivered, in the reader's words."""

from tests.conftest import run_tutor, tutor_in_process

VI = {"LANG": "vi_VN.UTF-8"}


def test_mailbox_names_a_user_that_exists_and_counts_in_english_grammar(practice):
    """newcomer D33: `mailbox zorro` must not suggest RCPT TO:<zorro@...> (550)."""
    from tests.conftest import TEXTBOOK

    box = str(practice.mailbox_dir)
    zorro = tutor_in_process("mailbox", "zorro", "--mailbox-dir", box).stdout.decode()
    assert "zorro is not a practice user" in zorro and "RCPT TO:<bob@hamburger.edu>" in zorro
    assert "<zorro@" not in zorro
    carol = tutor_in_process("mailbox", "carol", "--mailbox-dir", box).stdout.decode()
    assert "RCPT TO:<carol@hamburger.edu>" in carol and "not a practice user" not in carol
    assert run_tutor("connect", practice.host, str(practice.port), stdin=TEXTBOOK).returncode == 0
    one = tutor_in_process("mailbox", "bob", "--mailbox-dir", box, "--show", "4")
    assert one.returncode == 2 and b"bob has 1 message: choose 1." in one.stderr
    vi = tutor_in_process("mailbox", "bob", "--mailbox-dir", box, "--show", "4", env=VI)
    assert "bob chỉ có 1 thư: hãy chọn 1." in vi.stderr.decode()
    assert "1 thư cho bob" in tutor_in_process("mailbox", "bob", "--mailbox-dir", box, env=VI).stdout.decode()
