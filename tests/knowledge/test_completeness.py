"""Both languages, a reference and a meaning for everything the issues list."""

import re
from pathlib import Path

import pytest

from smtp_tutor import knowledge
from smtp_tutor.knowledge.store import load

RFC5321_CODES = ["211", "214", "220", "221", "250", "251", "252", "354", "421", "450", "451", "452", "455", "500", "501", "502", "503", "504", "550", "551", "552", "553", "554", "555"]
EXTENSION_CODES = ["334", "235", "535", "538", "454", "530", "534", "432"]
COMMANDS = ["HELO", "EHLO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP", "VRFY", "EXPN", "HELP", "QUIT", "STARTTLS", "AUTH"]
EXTENSIONS = ["PIPELINING", "SIZE", "8BITMIME", "SMTPUTF8", "STARTTLS", "AUTH", "PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "DSN", "CHUNKING", "BINARYMIME", "ENHANCEDSTATUSCODES", "DELIVERBY", "VRFY", "ETRN", "HELP"]
CONCEPTS = ["envelope-vs-headers", "dot-stuffing", "bare-lf", "7bit-ascii",
            "persistent-connections", "relaying", "ports", "greylisting"]
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
