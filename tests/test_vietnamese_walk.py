"""In Vietnamese mode nothing the user reads is English (issue 13).

Every command is run with ``LANG=vi_VN.UTF-8`` and what it prints is searched for English
function words and for catalogue keys that were never translated. Left alone, because
they are English by nature: the dialogue itself (``S:``/``C:`` lines, the wire bytes, the
sequence diagram), quoted server text, anything in backticks, command and option names,
file paths and addresses.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import tomllib
from pathlib import Path

import pytest

from smtp_tutor.knowledge.store import load
from tests.conftest import (
    TEXTBOOK,
    TEXTBOOK_TRANSCRIPT,
    spawn_pty,
    tutor_command,
    tutor_in_process,
    wait_raw,
)

VI = {"LANG": "vi_VN.UTF-8", "SMTP_TUTOR_LANG": "", "LC_ALL": "", "LC_MESSAGES": ""}
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]|[\r\x08]")

# English words that Vietnamese prose never holds (no Vietnamese word is spelt like them:
# "to", "an", "in", "no", "do" and "can" are Vietnamese too, so they are not here)
ENGLISH = str.split("the is are and your you not of with for from this that it or by be will has have was "
           "when only every each which there than into cannot does please lines line saved "
           "choose stops messages message usage options arguments argument required invalid "
           "expected unrecognized error warning note raw step level users server client "
           "sequence diagram offline stuffed on off port try another")
# lower case or capitalised: all-capital words are SMTP's own (MAIL FROM, RCPT TO)
_WORD = re.compile(r"(?<![\w\-:./<@=$%{])("
                   + "|".join(f"{word}|{word.capitalize()}" for word in ENGLISH)
                   + r")(?![\w\-./@=>}])")
_DIALOGUE = re.compile(r"^\s*(?:S|C|send|reply):\s|^\s*(?:raw|thô)\s|^\s*│|[─▶◀┌┐└┘╭╮╰╯]")
# what may stay English: quoted text, commands in backticks, addresses, paths, header names,
# and the operating system's own words for an error (strerror, as the brief allows)
_OS_WORDS = sorted({os.strerror(number) for number in range(1, 134)}, key=len, reverse=True)
_QUOTED = re.compile(r"`[^`\n]*`|“[^”\n]*”|\"[^\"\n]*\"|'[^'\n]*'|<[^>\n]*>|\{[^}\n]*\}"
                     r"|\[[^\]\n]*\]|[\w.\-~]*(?:/[\w.\-~]+)+/?|\S+@\S+|\b[A-Z][A-Za-z-]*:"
                     r"|(?<!\w):[a-z][\w-]*(?:\s+(?:on|off)\b)*"  # the shell's :commands
                     r"|error while attempting to bind on address .*"
                     r"|grade (?:client|server)\b|^\s+(?:client|server)\s{2,}"  # subcommands
                     r"|" + "|".join(map(re.escape, _OS_WORDS)))


def _catalogue_keys() -> set[str]:
    """Keys that would be printed as they are if a lookup found no text (messages, ui)."""
    concepts = load("concepts")
    names = set(concepts) | {a for entry in concepts.values() for a in entry.get("aliases", [])}
    keys = {key for key in load("messages") if "-" in key} | {k for k in load("ui") if "_" in k}
    return keys - names


_KEYS = _catalogue_keys()
_KEY = re.compile(r"(?<![\w\-])(" + "|".join(sorted(map(re.escape, _KEYS), key=len, reverse=True))
                  + r")(?![\w\-])")


def prose(text: str) -> str:
    """What is left for a student to read once the dialogue and quoted text are taken out."""
    lines = []
    for line in ANSI.sub("", text).splitlines():
        if _DIALOGUE.search(line):
            continue
        lines.append(_QUOTED.sub(" ", line))
    return "\n".join(lines)


def english_words(text: str) -> list[str]:
    """English words in the prose of ``text``, each with a little of its line."""
    hits = []
    for line in prose(text).splitlines():
        hits += [f"{m.group(1)!r} in {line.strip()[:100]!r}" for m in _WORD.finditer(line)]
    return hits


def untranslated_keys(text: str) -> list[str]:
    return [m.group(1) for m in _KEY.finditer(ANSI.sub("", text))]


ALLOWLIST = tomllib.loads((Path(__file__).with_name("vi_allowlist.toml")).read_text())
_HOSTLIKE = re.compile(r"\S*[A-Za-z0-9][.][A-Za-z]\S*|\S+@\S*")  # crepes.fr, x.py, busy@
_ASCII_WORD = re.compile(r"(?<![\w\-])([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)(?![\w\-])")


def _allowed_english() -> frozenset[str]:
    """The committed allowlist, plus what the data names: verbs, EHLO keywords, POP3
    commands, concept names and lesson ids."""
    words = {word for group in ALLOWLIST.values() for word in group["words"]}
    words |= set(load("commands")) | set(load("extensions")) | set(load("pop3")["commands"])
    imap = load("imap")  # IMAP commands, responses and response codes by their names
    words |= {name.removesuffix("-RESPONSE").removesuffix("-CODE")
              for table in ("commands", "responses", "codes") for name in imap[table]}
    words |= set(load("concepts"))
    lessons = Path(__file__).resolve().parent.parent / "lessons"
    for lesson in lessons.glob("*.lesson"):
        words |= set(re.findall(r"^id:\s*(\S+)", lesson.read_text(), re.MULTILINE))
    return frozenset(words)


_ALLOWED = _allowed_english()


def foreign_words(text: str) -> list[str]:
    """ASCII words of three letters or more in the prose of ``text`` that the allowlist does
    not name (Vietnamese words spelt with diacritics never match: a letter next to ``ư`` is
    not a word boundary)."""
    hits = []
    for line in prose(text).splitlines():
        for match in _ASCII_WORD.finditer(_HOSTLIKE.sub(" ", line)):
            word = match.group(1)
            if sum(c.isalpha() for c in word) >= 3 and word not in _ALLOWED:
                hits.append(f"{word!r} in {line.strip()[:100]!r}")
    return hits


def assert_vietnamese(name: str, text: str) -> None:
    assert text.strip(), f"{name}: printed nothing"
    problems = english_words(text) + [f"catalogue key {k}" for k in untranslated_keys(text)]
    assert not problems, f"{name}:\n" + "\n".join(problems)


def run_vi(*args: str, stdin: bytes = b"", env: dict | None = None) -> str:
    """What ``smtp-tutor ARGS`` prints in Vietnamese (run in this process: the words are
    tested here, not the start; the terminal walks below start the program)."""
    result = tutor_in_process(*args, stdin=stdin, env={**VI, **(env or {})})
    return result.stdout.decode("utf-8", "replace") + result.stderr.decode("utf-8", "replace")


# -- the detector itself ------------------------------------------------------------------

def test_the_detector_finds_english_and_leaves_the_dialogue_alone():
    assert english_words("   note: the server is not ready")
    assert english_words("saved 3 lines to x")
    assert english_words(" 127.0.0.1:2525 │ TLS on │ ready │ last 250")
    assert not english_words("S: 250 the message is accepted\nC: MAIL FROM:<a@b>")
    assert not english_words("   ghi chú: máy chủ trả lời “Error: I can break rules, too”")
    assert not english_words("gõ `:raw on` để xem; --offline; (RFC 5321 §4.1.1.1)")
    assert untranslated_keys("capabilities-added") == ["capabilities-added"]


# -- every command's output ---------------------------------------------------------------

HELPS = [[], ["connect"], ["explain"], ["annotate"], ["lesson"], ["lesson", "list"],
         ["lesson", "check"], ["lesson", "play"], ["demo"], ["export"], ["serve"], ["mailbox"]]
ERRORS = [["lesson", "play"], ["explain", "--frob"], ["connect", "--color", "pink"],
          ["connect", "--timeout"], ["connect", "--timeout", "abc"], ["serve", "--fail-rate", "2"],
          ["serve", "--slow", "-1"], ["serve", "--idle-timeout", "0"], ["serve", "--port", "x"],
          ["serve", "--max-errors", "-1"], ["lesson", "play", "1", "--pace", "0"], ["frobnicate"],
          ["lesson", "frob"], ["--lang", "fr"], ["connect", "abc:xyz"], ["connect", "a", "99999"],
          ["demo", "1"], ["export", "nothing-here"], ["lesson", "play", "nothing-here"],
          ["mailbox", "bob", "--show", "x"]]
TOPICS = [["354"], ["5.1.1"], ["X.7.1"], ["RCPT"], ["MAIL", "FROM:"], ["PIPELINING"],
          ["dot-stuffing"], ["587"], ["greylisting"], ["relay"], ["999"], ["4.9.9"], ["dot-stufing"],
          ["--list"], ["bounce"], ["XCLIENT"]]


@pytest.mark.parametrize("command", HELPS, ids=lambda c: " ".join(c) or "top")
def test_every_help(command):
    assert_vietnamese(f"{command} --help", run_vi(*command, "--help"))


@pytest.mark.parametrize("command", ERRORS, ids=" ".join)
def test_argument_and_start_errors(command):
    assert_vietnamese(" ".join(command), run_vi(*command))


@pytest.mark.parametrize("topic", TOPICS, ids=" ".join)
def test_explain(topic):
    assert_vietnamese(f"explain {topic}", run_vi("explain", *topic))


SWAKS = """\
=== Trying 127.0.0.1:25...
<-  220 hamburger.edu ESMTP Postfix
 -> EHLO crepes.fr
<-  250-hamburger.edu
<-  250-PIPELINING
<-  250-XCLIENT NAME ADDR
<-  250-STARTTLS
<-  250 8BITMIME
 -> XCLIENT ADDR=192.0.2.1
<-  220 hamburger.edu ESMTP Postfix
 -> STARTTLS
<-  220 2.0.0 Ready to start TLS
=== TLS started with cipher TLSv1.3:TLS_AES_256_GCM_SHA384:256
 ~> EHLO crepes.fr
<~  250-hamburger.edu
<~  250-PIPELINING
<~  250 AUTH PLAIN LOGIN
 ~> AUTH LOGIN
<~  334 VXNlcm5hbWU6
 ~> *
<~  501 5.7.0 Authentication aborted
 ~> RCPT TO:<bob@hamburger.edu>
<~  503 5.5.1 Error: need MAIL command
 ~> HELO crepes.fr
<~  250 hamburger.edu
 ~> QUIT
<~  221 2.0.0 Bye
"""


@pytest.mark.parametrize(("name", "transcript", "flags"), [
    ("textbook", TEXTBOOK_TRANSCRIPT, []), ("textbook raw", TEXTBOOK_TRANSCRIPT, ["--raw"]),
    ("swaks", SWAKS, []),
    ("stuffed", "S: 220 x\nC: EHLO a\nS: 250 x\nC: MAIL FROM:<a@b>\nS: 250 ok\nC: RCPT TO:<b@c>\n"
                "S: 250 ok\nC: DATA\nS: 354 go\nC: ..dot\nC: .\nS: 250 ok\n", ["--raw"]),
    ("nothing", "hello there\n", []),
])
def test_annotate(name, transcript, flags):
    assert_vietnamese(f"annotate {name}", run_vi("annotate", *flags, stdin=transcript.encode()))


def test_lesson_list_and_check():
    assert_vietnamese("lesson list", run_vi("lesson", "list"))
    assert_vietnamese("lesson check", run_vi("lesson", "check"))


@pytest.mark.parametrize("number", [*range(1, 13), 17, 18])  # 13-16: lessons/test_journey_vi.py
def test_lesson_watch_offline(number):
    out = run_vi("lesson", "play", str(number), "--offline", "--mode", "watch", "--pace", "0.001")
    assert_vietnamese(f"lesson {number}", out)
    assert not foreign_words(out), f"lesson {number}:\n" + "\n".join(foreign_words(out))


def _every_topic() -> list[str]:
    topics = list(load("concepts")) + list(load("replies")["codes"]) + list(load("commands"))
    topics += list(load("extensions")) + [f"X.{d}" for d in load("enhanced")["details"]]
    topics += list(load("pop3")["commands"]) + list(load("pop3")["replies"])
    from smtp_tutor.knowledge import topics as every

    return topics + every()["imap"]


def test_explain_of_every_topic_passes_the_allowlist():
    """What `explain` prints, for every concept, code, command, extension and POP3 topic:
    no English word outside the committed allowlist (the text goes through the same
    formatting as the command)."""
    from smtp_tutor import knowledge
    from smtp_tutor.render.explanation import format_explanation

    problems = []
    for topic in _every_topic():
        text = format_explanation(knowledge.explain_topic(topic, "vi"), "vi")
        assert text.strip(), topic
        problems += [f"{topic}: {hit}" for hit in foreign_words(text)]
    assert not problems, "\n".join(problems)


def test_the_allowlist_check_is_not_blind():
    assert foreign_words("máy chủ trả lời the message")
    assert foreign_words("Dùng relay server ở đây")  # "server" is not allowed, "relay" is
    assert not foreign_words("gõ `the message`; “an English quote”; crepes.fr; RFC 5321 §4.4")
    assert not foreign_words("thư báo lỗi (bounce) gửi tới Bob qua SMTP; người nhận")
    english = format_explanation_en("webmail")
    assert len(foreign_words(english)) > 10


def format_explanation_en(topic: str) -> str:
    from smtp_tutor import knowledge
    from smtp_tutor.render.explanation import format_explanation

    return format_explanation(knowledge.explain_topic(topic, "en"), "en")


def test_the_allowlist_is_well_formed():
    for kind, group in ALLOWLIST.items():
        words = group["words"]
        assert words == list(dict.fromkeys(words)), kind  # no word twice in a group
        assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*", w) for w in words), kind


def test_mailbox_and_scripted_connect(practice, tmp_path):
    box = str(practice.mailbox_dir)
    assert_vietnamese("mailbox zorro", run_vi("mailbox", "zorro", "--mailbox-dir", box))
    assert_vietnamese("mailbox empty", run_vi("mailbox", "bob", "--mailbox-dir", box))
    script = (TEXTBOOK.replace(b"QUIT\n", b"") + b"EHLO crepes.fr\nXFOO\nRCPT TO:<bob@hamburger.edu>\n"
              b"MAIL FROM:<alice@crepes.fr>\nRCPT TO:<nobody@hamburger.edu>\nRCPT TO:<bob@hamburger.edu>\n"
              b"DATA\nSubject: xin chao\n\n.hidden\n.\nVRFY bob\nNOOP\nRSET\nSTARTTLS\nEHLO crepes.fr\n"
              b"AUTH LOGIN\n*\nQUIT\n")
    out = run_vi("connect", practice.host, str(practice.port), "--cafile", str(practice.ca_path),
                 "--raw", stdin=script)
    assert "Phụ lục F.3" in out and "đã nhồi dấu chấm" in out
    assert_vietnamese("connect", out)
    assert_vietnamese("mailbox bob", run_vi("mailbox", "bob", "--mailbox-dir", box))
    assert_vietnamese("mailbox --show 9", run_vi("mailbox", "bob", "--mailbox-dir", box, "--show", "9"))
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    assert_vietnamese("connect refused", run_vi("connect", "127.0.0.1", str(port), stdin=b"QUIT\n"))


def test_export_markdown_and_html(tmp_path):
    md, html = tmp_path / "x.md", tmp_path / "x.html"
    run_vi("export", "1", "--format", "md", "-o", str(md))
    assert "## Sơ đồ tuần tự" in md.read_text() and "thư (2 dòng)" in md.read_text()
    assert_vietnamese("export md", md.read_text())
    run_vi("export", "1", "--format", "html", "-o", str(html))
    assert '<html lang="vi">' in html.read_text() and "<title>Phiên kinh điển" in html.read_text()
    assert_vietnamese("export cannot write", run_vi("export", "1", "-o", str(tmp_path / "no" / "x")))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_banner_and_errors(tmp_path):
    port = _free_port()
    command = [*tutor_command(), "serve", "--port", str(port), "--mailbox-dir", str(tmp_path),
               "--greylist", "2", "--quiet"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env={**os.environ, **VI})
    try:
        lines = [server.stdout.readline().decode() for _ in range(3)]
        banner = "".join(lines)
        assert "máy chủ thực hành" in banner and "--greylist 2" in banner
        assert_vietnamese("serve banner", banner)
        assert_vietnamese("serve busy port", run_vi("serve", "--port", str(port), "--quiet"))
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(10)
    assert_vietnamese("serve users file", run_vi("serve", "--users", str(tmp_path / "none")))
    assert_vietnamese("serve lint report", run_vi("serve", "--lint-report", str(tmp_path / "a" / "b")))


def test_the_data_directory_fallback(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    out = run_vi("mailbox", "bob", env={"SMTP_TUTOR_HOME": str(blocker / "home")})
    assert_vietnamese("fallback", out)


# -- the shell in a pseudo-terminal -----------------------------------------------------------

def test_repl_chrome(practice, tmp_path):
    import pexpect

    env = {**os.environ, **VI, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm", "COLUMNS": "120",
           "LINES": "40"}
    command, *args = tutor_command()
    child = spawn_pty(command, [*args, "connect", practice.host, str(practice.port),
                                    "--cafile", str(practice.ca_path)],
                      env=env, encoding="utf-8", timeout=15, dimensions=(40, 120),
                      cwd=tmp_path)  # files named from there: no line wraps a long path
    seen, typed = [], []

    def step(line: str, expect: str) -> None:
        typed.append(line)
        for index in range(0, len(line), 4):
            child.send(line[index:index + 4])
        child.send("\r")
        child.expect(expect)
        seen.append(child.before + child.after)

    try:
        child.expect(r"\[helo\]>")
        seen.append(child.before)
        assert "cổng" in ANSI.sub("", child.before)
        step("EHLO crepes.fr", r"\[ready\]>")
        step(":raw on", r"\[ready\]>")
        step(":raw off", r"\[ready\]>")
        step(":headers", r"\[ready\]>")
        step(":save none/x.txt", r"\[ready\]>")
        step(":save x.txt", r"\[ready\]>")
        step("STARTTLS", r"\[helo\]>")
        step("EHLO crepes.fr", r"\[ready\]>")
        step("AUTH LOGIN", "tên đăng nhập")
        step("alice", "mật khẩu")
        step("ketchup", r"\[ready\]>")
        wait_raw(child)  # the prompt reads keys
        child.send("\x04")
        child.expect(pexpect.EOF)
        seen.append(child.before)
    finally:
        child.terminate(force=True)
    plain = ANSI.sub("", "".join(seen))
    for words in ("cổng", "raw bật", ":headers chỉ dùng được", "Đã lưu ",
                  "Không ghi được", "tên đăng nhập", "mật khẩu", "thêm AUTH; bớt STARTTLS"):
        assert words in plain, words
    # the prompt lines hold what was typed (`:raw on`): the rest is the shell's. A prompt
    # redrawn as keys arrive (its completion menu opening) may put the end of a typed line
    # on a line of its own: a piece of what was typed is not the shell's either.
    assert_vietnamese("repl", "\n".join(
        line for line in plain.splitlines()
        if "]>" not in line and not any(line.strip() and line.strip() in t for t in typed)))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_toolbar(lang):
    from smtp_tutor.protocol import ClientSession
    from smtp_tutor.repl.toolbar import toolbar_text

    session = ClientSession()
    session.receive(b"220 hamburger.edu\r\n")
    session.send("EHLO crepes.fr")
    session.receive(b"250 hamburger.edu\r\n")
    session.tls = session.authenticated = True
    text = toolbar_text("127.0.0.1", 2525, session, lang)
    if lang == "vi":
        assert "TLS bật" in text and "đã xác thực (AUTH)" in text and "ready: sẵn sàng" in text
        assert "mã cuối 250" in text
        assert_vietnamese("toolbar", text)
    else:
        assert text == " 127.0.0.1:2525 │ TLS on │ AUTH ok │ ready │ last 250 │ Tab: complete · :help · Ctrl-D: quit"
        assert english_words(text)


@pytest.mark.parametrize("command", [["explain", "354"], ["lesson", "list"], ["connect", "--help"],
                                     ["mailbox", "zorro", "--mailbox-dir", "/nonexistent"]])
def test_the_same_walk_finds_english_in_english_mode(command):
    """The detector is not blind: in English mode it finds English in the same outputs."""
    result = tutor_in_process(*command, env={"LANG": "C", "SMTP_TUTOR_LANG": "en"})
    assert english_words(result.stdout.decode() + result.stderr.decode())


# -- every subcommand's --help, under the allowlist ------------------------------------------

def _parser_paths() -> tuple[list[list[str]], frozenset[str]]:
    """Every subcommand of the real parser, and the words argparse prints as the user types
    them (subcommand names, option choices, the shipped rubrics' names)."""
    import argparse

    from smtp_tutor.cli import build_parser

    paths: list[list[str]] = [[]]
    names = {rubric.stem for rubric in
             (Path(__file__).resolve().parent.parent / "smtp_tutor/grade/rubrics").glob("*.toml")}

    def walk(parser: argparse.ArgumentParser, prefix: list[str]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    names.add(name)
                    paths.append([*prefix, name])
                    walk(sub, [*prefix, name])
            elif action.choices:
                names.update(map(str, action.choices))

    walk(build_parser("", "vi"), [])
    return paths, frozenset(names)


PARSER_PATHS, PARSER_WORDS = _parser_paths()


@pytest.mark.parametrize("command", PARSER_PATHS, ids=lambda c: " ".join(c) or "top")
def test_every_subcommand_help_passes_the_allowlist(command):
    """T22: metavars, descriptions and option help of every subcommand in Vietnamese; the
    only English left is what the allowlist names or the parser itself takes as typed."""
    text = run_vi(*command, "--help")
    assert "cách dùng:" in text
    left = [hit for hit in foreign_words(text) if hit.split(" in ")[0].strip("'") not in PARSER_WORDS]
    assert not left, f"{command} --help:\n" + "\n".join(left)


def test_the_parser_walk_reaches_every_face():
    from smtp_tutor.cli import FACES

    assert {path[0] for path in PARSER_PATHS if path} == set(FACES)
    assert ["class", "board"] in PARSER_PATHS and ["grade", "isolation"] in PARSER_PATHS


@pytest.mark.parametrize("command", ERRORS, ids=" ".join)
def test_every_argument_and_start_error_passes_the_allowlist(command):
    """The errors a student meets first, under the same allowlist as --help (what the
    student typed is quoted back, so it is not prose)."""
    left = [hit for hit in foreign_words(run_vi(*command))
            if hit.split(" in ")[0].strip("'") not in PARSER_WORDS]
    assert not left, f"{command}:\n" + "\n".join(left)
