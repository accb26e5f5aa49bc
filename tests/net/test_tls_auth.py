"""Issue 14 part 4: TLS as s_client shows it and AUTH as swaks does it (scripted, JSON)."""

import base64
import json
import smtplib
import ssl

import pytest

from smtp_tutor.protocol.auth import cram_md5_response, xoauth2_response
from tests.conftest import tutor_in_process

# the sessions run in this process (tutor_in_process), over real TLS to real servers;
# tests/faces/test_scripted.py starts the program

STARTTLS = b"EHLO crepes.fr\nSTARTTLS\nEHLO crepes.fr\nQUIT\n"


def records(result):
    return [json.loads(line) for line in result.stdout.decode().splitlines()]


def test_cram_md5_matches_rfc_2195s_example():
    digest, line = cram_md5_response("tim", b"<1896.697170952@postoffice.reston.mci.net>",
                                     "tanstaaftanstaaf")
    assert digest == "b913a602c7eda7a495b4e6e7334d3890"
    assert line == "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"


def test_xoauth2_initial_response_layout():
    decoded = base64.b64decode(xoauth2_response("bob@hamburger.edu", "tok"))
    assert decoded == b"user=bob@hamburger.edu\x01auth=Bearer tok\x01\x01"


def _smtplib(practice, user, password, mechanism):
    context = ssl.create_default_context(cafile=str(practice.ca_path))
    with smtplib.SMTP(practice.host, practice.port, timeout=10) as client:
        client.starttls(context=context)
        client.ehlo("crepes.fr")
        assert mechanism in client.esmtp_features["auth"].split()
        client.user, client.password = user, password
        return client.auth(mechanism, getattr(client, "auth_" + mechanism.lower().replace("-", "_")))


def test_practice_server_checks_cram_md5_with_a_standard_client(practice):
    assert _smtplib(practice, "carol", "crepes", "CRAM-MD5")[0] == 235
    with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
        _smtplib(practice, "carol", "wrong", "CRAM-MD5")
    assert refused.value.smtp_code == 535


def test_servername_is_sent_and_a_mismatch_is_named(practice):
    ok = tutor_in_process("connect", practice.host, str(practice.port), "--cafile",
                   str(practice.ca_path), "--servername", "hamburger.edu", "--json",
                   stdin=STARTTLS)
    [tls] = [r for r in records(ok) if r["event"] == "tls"]
    assert ok.returncode == 0 and tls["servername"] == "hamburger.edu" and tls["verified"]
    [cert] = tls["certificates"]
    assert cert["subject"] == "CN=hamburger.edu" and "DNS:hamburger.edu" in cert["san"]
    assert cert["key"].startswith("EC ") and cert["not_after"].endswith("UTC")
    bad = tutor_in_process("connect", practice.host, str(practice.port), "--cafile",
                    str(practice.ca_path), "--servername", "wrong.example", stdin=STARTTLS)
    out = bad.stdout.decode()
    assert bad.returncode == 1
    assert "Why: hostname mismatch" in out and "wrong.example" in out
    vi = tutor_in_process("connect", practice.host, str(practice.port), "--cafile",
                   str(practice.ca_path), "--servername", "wrong.example", "--lang", "vi",
                   stdin=STARTTLS)
    assert "Lý do: sai tên máy" in vi.stdout.decode()


def test_unknown_ca_is_named(practice):
    result = tutor_in_process("connect", practice.host, str(practice.port), "--json", stdin=STARTTLS,
                       env={"SSL_CERT_FILE": "/nonexistent", "SSL_CERT_DIR": "/nonexistent"})
    keys = [r.get("key") for r in records(result) if r["event"] == "message"]
    # without --cafile nothing trusts the practice CA
    assert "tls-reason-unknown-ca" in keys or "tls-reason-self-signed-chain" in keys


@pytest.mark.parametrize("version", ["1.2", "1.3"])
def test_tls_min_and_max_choose_the_version(practice, version):
    result = tutor_in_process("connect", practice.host, str(practice.port), "--cafile",
                       str(practice.ca_path), "--tls-min", version, "--tls-max", version,
                       "--json", stdin=STARTTLS)
    [tls] = [r for r in records(result) if r["event"] == "tls"]
    assert result.returncode == 0 and tls["version"] == f"TLSv{version}"


def test_tls_min_above_max_is_refused(practice):
    result = tutor_in_process("connect", practice.host, str(practice.port), "--tls-min", "1.3",
                       "--tls-max", "1.2", stdin=STARTTLS)
    assert result.returncode == 2 and b"no TLS version is left" in result.stderr


def test_tls_min_13_against_postfix(postfix):
    host, port = postfix
    result = tutor_in_process("connect", host, str(port), "--insecure", "--tls-min", "1.3", "--json",
                       stdin=STARTTLS)
    [tls] = [r for r in records(result) if r["event"] == "tls"]
    assert tls["version"] == "TLSv1.3" and tls["certificates"][0]["self_signed"] == "yes"


def test_postfix_self_signed_certificate_is_named(postfix):
    host, port = postfix
    result = tutor_in_process("connect", host, str(port), "--json", stdin=STARTTLS,
                       env={"SSL_CERT_FILE": "/nonexistent", "SSL_CERT_DIR": "/nonexistent"})
    keys = [r.get("key") for r in records(result) if r["event"] == "message"]
    assert "tls-verify-failed" in keys
    assert "tls-reason-self-signed" in keys or "tls-reason-hostname" in keys, keys


def test_a_250_answer_to_auth_gets_a_note(smtp_sink):
    host, port = smtp_sink
    script = b"EHLO crepes.fr\nAUTH PLAIN AGJvYgBwaWNrbGVz\nQUIT\n"
    result = tutor_in_process("connect", host, str(port), "--json", stdin=script)
    out = result.stdout.decode()
    replies = [r for r in records(result) if r["event"] == "reply"]
    [auth] = [r for r in replies if r["answering"] == "AUTH"]
    assert auth["code"] == 250
    assert [n["key"] for n in auth["notes"]] == ["auth-250-not-235"]
    assert "AGJvYgBwaWNrbGVz" not in out and "pickles" not in out
    plain = tutor_in_process("connect", host, str(port), stdin=script).stdout.decode()
    assert "RFC 4954 says 235" in plain
