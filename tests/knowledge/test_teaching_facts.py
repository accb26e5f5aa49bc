"""Facts the second content review (issue 25, R1-R18) found taught wrong, checked where the
check is mechanical, so that the same mistake cannot come back unnoticed."""

import re
from pathlib import Path

import pytest

from smtp_tutor.knowledge.catalogue import say
from smtp_tutor.knowledge.lookup import explain_enhanced
from smtp_tutor.knowledge.store import load
from tests.knowledge.walk import strings

LESSONS = Path(__file__).resolve().parent.parent.parent / "lessons"


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_an_expired_greylisted_message_is_not_taught_as_4_4_7(lang):
    """R1: RFC 3463 §3.5 asks for the actual problem's code rather than X.4.7."""
    text = (LESSONS / "15-retry-after-4xx.lesson").read_text()
    last = [line for line in text.splitlines() if line.startswith(f"{lang}:")][-1]
    assert "4.7.1" in last and "Action: failed" in last and "RFC 3463 §3.5" in last
    assert not re.search(r"Status: 4\.4\.7", last)


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_detail_the_rfc_limits_to_one_class_says_so_under_the_other(lang):
    """R4: X.4.1 and X.4.2 are "useful only as a persistent transient error", X.1.1 only
    permanent (RFC 3463 §3.2, §3.5); X.4.7 has no such limit (RFC 3463 Appendix B)."""
    assert "4.x.x" in explain_enhanced("5.4.1", lang).long
    assert "4.x.x" in explain_enhanced("5.4.2", lang).long
    assert "5.x.x" in explain_enhanced("4.1.1", lang).long
    for code in ("4.4.1", "5.1.1", "5.4.7", "4.4.7", "5.7.1"):
        long = explain_enhanced(code, lang).long
        assert "4.x.x" not in long and "5.x.x" not in long, code


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_4_7_1_is_explained_as_greylisting_in_practice(lang):
    """R12: the code of every greylisting step in lessons 11 and 15."""
    explanation = explain_enhanced("4.7.1", lang)
    word = {"en": "greylisting", "vi": "danh sách xám"}[lang]
    assert word in explanation.short and "RFC 3463" in explanation.short


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("code", ["2.0.0", "4.0.0", "5.0.0"])
def test_x_0_0_is_not_a_riddle(code, lang):
    """R13: RFC 3463 §3.1: X.0.0 is the code used when only the class is known."""
    short = explain_enhanced(code, lang).short
    assert "undefined" not in short and "không xác định" not in short


def test_432_is_a_mechanism_transition_not_a_password_change():
    """R3: RFC 4954 §6: log in once with PLAIN, then the chosen mechanism works."""
    entry = load("replies")["codes"]["432"]
    assert entry["rfc"] == [["RFC 4954", "6"]]
    for lang in ("en", "vi"):
        assert "PLAIN" in entry[lang]["long"] and "PLAIN" in entry[lang]["next"]
    assert "change the password" not in entry["en"]["next"].lower()
    assert "đổi mật khẩu" not in entry["vi"]["next"].lower()


def _vietnamese():
    """Every vi text of the data files and every vi line (narration, hint, note, title) of
    the lessons, with where it is."""
    from smtp_tutor.knowledge.store import FILES
    for name in FILES:
        for path, text in strings(load(name)):
            if re.search(r"\.vi(\.|$|\[)", path) or name in ("world", "ui", "cli") and (
                    re.search(r"[à-ỹđ]", text)):
                yield f"{name}{path}", text
    for lesson in sorted(LESSONS.glob("*.lesson")):
        for number, line in enumerate(lesson.read_text().splitlines(), 1):
            if re.match(r"(vi|hint\.vi|note\.vi|title\.vi):", line):
                yield f"{lesson.name}:{number}", line.split(":", 1)[1]


ENCODED = re.compile(r"base64|quoted-printable|RFC 2047|ASCII|encoded word|`=\?UTF-8", re.I)


def test_encoding_and_encryption_have_one_vietnamese_word_each():
    """R7: "mã hoá" is encryption (TLS) only; encoding (base64, quoted-printable, RFC 2047)
    is "chuyển mã", decoding "chuyển ngược"; "mật mã" is not a word for encryption."""
    problems = []
    for where, text in _vietnamese():
        for match in re.finditer(r"mã hoá", text):
            before = text[max(0, match.start() - 14):match.start()]
            after = re.split(r"[:;.]", text[match.end():][:40])[0]  # the same clause
            quoted = text.count("“", 0, match.start()) > text.count("”", 0, match.start())
            if ENCODED.search(after) and "không phải" not in before and not quoted:
                problems.append((where, text[match.start():match.end() + 40]))
        if "giải mã" in text or ("mật mã" in text and "Cryptographic" not in where
                                  and "thuật toán mật mã" not in text and text != "Lỗi mật mã"):
            problems.append((where, "giải mã / mật mã"))
    assert not problems, problems
    assert "mã hoá (encryption)" in load("extensions")["STARTTLS"]["vi"]["long"]
    assert "chuyển mã (encoding" in load("concepts")["7bit-ascii"]["vi"]["long"]


def test_forwarding_is_not_called_relaying_in_vietnamese():
    """R14: 251/551 (RFC 5321 §3.4, forwarding) vs relaying (§3.6): two words."""
    replies = load("replies")["codes"]
    for code in ("251", "551"):
        texts = " ".join(replies[code]["vi"].values())
        assert "chuyển tiếp" not in texts.replace("chuyển tiếp (relay)", ""), code
    assert "(forward)" in replies["251"]["vi"]["short"]


RETIRED = {  # R14, R15: the second, third and fourth names of one concept
    "máy chủ gửi giữ": "máy chủ bên gửi", "máy chủ gửi xếp": "máy chủ bên gửi",
    "máy chủ gửi thư": "máy chủ thư bên gửi", "máy chủ gửi mở": "máy chủ bên gửi",
    "máy chủ gửi thực hiện": "máy chủ bên gửi", "khả năng của máy chủ gửi": "máy chủ này",
    "thư web": "thư trên web", "trình đọc thư": "phần mềm thư",
    "tác nhân người dùng (MUA) vẫn": "phần mềm thư", "reverse-path rỗng": "người gửi rỗng",
    "giao thư": "chuyển phát", "phát thư": "chuyển phát / phân phát",
    "mã mở rộng": "mã trạng thái mở rộng", "mã hoá bảo mật": "mã hoá",
}


def test_one_vietnamese_term_per_concept():
    problems = [(where, old, new) for where, text in _vietnamese()
                for old, new in RETIRED.items()
                if re.search(rf"(?<![\wà-ỹ]){re.escape(old)}", text.replace("chuyển phát thư", ""))
                and not (old == "mã mở rộng" and "mã trạng thái mở rộng" in text
                         and text.count(old) == text.count("mã trạng thái mở rộng"))]
    assert not problems, problems
    chain = load("concepts")["mail-chain"]["vi"]["long"]
    assert "“phân phát” chỉ dùng cho bước này" in chain and "tác nhân người dùng" in chain


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("topic, concept", [
    ("handshaking", "smtp-phases"), ("closure", "smtp-phases"), ("phases", "smtp-phases"),
    ("download-and-delete", "pop3-phases"), ("download-and-keep", "pop3-phases"),
    ("authorization", "pop3-phases"), ("pop3-states", "pop3-phases")])
def test_the_textbooks_phases_and_modes_are_explained(topic, concept, lang):
    """R11: SMTP's handshaking/transfer/closure, POP3's authorization/transaction/update and
    download-and-delete vs download-and-keep (Kurose & Ross §2.3; RFC 1939 §3)."""
    from smtp_tutor.knowledge.lookup import explain_topic
    found = explain_topic(topic, lang)
    assert not isinstance(found, list) and found.topic == concept, found
    text = found.short + " " + found.long
    if concept == "smtp-phases":
        words = {"en": ["handshaking", "transfer", "closure"],
                 "vi": ["bắt tay", "truyền thư", "đóng kết nối"]}[lang]
        assert all(word in text for word in words) and "QUIT" in text and "220" in text
    else:
        assert all(state in text for state in ("AUTHORIZATION", "TRANSACTION", "UPDATE"))
        assert "download-and-delete" in text and "download-and-keep" in text and "UIDL" in text


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_lesson_1_names_the_three_phases_and_the_rfc_form_of_mail_from(lang):
    """R11 (b) and R2: the first lesson says what the textbook calls its parts, and that the
    textbook's `MAIL FROM: <…>` has a space the RFC grammar does not allow (RFC 5321 §3.3)."""
    lines = [line for line in (LESSONS / "01-alice-bob.lesson").read_text().splitlines()
             if line.startswith(f"{lang}:")]
    phases = {"en": "handshaking", "vi": "bắt tay"}[lang]
    assert phases in lines[-1] and "QUIT, 221" in lines[-1]
    assert any("`MAIL FROM:<alice@crepes.fr>`" in line and "RFC 5321 §3.3" in line
               for line in lines)
    hints = [line for line in (LESSONS / "01-alice-bob.lesson").read_text().splitlines()
             if line.startswith(f"hint.{lang}: MAIL FROM")]
    assert hints and "501" in hints[0]  # the narration stays short enough for the demo


def test_what_rfc_3207_requires_after_starttls():
    """R5: the client MUST discard what it learned; it SHOULD send EHLO (RFC 3207 §4.2)."""
    commands = load("commands")
    assert "must forget" in commands["EHLO"]["en"]["long"]
    assert "should start again with EHLO" in commands["EHLO"]["en"]["long"]
    assert "phải quên" in commands["EHLO"]["vi"]["long"] and "nên bắt đầu lại bằng EHLO" in (
        commands["EHLO"]["vi"]["long"])
    assert "must send EHLO again" not in commands["STARTTLS"]["en"]["long"]


def test_sections_the_review_found_wrong_stay_right():
    """R10: the ENHANCEDSTATUSCODES rule is RFC 2034 §4; R6: Kurose & Ross is cited by the
    8th edition's §2.3 and section titles, never by a sub-section number of another edition."""
    from smtp_tutor.knowledge.store import DATA_DIR
    texts = [p.read_text() for p in LESSONS.glob("*.lesson")]
    texts += [p.read_text() for p in Path(DATA_DIR).glob("*.toml")]
    assert not any("RFC 2034 §3" in text for text in texts)
    assert not any(re.search(r"Kurose & Ross[^\"”]{0,12}(§|mục )?2\.3\.\d", text) for text in texts)


def test_references_name_the_documents_the_texts_rely_on():
    """R16, R18: explain prints only the `rfc` list under "Reference:"."""
    concepts = load("concepts")

    def cited(entry):
        return {document for document, _ in entry["rfc"]}
    assert {"RFC 3848", "RFC 4954"} <= cited(concepts["received"])
    assert "ESMTPA" in concepts["received"]["en"]["long"]
    assert "ESMTPA" in concepts["received"]["vi"]["long"]
    assert "RFC 3463" in cited(concepts["bounce"])
    assert "RFC 2183" in cited(concepts["mime-multipart"])
    assert "RFC 2047" in cited(concepts["7bit-ascii"])
    assert "RFC 4422" in cited(load("commands")["AUTH"])
    assert "RFC 4422" in cited(load("extensions")["AUTH"])


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_certificate_names_are_the_servers_and_the_cn_rule_is_rfc_6125s(lang):
    """R8: RFC 6125 §6.4.4 still allows the CN when no DNS name is listed."""
    san = say("ui", "cert_explain.san", lang)
    assert "RFC 6125 §6.4.4" in san
    assert {"en": "of this server", "vi": "của máy chủ này"}[lang] in san


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_lesson_18_says_its_select_is_imap4rev1(lang):
    """R9: RECENT and [UNSEEN] are IMAP4rev1; IMAP4rev2's SELECT does not send them."""
    text = (LESSONS / "18-imap-read.lesson").read_text()
    assert any(line.startswith(f"{lang}:") and "IMAP4rev1 (RFC 3501)" in line
               and "RECENT" in line for line in text.splitlines())
