"""Every recorded reply of the five real servers is explained for what it is (issue 24):
in the context of the command it answers, the explanation (short line and server wording)
holds the phrase that says what the reply is, and not the one a wrong reading gave."""

import tomllib
from pathlib import Path

import pytest

from smtp_tutor import knowledge
from smtp_tutor.protocol.replies import find_enhanced_code

HERE = Path(__file__).resolve().parent
DATED = [row for row in tomllib.loads((HERE / "real_replies.toml").read_text())["reply"]
         if "captured" in row]


def test_each_of_the_five_servers_has_dated_replies():
    servers = {row["server"] for row in DATED}
    assert servers == {"Postfix", "smtp-sink", "aiosmtpd", "Exim", "OpenSMTPD"}
    assert all(row["version"] and row["captured"] for row in DATED)


@pytest.mark.parametrize("row", DATED, ids=lambda row: f"{row['server']}: {row['line'][:40]}")
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_real_reply_is_explained_for_what_it_is(row, lang):
    code, text = int(row["line"][:3]), row["line"][4:]
    explained = knowledge.explain_reply(code, find_enhanced_code(code, text), text,
                                        row["answering"], lang)
    assert explained.short  # every reply gets a line, in both languages
    if lang == "en":
        said = " ".join((explained.short, *explained.wordings))
        assert row["explained"] in said, (row["line"], said)
        if "not_explained" in row:
            assert row["not_explained"] not in said, (row["line"], said)
