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


def test_the_list_reads_utf8_and_encoded_word_headers_and_shows_controls(tmp_path):
    """SMTPUTF8 mail's 8-bit headers and RFC 2047 encoded words are read as a mail program
    would (both were shown garbled); a control or bidi character is still shown, not obeyed."""
    new = tmp_path / "bob" / "new"
    new.mkdir(parents=True)
    (new / "1.a").write_bytes("Return-Path: <thư@ví-dụ.vn>\r\nSubject: Chào Bob\r\n\r\nhi\r\n"
                              .encode())
    (new / "2.b").write_bytes(b"Return-Path: <info@xn--v-d-rma6749a.vn>\r\n"
                              b"Subject: =?UTF-8?Q?Ch=C3=A0o_Bob?=\r\n\r\nhi\r\n")
    (new / "3.c").write_bytes("Return-Path: <a@b>\r\nSubject: \x1b[31mred\u202e\r\n\r\nhi\r\n"
                              .encode())
    out = tutor_in_process("mailbox", "bob", "--mailbox-dir", str(tmp_path)).stdout.decode()
    assert "<thư@ví-dụ.vn>  Chào Bob" in out and "xn--v-d-rma6749a.vn>  Chào Bob" in out
    assert "\\x1b[31mred<U+202E>" in out and "\x1b[31m" not in out and "\u202e" not in out
