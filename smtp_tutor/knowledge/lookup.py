"""Answers to "what does this mean?": replies in context, codes, commands, concepts, notes."""

from __future__ import annotations

import re
from functools import cache

from smtp_tutor.knowledge.catalogue import fill, has, pick, say
from smtp_tutor.knowledge.store import load, refs
from smtp_tutor.record import field, record

_ENHANCED = re.compile(r"^([245])\.(\d{1,3})\.(\d{1,3})$", re.ASCII)


@record(frozen=True)
class Explanation:
    """One topic explained: what ``explain`` prints."""

    topic: str
    kind: str  # code, enhanced, command, extension, concept
    title: str
    short: str
    long: str = ""
    next: str = ""
    refs: tuple[str, ...] = ()
    syntax: str = ""


@record(frozen=True)
class ReplyExplanation:
    """The lines shown under one reply."""

    short: str
    enhanced: str = ""
    wordings: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()
    extra: tuple[str, ...] = field(default=())


def context_name(verb: str | None) -> str:
    """The ``after.X`` key for what a reply answers: pseudo-verbs lose their brackets."""
    return (verb or "").strip("<>")


def explain_reply(code: int, enhanced: str | None, text: str, answering: str | None,
                  lang: str) -> ReplyExplanation:
    """One line for a reply in the context of the command it answers, plus details."""
    data = load("replies")
    entry = data["codes"].get(str(code))
    short = ""
    reference: list[str] = []
    if entry is not None:
        after = entry.get("after", {}).get(context_name(answering))
        short = pick(after, lang) if after else pick(entry, lang)["short"]
        reference = refs(entry)
    else:
        short = _class_fallback(code, lang)
        reference = ["RFC 5321 §4.2.1"]
    enhanced_line = _enhanced_line(enhanced, lang) if enhanced else ""
    wordings = _matching(code, text)
    for entry in wordings:  # a wording that says what this reply is, not a detail of it
        if entry.get("replaces"):
            short = pick(entry, lang)
            reference = refs(entry)
            break
    return ReplyExplanation(short, enhanced_line,
                            tuple(pick(w, lang) for w in wordings if w.get("replaces") is not True
                                  or pick(w, lang) != short),
                            tuple(reference))


def _enhanced_line(enhanced: str, lang: str) -> str:
    """The line under a reply for its enhanced code.  The registry's "other" codes
    (X.Y.0) say no more than their subject, and X.0.0 nothing at all: their titles
    ("Other undefined status") are not shown as if they said something (D22)."""
    match = _ENHANCED.match(enhanced)
    if match is None or int(match.group(3)) != 0:
        return explain_enhanced(enhanced, lang).short
    subject = load("enhanced")["subjects"].get(str(int(match.group(2))))
    if int(match.group(2)) == 0 or subject is None:
        return ""
    return say("ui", "enhanced_other", lang, code=enhanced, about=pick(subject, lang)["text"])


def _class_fallback(code: int, lang: str) -> str:
    data = load("replies")
    klass = data["classes"].get(str(code // 100))
    category = data["categories"].get(str((code // 10) % 10))
    parts = [pick(klass, lang)["short"] if klass else f"{code}"]
    if category:
        parts.append(f"({say('ui', 'category', lang)}: {pick(category, lang)})")
    return " ".join(parts)


def _wordings(code: int, text: str, lang: str) -> list[str]:
    """The known server wordings in ``text``, in ``lang``."""
    return [pick(entry, lang) for entry in _matching(code, text)]


def _matching(code: int, text: str) -> list[dict]:
    """The known server wordings in ``text`` (replies.toml ``[[wordings]]``, matched
    case-insensitively), for those whose ``codes`` admit ``code``.  One with
    ``replaces = true`` names what the reply is where the code alone misleads (Postfix's
    503 "DATA after BDAT" is not "no recipient"): it becomes the short line."""
    out = []
    folded = text.lower() if text.isascii() else None
    for codes, literals, source, entry in _wording_table():
        if codes and code not in codes:
            continue
        if literals is not None and folded is not None:
            found = any(literal in folded for literal in literals)
        else:
            found = re.search(source, text, re.IGNORECASE) is not None  # re caches it
        if found:
            out.append(entry)
    return out


# what an alternation of plain phrases may hold: each character stands for itself
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789 -,:;'/=_@!<>")


@cache
def _wording_table() -> list[tuple[frozenset[int], tuple[str, ...] | None, str, dict]]:
    """Each wording with its codes and, when its pattern is only phrases joined by ``|``,
    the phrases in lower case.  For ASCII text (what servers send) such a pattern matches
    exactly when a phrase is a substring of the lower-cased text (Unicode case folding
    pairs no two ASCII letters but case pairs), so no regular expression is compiled
    for it: compiling all of them cost 2-3 ms of a piped session; the others are compiled
    only when a reply of their codes comes."""
    table = []
    for wording in load("replies")["wordings"]:
        source = wording["match"]
        lowered = source.lower()
        literals = tuple(lowered.split("|")) if set(lowered) <= _PLAIN | {"|"} else None
        table.append((frozenset(wording.get("codes", ())), literals, source, wording))
    return table


def explain_enhanced(code: str, lang: str) -> Explanation:
    """Any syntactically valid class.subject.detail code, from the registry snapshot."""
    match = _ENHANCED.match(code)
    if match is None:
        raise KeyError(code)
    data = load("enhanced")
    klass, subject, detail = match.group(1), int(match.group(2)), int(match.group(3))
    normal = f"{klass}.{subject}.{detail}"
    class_entry = data["classes"][klass]
    subject_entry = data["subjects"].get(str(subject))
    own_entry = data["vendor"].get(normal) or data.get("usage", {}).get(normal)
    detail_entry = own_entry or data["details"].get(f"{subject}.{detail}")
    if detail_entry is not None:
        title = pick(detail_entry, lang)
        reference = refs(detail_entry)
    elif subject_entry is not None:
        title = f"{pick(subject_entry, lang)['title']}: " + say("ui", "unknown_detail", lang,
                                                                detail=str(detail))
        reference = refs(subject_entry)
    else:
        title = pick(class_entry, lang)["title"]
        reference = refs(class_entry)
    about = pick(subject_entry, lang)["text"] if subject_entry else ""
    short = f"{normal} {title} — {pick(class_entry, lang)['title'].lower()}"
    long = f"{pick(class_entry, lang)['title']}: {pick(class_entry, lang)['text']}."
    if subject_entry:
        long += f" {pick(subject_entry, lang)['title']}: {about}."
    long += f" {title}."
    only = {"transient": "4", "permanent": "5"}.get((detail_entry or {}).get("only", ""))
    if own_entry is None and only is not None and klass != only:  # RFC 3463 §3.2-3.8
        long += " " + say("ui", f"detail_only_{detail_entry['only']}", lang, klass=klass)
    return Explanation(normal, "enhanced", normal, short, long, "", tuple(reference))


def explain_note(key: str, params: dict[str, str], lang: str, *,
                 shell: bool = False) -> tuple[str, str]:
    """The text and hint of a core note or a transport message, in ``lang``; ``shell``
    adds the advice that only makes sense while typing in the shell (Tab, :headers).
    A parameter the moment did not know shows as ``-``; every one passes ``visible()``
    (``catalogue.fill``, the catalogues' one rule)."""
    messages = load("messages")
    if params.get("verb") == "" and f"{key}-unnamed" in messages:
        key = f"{key}-unnamed"  # the command is not named: a wording that needs no name
    entry = messages.get(key)
    if entry is None:
        return key, ""
    words = pick(entry, lang)
    hint = words["hint"]
    if shell and words.get("shell"):
        hint = f"{hint} {words['shell']}".strip()
    where = f"messages.toml {key} [{lang}]"
    return (fill(words["text"], params, where=where, missing="-"),
            fill(hint, params, where=where, missing="-"))


def describe_extension(keyword: str, lang: str) -> str | None:
    """The one-line meaning of an EHLO keyword, or None when unknown."""
    entry = load("extensions").get(keyword.upper())
    return pick(entry, lang)["short"] if entry else None


def explain_topic(topic: str, lang: str) -> Explanation | list[str]:
    """A topic explained, or a list of close topic names when nothing matches.

    Codes are checked, not guessed at: 999 or 4.9.9 is refused (with close real ones),
    because a made-up explanation of a made-up code teaches something false.
    """
    key = topic.strip()
    upper = key.upper()
    if re.fullmatch(r"[0-9]{3}", key):
        if key in load("replies")["codes"]:
            return _explain_code(int(key), lang)
        if key in _concept_by_name():  # 587, 465, 25: ports, not reply codes
            return _explain_concept(key, lang)
        return _close_codes(key)
    if _ENHANCED_SHAPE.match(key):
        return explain_enhanced(key, lang) if is_enhanced_code(key) else _close_enhanced(key)
    detail = _DETAIL.match(key)
    if detail and f"{int(detail.group(1))}.{int(detail.group(2))}" in load("enhanced")["details"]:
        return _explain_detail(int(detail.group(1)), int(detail.group(2)), lang)
    commands = load("commands")
    if upper in commands:
        return _explain_command(upper, commands[upper], lang)
    if upper.rstrip(":").split(" ")[0] in commands and " " in upper:
        verb = upper.split(" ")[0]
        return _explain_command(verb, commands[verb], lang)
    extensions = load("extensions")
    if upper in extensions:
        entry = extensions[upper]
        return Explanation(upper, "extension", upper, pick(entry, lang)["short"], pick(entry, lang)["long"],
                           "", tuple(refs(entry)))
    if key.lower() in _concept_by_name():
        return _explain_concept(key.lower(), lang)
    pop3 = explain_pop3(key, lang)
    if pop3 is not None:
        return pop3
    imap = explain_imap(key, lang)
    if imap is not None:
        return imap
    return suggest(key)


def _explain_concept(alias: str, lang: str) -> Explanation:
    name, entry = _concept_by_name()[alias]
    text = pick(entry, lang)
    return Explanation(name, "concept", text["title"], text["short"], text["long"],
                       text["next"], tuple(refs(entry)))


def explain_pop3(topic: str, lang: str) -> Explanation | None:
    """A POP3 command (RETR, pop3-quit) or reply (+OK, -ERR), or None."""
    key = topic.strip().upper()
    for prefix in ("POP3-", "POP3 "):
        key = key.removeprefix(prefix)
    data = load("pop3")
    entry = data["commands"].get(key) or data["replies"].get(key)
    if entry is None:
        return None
    text = pick(entry, lang)
    kind = "command" if key in data["commands"] else "code"
    return Explanation(key, kind, text["title"], text["short"], text["long"], text["next"],
                       tuple(refs(entry)), entry.get(f"syntax_{lang}", entry.get("syntax", "")))


def explain_imap(topic: str, lang: str) -> Explanation | None:
    """An IMAP command (FETCH, imap-noop), response (NO, EXISTS, +) or response code
    (UIDVALIDITY, [TRYCREATE]), or None."""
    key = topic.strip().upper().strip("[]")
    for prefix in ("IMAP-", "IMAP "):
        key = key.removeprefix(prefix)
    data = load("imap")
    for kind, table in (("command", "commands"), ("code", "responses"), ("code", "codes")):
        for name in (key, f"{key}-RESPONSE", f"{key}-CODE"):
            entry = data[table].get(name)
            if entry is not None:
                text = pick(entry, lang)
                return Explanation(name, kind, text["title"], text["short"], text["long"],
                                   text["next"], tuple(refs(entry)),
                                   entry.get(f"syntax_{lang}", entry.get("syntax", "")))
    return None


_ENHANCED_SHAPE = re.compile(r"^\d\.\d{1,3}\.\d{1,3}$", re.ASCII)
_DETAIL = re.compile(r"^[xX]\.(\d{1,3})\.(\d{1,3})$", re.ASCII)


def is_enhanced_code(code: str) -> bool:
    """Class 2, 4 or 5 and a subject RFC 3463 defines (an unknown detail is still a code)."""
    match = _ENHANCED.match(code.strip())
    return match is not None and str(int(match.group(2))) in load("enhanced")["subjects"]


def unknown_message(topic: str, lang: str) -> str:
    """Why ``explain`` found nothing: a code that does not exist says so, and why."""
    key = topic.strip()
    if re.fullmatch(r"\d{3}", key):
        klass, category = key[0], key[1]
        if klass in "2345" and category in "012345":
            meaning = pick(load("replies")["classes"][klass], lang)["short"]
            return say("ui", "code_unlisted", lang, topic=key, meaning=meaning)
        return say("ui", "code_invalid", lang, topic=key)
    if _ENHANCED_SHAPE.match(key):
        return say("ui", "enhanced_invalid", lang, topic=key)
    return say("ui", "no_topic", lang, topic=topic)


def _close_codes(code: str, limit: int = 3) -> list[str]:
    """Known reply codes nearest to a wrong one: same digits in place first, then by value.
    For a number that cannot be a code (600, 999) only codes that end the same (500):
    "556, 555, 554" for 999 would mean nothing (D25)."""
    known = sorted(load("replies")["codes"], key=int)
    if code[0] not in "2345" or code[1] not in "012345":
        return [other for other in known if other[1:] == code[1:]][:limit]

    def distance(other: str) -> tuple[int, int]:
        return (sum(a != b for a, b in zip(code, other, strict=True)), abs(int(other) - int(code)))

    return sorted(known, key=distance)[:limit]


def _close_enhanced(code: str, limit: int = 3) -> list[str]:
    """Real enhanced codes like a wrong one: its class (or 5) and detail, a known subject."""
    klass, _, detail = code.split(".")
    klass = klass if klass in "245" else "5"
    details = load("enhanced")["details"]
    same_detail = [key for key in details if key.split(".")[1] == str(int(detail))]
    chosen = sorted(same_detail, key=_numeric)[:limit] or ["1.1", "2.2", "7.1"]
    return [f"{klass}.{key}" for key in chosen]


def _numeric(dotted: str) -> tuple[int, ...]:
    return tuple(int(part) for part in dotted.split(".") if part.isdigit())


def _explain_detail(subject: int, detail: int, lang: str) -> Explanation:
    """``X.1.1``: the detail in every class it can come with (2.1.1, 4.1.1, 5.1.1)."""
    data = load("enhanced")
    name = f"X.{subject}.{detail}"
    entry = data["details"][f"{subject}.{detail}"]
    subject_entry = data["subjects"].get(str(subject))
    long = ""
    if subject_entry:
        long = f"{pick(subject_entry, lang)['title']}: {pick(subject_entry, lang)['text']}.\n"
    long += "\n".join(f"  {klass}.{subject}.{detail}: {pick(data['classes'][klass], lang)['title']}"
                      f" — {pick(data['classes'][klass], lang)['text']}" for klass in sorted(data["classes"]))
    return Explanation(name, "enhanced", name, f"{name} {pick(entry, lang)}", long, "",
                       tuple(refs(entry)))


def _explain_code(code: int, lang: str) -> Explanation:
    entry = load("replies")["codes"].get(str(code))
    if entry is None:
        return Explanation(str(code), "code", str(code), _class_fallback(code, lang),
                           refs=("RFC 5321 §4.2.1",))
    text = pick(entry, lang)
    contexts = entry.get("after", {})
    long = text["long"]
    if contexts:
        long += "\n" + "\n".join(f"  {_context_label(name, lang)}: {pick(value, lang)}"
                                 for name, value in contexts.items())
    return Explanation(str(code), "code", f"{code}", text["short"], long, text["next"],
                       tuple(refs(entry)))


def _context_label(name: str, lang: str) -> str:
    """What an ``after`` context is called: a verb stays itself; a moment of the dialogue that
    is not a command (the greeting, the end of data) has a name in each language."""
    key = "after_" + name.replace("-", "_")
    return say("ui", key, lang) if has("ui", key) else name


def _explain_command(verb: str, entry: dict, lang: str) -> Explanation:
    text = pick(entry, lang)
    return Explanation(verb, "command", verb, text["short"], text["long"], text["next"],
                       tuple(refs(entry)), entry.get("syntax", ""))


@cache
def _concept_by_name() -> dict[str, tuple[str, dict]]:
    names: dict[str, tuple[str, dict]] = {}
    for name, entry in load("concepts").items():
        names[name] = (name, entry)
        for alias in entry.get("aliases", []):
            names[alias] = (name, entry)
    return names


def topics() -> dict[str, list[str]]:
    """Every topic ``explain`` knows, by kind."""
    return {
        "codes": sorted(load("replies")["codes"], key=int),
        "enhanced": [f"X.{d}" for d in sorted(load("enhanced")["details"], key=_numeric)],
        "commands": sorted(load("commands")),
        "extensions": sorted(load("extensions")),
        "concepts": sorted(load("concepts")),
        "pop3": sorted(load("pop3")["commands"]) + sorted(load("pop3")["replies"]),
        "imap": [f"imap-{name.lower()}" if name in _SHARED else name
                 for table in ("commands", "responses", "codes")
                 for name in sorted(load("imap")[table])],
    }


_SHARED = frozenset({"NOOP", "STARTTLS", "CAPABILITY", "LOGIN", "LIST"})  # SMTP or POP3 has them too


def suggest(topic: str, limit: int = 3) -> list[str]:
    """Topics close to a misspelt one ("did you mean")."""
    import difflib

    names = list(load("commands")) + list(load("extensions")) + list(_concept_by_name())
    names += list(load("replies")["codes"])
    by_lower = {n.lower(): n for n in names}
    close = difflib.get_close_matches(topic.lower(), list(by_lower), n=limit, cutoff=0.6)
    return [by_lower[c] for c in close]
