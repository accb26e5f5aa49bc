"""Both languages, a reference and a meaning for everything the issues list."""

import re
from pathlib import Path

import pytest

from smtp_tutor import knowledge
from smtp_tutor.knowledge.store import load

RFC5321_CODES = ["211", "214", "220", "221", "250", "251", "252", "354", "421", "450", "451", "452", "455", "500", "501", "502", "503", "504", "550", "551", "552", "553", "554", "555"]
EXTENSION_CODES = ["334", "235", "535", "538", "454", "530", "534", "432"]
COMMANDS = ["HELO", "EHLO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP", "VRFY", "EXPN", "HELP", "QUIT", "STARTTLS", "AUTH"]
EXTENSIONS = ["PIPELINING", "SIZE", "8BITMIME", "SMTPUTF8", "STARTTLS", "AUTH", "PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "DSN", "CHUNKING", "BINARYMIME", "ENHANCEDSTATUSCODES", "DELIVERBY", "VRFY", "EXPN", "ETRN", "HELP"]
CONCEPTS = ["envelope-vs-headers", "dot-stuffing", "bare-lf", "7bit-ascii",
            "persistent-connections", "relaying", "ports", "greylisting", "reply-codes",
            # what beginners trip on (teaching review §4 and §6)
            "mx-records", "bounce", "spf", "dkim", "dmarc", "sasl", "octet", "reverse-path",
            "mail-chain", "encoded-words", "pop3-imap", "hmac", "oauth-token", "postscreen",
            "smtp-sink",
            # issue 25: web mail, IMAP, the message format, SMTPUTF8, TLS between servers, DNSBL
            "webmail", "smtp-vs-http", "imap", "header-fields", "received", "mime-multipart",
            "smtputf8-idna", "tls-between-servers", "dnsbl"]
# names a student is likely to type, and the concept each must find
ALIASES = {"mx": "mx-records", "null-mx": "mx-records", "dsn-report": "bounce",
           "forward-path": "reverse-path", "mta": "mail-chain", "mua": "mail-chain",
           "imap": "imap", "pop3": "pop3-imap", "rfc2047": "encoded-words",
           "webmail": "webmail", "http": "webmail", "message-id": "header-fields",
           "received": "received", "multipart": "mime-multipart", "idna": "smtputf8-idna",
           "mta-sts": "tls-between-servers", "dane": "tls-between-servers", "dnsbl": "dnsbl",
           "rdns": "dnsbl",
           "submission": "ports", "token": "oauth-token"}
RFC3463 = ["0.0", *(f"1.{d}" for d in range(9)), *(f"2.{d}" for d in range(5)),
           *(f"3.{d}" for d in range(6)), *(f"4.{d}" for d in range(8)),
           *(f"5.{d}" for d in range(6)), *(f"6.{d}" for d in range(6)),
           *(f"7.{d}" for d in range(8))]


def complete(entry: dict, fields: tuple[str, ...]) -> None:
    assert entry.get("rfc"), entry
    for lang in knowledge.LANGUAGES:
        for name in fields:
            assert entry[lang][name].strip(), (lang, name)


@pytest.mark.parametrize("code", RFC5321_CODES + EXTENSION_CODES)
def test_every_listed_code_in_both_languages(code):
    entry = load("replies")["codes"][code]
    complete(entry, ("short", "long", "next"))
    for context in entry.get("after", {}).values():
        assert context["en"] and context["vi"]


@pytest.mark.parametrize("verb", COMMANDS)
def test_every_command(verb):
    entry = load("commands")[verb]
    complete(entry, ("short", "long", "next"))
    assert entry["syntax"].startswith(verb)


@pytest.mark.parametrize("keyword", EXTENSIONS)
def test_every_extension(keyword):
    complete(load("extensions")[keyword], ("short", "long"))


@pytest.mark.parametrize("name", CONCEPTS)
def test_every_concept(name):
    complete(load("concepts")[name], ("title", "short", "long", "next"))


@pytest.mark.parametrize(("alias", "name"), sorted(ALIASES.items()))
def test_aliases_find_the_concept(alias, name):
    assert knowledge.explain_topic(alias, "en").topic == name


def _pairs(node, path=""):
    if isinstance(node, dict):
        if "en" in node and "vi" in node:
            yield path, node["en"], node["vi"]
        for key, value in node.items():
            if key not in ("en", "vi"):
                yield from _pairs(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _pairs(value, f"{path}[{index}]")


@pytest.mark.parametrize("name", ["replies", "enhanced", "commands", "extensions", "concepts",
                                  "messages"])
def test_en_vi_parity_everywhere(name):
    for path, en, vi in _pairs(load(name)):
        if isinstance(en, dict):
            assert set(en) == set(vi), path
            for key in en:
                assert bool(en[key].strip()) == bool(vi[key].strip()), (path, key)
        else:
            assert en.strip() and vi.strip(), path


def test_x_6_10_and_x_7_0_are_where_the_registry_has_them():
    details, vendor = load("enhanced")["details"], load("enhanced")["vendor"]
    assert "6.10" in details and "7.0" in details and "4.7.0" not in vendor
    assert "registry" not in knowledge.explain_enhanced("5.6.10", "en").short


@pytest.mark.parametrize("detail", RFC3463)
@pytest.mark.parametrize("klass", ["2", "4", "5"])
def test_every_rfc3463_code_resolves(klass, detail):
    for lang in knowledge.LANGUAGES:
        item = knowledge.explain_enhanced(f"{klass}.{detail}", lang)
        assert "registry" not in item.short and item.refs


def test_any_valid_enhanced_code_gets_a_meaning():
    for lang in knowledge.LANGUAGES:
        for subject in range(8):
            assert knowledge.explain_enhanced(f"5.{subject}.99", lang).short


def test_registry_snapshot_is_dated():
    meta = load("enhanced")["meta"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta["snapshot"]) and "RFC 5248" in meta["source"]
    for entry in load("enhanced")["details"].values():
        assert entry["en"] and entry["vi"] and entry["rfc"]


def test_every_note_key_the_code_raises_is_explained_in_both_languages():
    root = Path(knowledge.__file__).resolve().parent.parent
    source = "\n".join(p.read_text() for p in root.rglob("*.py"))
    keys = set(re.findall(r'Note\(\s*"([a-z0-9-]+)"', source))
    keys |= set(re.findall(r'TransportError\(\s*"([a-z0-9-]+)"', source))
    keys |= set(re.findall(r'message\(\s*"([a-z0-9-]+)"', source))
    keys |= {"mail-before-helo", "nested-mail", "rcpt-needs-mail", "data-needs-mail",
             "data-needs-rcpt", "starttls-needs-ehlo", "starttls-in-transaction",
             "auth-needs-ehlo", "auth-in-transaction", "before-greeting",
             "tls-handshake-pending", "connection-closed", "out-of-place"}
    messages = load("messages")
    missing = sorted(k for k in keys if k not in messages)
    assert not missing
    for key in keys:
        for lang in knowledge.LANGUAGES:
            assert messages[key][lang]["text"], (key, lang)


def test_vietnamese_uses_the_course_terms():
    text = str(load("replies")) + str(load("commands")) + str(load("concepts"))
    for term in ("máy chủ", "máy khách", "lệnh", "phong bì thư", "kết nối kiên trì"):
        assert term in text, term
