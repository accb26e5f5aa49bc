"""imap.toml: every IMAP command, response and response code the practice server and the
shell use is explained, in both languages, with a reference."""

import re

import pytest

from smtp_tutor import knowledge
from smtp_tutor.knowledge.store import load
from smtp_tutor.protocol.imap import server as imap_server

DATA = load("imap")


@pytest.mark.parametrize("table", ["commands", "responses", "codes"])
def test_every_entry_is_complete(table):
    for name, entry in DATA[table].items():
        assert entry.get("rfc"), name
        for lang in knowledge.LANGUAGES:
            assert entry[lang]["title"].strip() and entry[lang]["short"].strip(), (name, lang)
            assert set(entry[lang]) == {"title", "short", "long", "next"}, (name, lang)


def test_command_syntax_starts_with_the_command():
    for name, entry in DATA["commands"].items():
        assert entry["syntax"].startswith(name), name


def test_every_command_the_server_runs_is_explained():
    missing = imap_server.SUPPORTED - set(DATA["commands"])
    assert not missing, missing


def test_every_response_code_the_server_sends_is_explained():
    from pathlib import Path

    from smtp_tutor.imap import server as driver

    source = "".join(Path(module.__file__).read_text() for module in (imap_server, driver))
    codes = set(re.findall(r"\[([A-Z][A-Z-]+)[ \]]", source)) - {"CAPABILITY", "CODE", "HEADER"}  # a docstring, a FETCH item
    known = {name.removesuffix("-CODE") for name in DATA["codes"]}
    assert codes and not codes - known, codes - known


def test_the_shell_sentences_exist_in_both_languages():
    sentences = [key for key in DATA if key.startswith("imap_")]
    assert len(sentences) > 20
    for key in sentences:
        assert set(DATA[key]) == {"en", "vi"}, key


@pytest.mark.parametrize("topic", ["FETCH", "imap-noop", "imap-list", "EXISTS", "UIDVALIDITY",
                                   "[UIDVALIDITY]", "+", "BAD", "fetch-response", "imap"])
def test_explain_finds_imap_topics(topic):
    for lang in knowledge.LANGUAGES:
        assert not isinstance(knowledge.explain_topic(topic, lang), list), (topic, lang)


def test_the_topic_list_names_every_imap_entry_once():
    names = knowledge.topics()["imap"]
    assert len(names) == len(set(names)) == sum(len(DATA[t]) for t in ("commands", "responses", "codes"))
    for name in names:
        assert not isinstance(knowledge.explain_topic(name, "en"), list), name
