"""`connect --imap` in Vietnamese: every explanation passes the allowlist check."""

from __future__ import annotations

from tests.test_vietnamese_walk import assert_vietnamese, foreign_words, run_vi


def test_connect_imap_in_vietnamese(mailhost):
    script = "\n".join(["CAPABILITY", "LOGIN bob pickles", "STARTTLS", "LOGIN bob {7}", "pickles",
                        'LIST "" "*"', "SELECT INBOX", "FETCH 1 (FLAGS BODY.PEEK[HEADER])",
                        "STORE 1 +FLAGS (\\Deleted)", "SEARCH DELETED", "EXPUNGE", "FOO",
                        "CREATE Work", "STATUS INBOX (MESSAGES UNSEEN)", ":explain UIDVALIDITY",
                        "LOGOUT", ""])
    out = run_vi("connect", "--imap", "127.0.0.1", str(mailhost.port), "--cafile", mailhost.ca,
                 stdin=script.encode())
    assert "kết thúc lệnh mang nhãn a1" in out and "pickles" not in out.split("\n", 1)[1]
    assert_vietnamese("connect --imap", out)
    assert not foreign_words(out), "\n".join(foreign_words(out))


def test_authenticate_plain_in_the_shell_hidden_and_in_vietnamese(mailhost):
    """`AUTHENTICATE PLAIN` typed alone: the shell says what "+" waits for, the answer is
    sent but never shown; with SASL-IR the token on the line is masked too."""
    import base64

    token = base64.b64encode(b"\0bob\0pickles").decode()
    script = "\n".join(["STARTTLS", "AUTHENTICATE PLAIN", token, "NAMESPACE", "ENABLE IMAP4rev2",
                        "LOGOUT", ""])
    out = run_vi("connect", "--imap", "127.0.0.1", str(mailhost.port), "--cafile", mailhost.ca,
                 stdin=script.encode())
    assert "Máy chủ đang chờ câu trả lời" in out and "C: ********" in out
    assert "a2 OK [CAPABILITY" in out and "* ENABLED IMAP4rev2" in out
    assert token not in out
    assert_vietnamese("connect --imap AUTHENTICATE", out)
    assert not foreign_words(out), "\n".join(foreign_words(out))
    script = f"STARTTLS\nAUTHENTICATE PLAIN {token}\nLOGOUT\n"
    out = run_vi("connect", "--imap", "127.0.0.1", str(mailhost.port), "--cafile", mailhost.ca,
                 stdin=script.encode())
    assert "C: a2 AUTHENTICATE PLAIN ********" in out and token not in out and "a2 OK" in out
