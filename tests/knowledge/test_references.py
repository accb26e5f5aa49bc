"""References that point somewhere real: RFC sections that exist, server wordings that match
what that server really says, and one Vietnamese spelling and vocabulary throughout."""

import re
import tomllib
from pathlib import Path

import pytest

from smtp_tutor.knowledge.store import DATA_DIR, FILES, load
from tests.knowledge.walk import strings

HERE = Path(__file__).resolve().parent
LESSONS = sorted((HERE.parent.parent / "lessons").glob("*.lesson"))
SECTIONS = tomllib.loads((HERE / "rfc_sections.toml").read_text())
REAL = tomllib.loads((HERE / "real_replies.toml").read_text())["reply"]
SERVERS = ("smtp-sink", "Postfix", "Exim", "OpenSMTPD", "aiosmtpd")


def _references(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "rfc":
                yield from (tuple(pair) for pair in value)
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def _all_data():
    return {name: load(name) for name in FILES}


def _vietnamese_texts():
    """Every vi string of the data files and every vi line of the lessons."""
    for name, data in _all_data().items():
        for path, text in strings(data):
            if re.search(r"\.vi(\.|$|\[)", path):
                yield f"{name}{path}", text
    for lesson in LESSONS:
        for number, line in enumerate(lesson.read_text().splitlines(), 1):
            if re.match(r"(vi|hint\.vi|note\.vi|title\.vi):", line):
                yield f"{lesson.name}:{number}", line.split(":", 1)[1]


def test_every_cited_section_exists_in_the_table():
    missing = set()
    for data in _all_data().values():
        for document, section in _references(data):
            if document.startswith(("RFC ", "draft-")) and section not in SECTIONS.get(document, {}):
                missing.add((document, section))
    assert not missing, sorted(missing)


def test_section_signs_in_the_texts_point_at_known_sections():
    """`RFC 5321 §4.3.2` written inside a sentence is checked too (RFC 5321 is complete)."""
    texts = [text for data in _all_data().values() for _, text in strings(data)]
    texts += [lesson.read_text() for lesson in LESSONS]
    bad = set()
    for text in texts:
        for document, section in re.findall(r"(RFC \d+) §([0-9A-F][0-9.]*[0-9])", text):
            table = SECTIONS.get(document)
            if table is not None and section not in table and not any(
                    known.startswith(section + ".") for known in table):
                bad.add((document, section))
    assert not bad, sorted(bad)


def test_no_obsolete_citation():
    text = (Path(DATA_DIR) / "enhanced.toml").read_text()
    assert "RFC 8098" not in text  # X.7.28 is draft-levine-mailbomb-header, not MDN


def _named_servers(text: str) -> set[str]:
    names = set()
    for server in SERVERS:
        if server in text.replace("smtp-sink", "") or (server == "smtp-sink" and server in text):
            names.add(server)
    return names


@pytest.mark.parametrize("index", range(len(load("replies")["wordings"])))
def test_a_wording_that_names_a_server_matches_that_server(index):
    wording = load("replies")["wordings"][index]
    pattern = re.compile(wording["match"], re.IGNORECASE)
    codes = set(wording.get("codes", ()))
    for server in _named_servers(wording["en"]):
        lines = [r["line"] for r in REAL if r["server"] == server]
        assert lines, f"no transcript for {server}"
        hits = [line for line in lines
                if (not codes or int(line[:3]) in codes) and pattern.search(line[4:])]
        assert hits, (server, wording["match"])


def test_the_transcript_table_is_well_formed():
    for row in REAL:
        assert row["server"] in SERVERS and re.match(r"[2-5]\d\d[ -]", row["line"]), row


OLD_TONE = re.compile(r"(?<![qQ])[òóỏõọ][ae](?![\wà-ỹ])|(?<![qQ])[ùúủũụ]y(?![\wà-ỹ])",
                      re.IGNORECASE)


def test_one_tone_mark_convention_new_style():
    """hoá, huỷ, khoẻ, tuỳ everywhere; never hóa, hủy, khỏe, tùy."""
    old = [(where, m.group(0)) for where, text in _vietnamese_texts()
           for m in OLD_TONE.finditer(text)]
    old += [(p.name, m.group(0)) for p in LESSONS for m in OLD_TONE.finditer(p.read_text())]
    for name in FILES:
        source = (Path(DATA_DIR) / f"{name}.toml").read_text()
        old += [(name, m.group(0)) for m in OLD_TONE.finditer(source)]
    assert not old, old


# one Vietnamese term per concept, glossed with the English word (teaching review §3)
GLOSSES = {
    "greylisting": "danh sách xám",
    "dot-stuffing": "nhồi dấu chấm",
    "open relay": "chuyển tiếp mở",
    "bounce": "thư báo lỗi",
}
RETIRED = ["thử thách", "lời hỏi", "máy chủ luyện tập", "mã thông báo", "Mã token", "thư bị trả lại",
           "bị trả về", "cơ sở kiến thức", "chủ đề, chữ số thứ ba"]


def test_vietnamese_terms_are_the_chosen_ones_and_glossed():
    problems = []
    for where, text in _vietnamese_texts():
        lower = re.sub(r"`[^`]*`", "", text).lower()  # commands such as `:explain bounce`
        for english, vietnamese in GLOSSES.items():
            if re.search(rf"\b{re.escape(english)}\b", lower) and vietnamese not in lower:
                problems.append((where, english))
        problems += [(where, word) for word in RETIRED if word.lower() in lower]
    assert not problems, problems


# one term per new concept (teaching review turn 3, T20-T23): the renderings it replaced
RETIRED_T20 = ["máy trao đổi thư", "máy nhận thư", "gửi nhiều lệnh liền", "gửi dồn lệnh",
               "LF trơ trọi", "mã nâng cao", "đường quay về", "địa chỉ trả về",
               "thông báo trạng thái chuyển thư", "ứng dụng email", "chương trình thư",
               "xếp hàng với mã", "mất điện lúc này", "tuỳ cơ hội", "RFC 5321 yêu cầu EHLO",
               "cách mã hoá ký tự", "CHỦ_ĐỀ", "SECONDS giây", "HOURS giờ", "FACTOR lần"]
def test_retired_renderings_of_the_new_terms_are_gone():
    """Everywhere, the journey lessons (13-16) included since their T19 rewrite."""
    problems = [(where, word) for where, text in _vietnamese_texts()
                for word in RETIRED_T20 if word in text]
    for name in ("cli", "world", "ui"):
        source = (Path(DATA_DIR) / f"{name}.toml").read_text()
        problems += [(name, word) for word in RETIRED_T20 if word in source]
    assert not problems, problems


def test_the_chosen_terms_are_there():
    """T21: the words Vietnamese networking courses use, each at least where it is defined."""
    concepts = load("concepts")
    assert "thư điện tử" in concepts["mail-chain"]["vi"]["title"]
    assert "tác nhân người dùng" in concepts["mail-chain"]["vi"]["long"]
    assert "giao thức truy cập thư" in concepts["pop3-imap"]["vi"]["long"]
    assert "máy chủ trao đổi thư" in concepts["mx-records"]["vi"]["long"]
    assert "đường dẫn ngược" in concepts["reverse-path"]["vi"]["long"]
    assert "gửi lệnh dồn (pipelining)" in load("extensions")["PIPELINING"]["vi"]["short"]
    states = {"AUTHORIZATION": "xác thực", "TRANSACTION": "giao dịch", "UPDATE": "cập nhật"}
    for state, gloss in states.items():  # T24: the RFC's state names, glossed
        texts = [e["vi"]["short"] + e["vi"]["long"] for e in load("pop3")["commands"].values()]
        glossed = [t for t in texts if state in t]
        assert glossed and all(gloss in t for t in glossed), state


def test_relay_is_glossed_where_the_english_word_appears():
    for where, text in _vietnamese_texts():
        if re.search(r"\brelay\b", text) and "open relay" not in text:
            assert "chuyển tiếp" in text, where


def test_every_section_in_the_table_has_its_title():
    """Titles come from each document's own table of contents, so a wrong section number
    (one that names another topic) shows when the title is written down beside it."""
    blank = {(document, section) for document, sections in SECTIONS.items()
             for section, title in sections.items() if not title.strip()}
    assert not blank, sorted(blank)


@pytest.mark.parametrize(("where", "key", "section", "word"), [
    ("replies", "521", "3", None), ("replies", "556", "4", None),
])
def test_521_and_556_cite_their_own_sections(where, key, section, word):
    """RFC 7504 defines 521 in §3 and 556 in §4 (its §3 text sends the null-MX case to
    "the next section (Section 4)"), so the two codes cannot share a citation again."""
    refs = [tuple(pair) for pair in load(where)["codes"][key]["rfc"] if pair[0] == "RFC 7504"]
    assert refs == [("RFC 7504", section)]


def test_pop3_response_codes_credit_the_rfc_that_defines_them():
    entry = load("pop3")["replies"]["-ERR"]
    assert ["RFC 3206", "5"] in entry["rfc"] and ["RFC 2449", "8"] in entry["rfc"]
    for lang in ("en", "vi"):
        text = entry[lang]["long"]
        assert text.index("RFC 3206") < text.index("[AUTH]")  # [AUTH] is RFC 3206's
    assert "AUTH" in SECTIONS["RFC 3206"]["5"]


@pytest.mark.parametrize(("detail", "document", "section"), [
    ("1.9", "RFC 3886", "3.3.4"), ("3.6", "RFC 6710", "4.1"), ("6.6", "RFC 4468", "5"),
    ("7.15", "RFC 6710", "4.1"), ("7.16", "RFC 6710", "5"), ("7.17", "RFC 7293", "15.3"),
    ("7.18", "RFC 7293", "15.3"), ("7.19", "RFC 7293", "15.3"), ("7.29", "RFC 8617", "5.2.2"),
    ("7.30", "RFC 8689", "4.2.1"),
])
def test_later_enhanced_codes_cite_the_section_that_names_them(detail, document, section):
    """Each section was read in the RFC itself: the one whose text names the code (RFC 7293
    names X.7.17-19 only in its registration, §15.3; §3.3 is "Timestamps"; RFC 8617's
    X.7.29 is in §5.2.2, not "All Failures Are Permanent"; RFC 8689's X.7.30 in §4.2.1)."""
    assert load("enhanced")["details"][detail]["rfc"] == [[document, section]]
