"""The practice server's replies live in data, and it leans on no library's internals.

Every reply text is in ``knowledge/data/server.toml``; a reply code written as a string
in ``smtp_tutor/server/`` would be a text the catalogue (and its reviewers) never see.
The server runs on the dialogue core and asyncio alone: aiosmtpd stays a test peer.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from smtp_tutor.protocol.server import ServerDialogue
from smtp_tutor.server.wording import catalogue, reply

PACKAGE = Path(__file__).resolve().parents[2] / "smtp_tutor"
REPLY_TEXT = re.compile(r"^[2-5][0-9][0-9][ -].")


def _strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node.lineno, node.value))
        elif isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((node.lineno, first.value))
    return found


def test_no_reply_text_is_written_in_the_server_code():
    offending = [f"{path.name}:{line}: {text[:40]!r}"
                 for path in sorted((PACKAGE / "server").glob("*.py"))
                 for line, text in _strings(path) if REPLY_TEXT.match(text)]
    assert offending == []


def test_the_check_would_see_one():
    source = PACKAGE / "server" / "policy.py"
    planted = source.read_text(encoding="utf-8") + '\nX = "550 5.1.1 planted"\n'
    tree_strings = [value for node in ast.walk(ast.parse(planted))
                    if isinstance(node, ast.Constant) and isinstance(value := node.value, str)]
    assert any(REPLY_TEXT.match(text) for text in tree_strings)


def test_nothing_in_the_package_imports_aiosmtpd():
    importers = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) \
                else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(name.split(".")[0] == "aiosmtpd" for name in names):
                importers.append(str(path.relative_to(PACKAGE)))
    assert importers == []


def test_every_catalogue_reply_is_well_formed_and_every_key_the_core_names_exists():
    for key, text in catalogue().items():
        assert REPLY_TEXT.match(text), key
        code = text[:3]
        if text[0] in "45" or (text[0] == "2" and key not in ("greeting", "helo", "ehlo")):
            assert re.match(rf"{code} {code[0]}\.\d{{1,3}}\.\d{{1,3}} ", text), key
    source = (PACKAGE / "protocol" / "server.py").read_text(encoding="utf-8")
    named = set(re.findall(r'texts\(\s*"([a-z0-9-]+)"', source))
    assert named and named <= set(catalogue())
    from smtp_tutor.protocol.states import RULES

    keys = {rule.key for rule in RULES.values()} | {
        key for rule in RULES.values() for _, key in rule.keys_by_state}
    assert keys <= set(catalogue()), keys - set(catalogue())


def test_a_value_the_client_chose_is_made_printable():
    assert reply("user-unknown", address="bob\x1b[2J@hamburger.edu") == \
        "550 5.1.1 <bob?[2J@hamburger.edu>: Recipient address rejected: User unknown"
    assert ServerDialogue(reply).greet().lines[0].startswith("220 hamburger.edu ")
