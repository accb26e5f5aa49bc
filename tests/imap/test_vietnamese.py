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
