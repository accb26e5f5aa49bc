"""Issue 14 part 4 in a real pseudo-terminal: :cert, :cert save, AUTH CRAM-MD5 and XOAUTH2."""


import pytest

from tests.repl.shell import ANSI, save_and_quit, screen, spawn_shell, type_slowly


def spawn(practice, *extra: str, env_extra: dict | None = None, cwd=None):
    return spawn_shell(practice, *extra, rows=60, columns=140, env_extra=env_extra, cwd=cwd)


@pytest.fixture
def repl(practice, tutor_home, tmp_path):
    child = spawn(practice, cwd=tmp_path)  # files named from there: short lines
    yield child
    child.terminate(force=True)


def start_tls(child) -> None:
    for line, marker in (("EHLO crepes.fr", r"\[ready\]>"), ("STARTTLS", "TLS is on"),
                         ("EHLO crepes.fr", r"AUTH CRAM-MD5")):
        type_slowly(child, line + "\r")
        child.expect(marker)
    child.expect(r"\[ready\]>")


def test_cert_before_tls_says_there_is_none(repl):
    type_slowly(repl, ":cert\r")
    repl.expect("No certificate yet")


def test_cert_shows_each_field_explained_and_saves_pem(repl, tmp_path):
    start_tls(repl)
    type_slowly(repl, ":cert\r")
    repl.expect("Certificate 1 of 1")
    repl.expect(r"Only the server's own certificate|\[ready\]>")
    shown = screen(repl)
    repl.expect(r"\[ready\]>")
    shown += screen(repl)
    for label in ("Subject: CN=hamburger.edu", "Issuer: CN=smtp-tutor practice CA",
                  "Valid from", "Valid until", "DNS:hamburger.edu", "Public key: EC",
                  "Signature: ecdsa-with-SHA256", "who signed it"):
        assert label in shown, label
    path = tmp_path / "server.pem"
    type_slowly(repl, f":cert save {path.name}\r")
    repl.expect("Certificate saved in PEM")
    repl.expect(r"\[ready\]>")
    text = path.read_text()
    assert text.startswith("-----BEGIN CERTIFICATE-----")
    from cryptography import x509

    assert x509.load_pem_x509_certificate(text.encode()).subject.rfc4514_string() \
        == "CN=hamburger.edu"
    type_slowly(repl, f":cert save {path.name}\r")  # never overwritten silently
    repl.expect("exists: nothing was written")
    repl.expect(r"\[ready\]>")
    type_slowly(repl, f":cert save! {path.name}\r")
    repl.expect("Certificate saved in PEM")


@pytest.mark.parametrize(("password", "outcome"), [("crepes", "235"), ("wrong-one", "535")])
def test_cram_md5_step_by_step_without_the_password(repl, tutor_home, tmp_path, password,
                                                     outcome):
    start_tls(repl)
    type_slowly(repl, "AUTH CRAM-MD5\r")
    repl.expect("334")
    repl.expect(r"step 1: the challenge decodes to <\d+\.\d+@hamburger\.edu>")
    repl.expect("username:")
    type_slowly(repl, "carol\r")
    repl.expect("password:")
    type_slowly(repl, password + "\r")
    repl.expect(r"HMAC-MD5\(key = the password, message = the challenge\) = ([0-9a-f]{32})")
    digest = repl.match.group(1)
    repl.expect(r"step 3: answer = base64\(\"carol [0-9a-f]{32}\"\) = ([A-Za-z0-9+/=]+)")
    line = repl.match.group(1)
    repl.expect(outcome)
    repl.expect(r"\[ready\]>")
    shown = screen(repl)
    import base64

    assert base64.b64decode(line).decode() == f"carol {digest}"
    save = tmp_path / "session.txt"
    save_and_quit(repl, save)
    transcript = save.read_text()
    history = (tutor_home / "history").read_text()
    for text in (shown, transcript, history, repl.before or ""):
        assert password not in text.replace("crepes.fr", "")
        assert base64.b64encode(password.encode()).decode() not in text


@pytest.mark.parametrize(("token", "outcome"), [("pickles", "235"), ("ya29.SECRET-TOKEN", "535")])
def test_xoauth2_masks_the_token(repl, tutor_home, tmp_path, token, outcome):
    start_tls(repl)
    type_slowly(repl, "AUTH XOAUTH2\r")
    repl.expect("username:")
    type_slowly(repl, "bob\r")
    repl.expect("access token")
    type_slowly(repl, token + "\r")
    repl.expect(r"Bearer \*+")
    repl.expect(outcome)
    repl.expect(r"\[ready\]>")
    shown = screen(repl)
    save = tmp_path / "session.txt"
    save_and_quit(repl, save)
    import base64

    secret = base64.b64encode(f"user=bob\x01auth=Bearer {token}\x01\x01".encode()).decode()
    assert "C: AUTH XOAUTH2 ********" in save.read_text()
    for text in (shown, save.read_text(), (tutor_home / "history").read_text()):
        assert token not in text and secret not in text


def test_cert_and_cram_md5_in_vietnamese(practice, tutor_home):
    import io

    from tests.test_vietnamese_walk import VI, assert_vietnamese

    child = spawn(practice, env_extra=VI)
    child.logfile_read = everything = io.StringIO()
    try:
        for line, marker in (("EHLO crepes.fr", r"\[ready\]>"), ("STARTTLS", "Đã bật TLS"),
                             ("EHLO crepes.fr", r"AUTH CRAM-MD5")):
            type_slowly(child, line + "\r")
            child.expect(marker)
        child.expect(r"\[ready\]>")
        type_slowly(child, ":cert\r")
        child.expect("Chứng chỉ 1 trên 1")
        child.expect(r"\[ready\]>")
        shown = screen(child)
        type_slowly(child, "AUTH CRAM-MD5\r")
        child.expect("tên đăng nhập")
        shown += screen(child)
        type_slowly(child, "carol\r")
        child.expect("mật khẩu")
        type_slowly(child, "crepes\r")
        child.expect("235")
        child.expect(r"\[ready\]>")
        shown = ANSI.sub("", everything.getvalue())
        assert "HMAC-MD5(khoá = mật khẩu" in shown and "Khoá công khai" in shown
        assert_vietnamese(":cert and CRAM-MD5", shown)
    finally:
        child.terminate(force=True)


def test_auth_user_is_the_name_auth_offers(practice, tutor_home):
    """A class slip's `--auth-user`: Enter at AUTH's username prompt takes it (it was always
    "bob"), and the practice server's carol logs in with no name typed."""
    child = spawn(practice, "--auth-user", "carol")
    try:
        start_tls(child)
        type_slowly(child, "AUTH PLAIN\r")
        child.expect("username:")
        type_slowly(child, "\r")
        child.expect("password:")
        type_slowly(child, "crepes\r")
        child.expect(r"base64\(\\0carol\\0\*+\)")
        child.expect("235")
    finally:
        child.terminate(force=True)
