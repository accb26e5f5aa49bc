"""A teaching IMAP server's dialogue without I/O: bytes in, what to do out.

``ImapServerSession.receive(data)`` returns actions for the driver, in order: ``Send``
(bytes to write), ``Pause`` (slow a password guesser down), ``StartTls`` (upgrade the
transport now; whatever was buffered was dropped, RFC 9051 §11.1) and ``Close``.  With
``ask_login`` the session does not judge a password itself: LOGIN ends the actions with
``CheckLogin`` and the session waits (later bytes are kept, unread) until the driver
calls ``login_answer`` with the account or None (a class's hashed passwords are checked
off the event loop, and by the client's address).

States (RFC 9051 §3): not authenticated → (STARTTLS, LOGIN) → authenticated → (SELECT,
EXAMINE) → selected → (CLOSE, UNSELECT) → authenticated; LOGOUT from any.  LOGIN only
after STARTTLS (``LOGINDISABLED`` is advertised before it).  Commands outside the
teaching subset get ``BAD``, saying so.  Messages live behind ``mailbox.Account``.

IMAP4rev1 and IMAP4rev2 are both advertised (Python's imaplib refuses a server without
IMAP4rev1).  A session is IMAP4rev1 until the client sends ``ENABLE IMAP4rev2`` (RFC 9051
§6.3.1): until then it gets what RFC 3501 promises, the ``* n RECENT`` response and the
``\\Recent`` flag (RFC 3501 §2.3.2, §7.3.2); after it, neither: RFC 9051 deprecated both
(Appendix E, item 12) and its grammar keeps them only as ``obsolete-flag-recent`` and
``obsolete-recent-response``, which "can only be returned by servers that support both".
An IMAP4rev2 session's SELECT also drops ``[UNSEEN n]`` (deprecated, item 11) and adds the
untagged LIST of the mailbox (§6.3.2, item 10).  NAMESPACE (RFC 9051 §6.3.10) names one
personal namespace, prefix "" and delimiter "/".  AUTHENTICATE PLAIN (§6.2.2, RFC 4616), which
RFC 9051 §6.1.1 requires of every server, is taken after STARTTLS, with the initial response
on the command line (SASL-IR) or after the server's "+"; its password is checked as LOGIN's.
"""

from __future__ import annotations

from collections.abc import Callable

from smtp_tutor.protocol.imap import fetch as fetching
from smtp_tutor.protocol.imap.mailbox import SYSTEM_FLAGS, Account, Accounts, Mailbox, Message
from smtp_tutor.protocol.imap.search import BadSearch, Candidate, compile_keys
from smtp_tutor.protocol.imap.sequence import parse_set, pick
from smtp_tutor.protocol.imap.syntax import Framer, SyntaxProblem, Value, parse, quote
from smtp_tutor.record import field, record

NOT_AUTHENTICATED, AUTHENTICATED, SELECTED, LOGOUT = (
    "not authenticated", "authenticated", "selected", "logout")
MAX_LINE = 8192  # octets of one command line (RFC 7162 §4 recommends at least 8192)
MAX_LITERAL = 1024 * 1024  # octets of one literal from a client
SUPPORTED = {
    "CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "LOGIN", "SELECT", "EXAMINE", "LIST",
    "STATUS", "CHECK", "CLOSE", "UNSELECT", "EXPUNGE", "SEARCH", "FETCH", "STORE", "UID",
    "ENABLE", "NAMESPACE", "AUTHENTICATE"}
KNOWN_ELSEWHERE = {
    "CREATE", "DELETE", "RENAME", "SUBSCRIBE", "UNSUBSCRIBE",
    "LSUB", "APPEND", "IDLE", "COPY", "MOVE", "ID", "GETQUOTAROOT", "XLIST"}
ANY_STATE = {"CAPABILITY", "NOOP", "LOGOUT"}
NEEDS = {"STARTTLS": NOT_AUTHENTICATED, "LOGIN": NOT_AUTHENTICATED,
         "AUTHENTICATE": NOT_AUTHENTICATED,
         "SELECT": AUTHENTICATED, "EXAMINE": AUTHENTICATED, "LIST": AUTHENTICATED,
         "STATUS": AUTHENTICATED, "CHECK": SELECTED, "CLOSE": SELECTED, "UNSELECT": SELECTED,
         "EXPUNGE": SELECTED, "SEARCH": SELECTED, "FETCH": SELECTED, "STORE": SELECTED,
         "UID": SELECTED, "ENABLE": AUTHENTICATED, "NAMESPACE": AUTHENTICATED}
_LOGIN_FAILED = "[AUTHENTICATIONFAILED] invalid user name or password"
ENABLEABLE = ("IMAP4rev2",)  # what ENABLE can switch on here (RFC 9051 §6.3.1)
RECENT = "\\Recent"  # a session flag: never stored, never STOREd (RFC 3501 §2.3.2)
STATUS_ITEMS = ("MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "RECENT", "SIZE", "DELETED")
# RFC 9051 §9 (formal syntax): these take nothing after the command name, so "NOOP junk"
# is a BAD
NO_ARGUMENTS = frozenset({"CAPABILITY", "NOOP", "CHECK", "LOGOUT", "STARTTLS", "CLOSE",
                          "UNSELECT", "EXPUNGE", "NAMESPACE"})


@record(frozen=True)
class Send:
    data: bytes


@record(frozen=True)
class Pause:
    seconds: float


@record(frozen=True)
class StartTls:
    dropped: int  # octets sent in clear behind STARTTLS, dropped unread


@record(frozen=True)
class Close:
    pass


@record(frozen=True)
class LoggedIn:
    """For the console: who logged in (never the password)."""

    user: str


@record(frozen=True)
class CheckLogin:
    """For the driver (``ask_login``): is ``password`` the user's?  Answer with
    ``login_answer``; never shown or logged."""

    user: str
    password: str


@record(frozen=True)
class Fetched:
    """For the console: a whole message went to the client (``BODY[]``, not PEEK)."""

    user: str
    number: int  # its message sequence number
    octets: int


Action = Send | Pause | StartTls | Close | LoggedIn | CheckLogin | Fetched


class _Asking(Exception):
    """LOGIN handed the password to the driver: no tagged reply yet."""


class _Bad(Exception):
    """A tagged reply that ends the command early: ``raise _Bad("NO", "[CODE] text")``."""

    def __init__(self, status: str, text: str) -> None:
        super().__init__(text)
        self.status, self.text = status, text


@record
class _View:
    """The selected mailbox as this session has told the client about it."""

    mailbox: Mailbox
    readonly: bool
    uids: list[int] = field(default_factory=list)  # sequence number - 1 → UID
    flags: dict[int, frozenset[str]] = field(default_factory=dict)
    messages: dict[int, Message] = field(default_factory=dict)
    recent: set[int] = field(default_factory=set)  # UIDs this session was first told of


class ImapServerSession:
    def __init__(self, accounts: Accounts, hostname: str, *, tls: bool = False,
                 tls_available: bool = True, max_line: int = MAX_LINE,
                 max_literal: int = MAX_LITERAL, ask_login: bool = False) -> None:
        self.accounts, self.hostname = accounts, hostname
        self.ask_login = ask_login
        self._asking = ""  # the tag of the LOGIN whose answer the driver owes
        self.tls, self.tls_available = tls, tls_available
        self.state = NOT_AUTHENTICATED
        self.framer = Framer(max_line=max_line, max_literal=max_literal)
        self.account: Account | None = None
        self.view: _View | None = None
        self._continued: object | None = None  # the literal "+" was sent for
        self.closed = False
        self.enabled: set[str] = set()  # what ENABLE switched on (IMAP4rev2)
        self._sasl: str | None = None  # the tag of an AUTHENTICATE waiting for its answer

    # -- the wire --------------------------------------------------------------

    def greeting(self) -> bytes:
        return _line(f"* OK [CAPABILITY {self.capabilities()}] {self.hostname} "
                     "IMAP practice server ready")

    def capabilities(self) -> str:
        words = ["IMAP4rev1", "IMAP4rev2"]
        if not self.tls and self.tls_available:
            words.append("STARTTLS")
        if not self.tls:
            words.append("LOGINDISABLED")
        elif self.state == NOT_AUTHENTICATED:
            words += ["AUTH=PLAIN", "SASL-IR"]
        return " ".join(words + ["ENABLE", "NAMESPACE", "UNSELECT"])

    @property
    def rev2(self) -> bool:
        """The client sent ENABLE IMAP4rev2: no RECENT response, no \\Recent flag."""
        return "IMAP4rev2" in self.enabled

    def receive(self, data: bytes) -> list[Action]:
        actions: list[Action] = []
        if self.closed:
            return actions
        self.framer.feed(data)
        while not self.closed and not self._asking:
            try:
                line = self.framer.next_line()
            except SyntaxProblem as problem:
                actions += self._framing_problem(str(problem))
                continue
            if line is None:
                literal = self.framer.pending_literal
                if literal is not None and literal.synchronizing and \
                        self._continued is not literal:
                    refusal = self._refuse_early(self.framer.started)
                    if refusal:
                        self.framer.drop_command()
                        actions.append(Send(refusal))
                        continue
                    self._continued = literal
                    actions.append(Send(b"+ Ready for literal data\r\n"))
                return actions
            self._continued = None
            if self._sasl is not None:
                actions += self._sasl_answer(line)
                continue
            actions += self.command(line)
            if any(isinstance(a, StartTls) for a in actions):
                return actions
        return actions

    def login_answer(self, account: Account | None) -> list[Action]:
        """The driver's answer to ``CheckLogin``; then the commands that came meanwhile."""
        tag, self._asking = self._asking, ""
        if not tag:
            return []
        actions: list[Action] = []
        if account is None:
            actions += [Pause(0.5), Send(_line(f"{tag} NO {_LOGIN_FAILED}"))]
        else:
            actions += self._logged_in(account)
            actions.append(Send(_line(f"{tag} OK [CAPABILITY {self.capabilities()}] "
                                      "logged in")))
        return actions + self.receive(b"")

    def _refuse_early(self, first: bytes) -> bytes:
        """A command this server will refuse anyway gets its BAD before "+": its literal
        is never sent (RFC 9051 §7: a server may refuse a literal instead of "+")."""
        words = first.split(b" ", 2)
        name = words[1].decode("ascii", "replace").upper() if len(words) > 1 else ""
        if len(words) > 2 and name in SUPPORTED and _valid_tag(words[0]):
            return b""
        tag = _tag_of(first)
        return _line(f"{tag} BAD {name[:30]} is not in this teaching server" if name
                     in KNOWN_ELSEWHERE else f"{tag} BAD not a command of this server")

    def _framing_problem(self, problem: str) -> list[Action]:
        if problem == "literal too big" and self.framer.pending_literal is not None \
                and self.framer.pending_literal.synchronizing:
            tag = _tag_of(self.framer.refused)
            refusal = self._refuse_early(self.framer.refused)
            self.framer.drop_command()
            return [Send(refusal or _line(f"{tag} NO [TOOBIG] a literal of at most "
                                          f"{self.framer.max_literal} octets here"))]
        self.closed = True
        self.state = LOGOUT
        reason = ("line too long" if problem == "line too long" else "literal too big")
        return [Send(_line(f"* BYE {reason}: at most {self.framer.max_line} octets a line, "
                           f"{self.framer.max_literal} a literal")), Close()]

    # -- one command -----------------------------------------------------------

    def command(self, line: bytes) -> list[Action]:
        tag_word, _, rest = line.partition(b" ")
        tag = tag_word.decode("ascii", "replace")
        if not tag or not _valid_tag(tag_word):
            return [Send(_line("* BAD a command starts with a tag (a1, a2 …), then its name"))]
        name_word, _, arguments = rest.partition(b" ")
        name = name_word.decode("ascii", "replace").upper()
        if not name:
            return [Send(_line(f"{tag} BAD a command name is missing after the tag"))]
        try:
            values = parse(arguments)
        except SyntaxProblem as problem:
            return [Send(_line(f"{tag} BAD {problem}"))]
        if name not in SUPPORTED:
            why = ("is not in this teaching server" if name in KNOWN_ELSEWHERE
                   else "is not an IMAP command")
            return [Send(_line(f"{tag} BAD {name[:30]} {why}"))]
        if values and name in NO_ARGUMENTS:
            return [Send(_line(f"{tag} BAD {name} takes no arguments"))]
        needed = NEEDS.get(name)
        if name not in ANY_STATE and needed is not None and not self._state_allows(needed):
            return [Send(_line(f"{tag} BAD {name} {_wrong_state(needed, self.state)}"))]
        actions: list[Action] = []
        try:
            status, text = getattr(self, f"_do_{name.lower()}")(tag, values, actions)
        except _Bad as bad:
            status, text = bad.status, bad.text
        except _Asking:
            return actions
        if self._sasl is not None:  # "+" was sent: the next line is the answer, not a command
            return actions
        if self.view is not None and name not in ("LOGOUT", "CLOSE", "UNSELECT"):
            allow_expunge = name not in ("FETCH", "STORE", "SEARCH")
            actions += self._updates(allow_expunge)
        actions.append(Send(_line(f"{tag} {status} {text}")))
        if name == "STARTTLS" and status == "OK":
            actions.append(StartTls(self.framer.clear()))
            self.tls = True
        if name == "LOGOUT":
            actions.append(Close())
            self.closed = True
        return actions

    def _state_allows(self, needed: str) -> bool:
        if needed == AUTHENTICATED:
            return self.state in (AUTHENTICATED, SELECTED)
        return self.state == needed

    # -- any state ---------------------------------------------------------------

    def _do_capability(self, tag: str, values: list[Value], actions: list[Action]):
        actions.append(Send(_line(f"* CAPABILITY {self.capabilities()}")))
        return "OK", "CAPABILITY completed"

    def _do_noop(self, tag: str, values: list[Value], actions: list[Action]):
        return "OK", "NOOP completed"

    def _do_check(self, tag: str, values: list[Value], actions: list[Action]):
        return "OK", "CHECK completed"

    def _do_logout(self, tag: str, values: list[Value], actions: list[Action]):
        self.state = LOGOUT
        self.view = None
        actions.append(Send(_line(f"* BYE {self.hostname} IMAP server logging out")))
        return "OK", "LOGOUT completed"

    # -- not authenticated -----------------------------------------------------------

    def _do_starttls(self, tag: str, values: list[Value], actions: list[Action]):
        if self.tls:
            raise _Bad("BAD", "TLS is active already")
        if not self.tls_available:
            raise _Bad("NO", "no certificate here: STARTTLS is not offered")
        return "OK", "Begin TLS negotiation now"

    def _do_login(self, tag: str, values: list[Value], actions: list[Action]):
        if len(values) != 2 or not all(isinstance(v, bytes) for v in values):
            raise _Bad("BAD", "LOGIN takes a user name and a password: LOGIN bob pickles")
        if not self.tls:
            raise _Bad("NO", "[PRIVACYREQUIRED] LOGIN only after STARTTLS: "
                       "the password would travel in clear")
        first, second = values
        assert isinstance(first, bytes) and isinstance(second, bytes)  # checked above
        user = first.decode("utf-8", "replace")
        password = second.decode("utf-8", "replace")
        return self._check_login(tag, user, password, actions)

    def _check_login(self, tag: str, user: str, password: str,
                     actions: list[Action]) -> tuple[str, str]:
        """LOGIN's and AUTHENTICATE PLAIN's one check: asked of the driver (the class
        server hashes off the event loop) or of the accounts here."""
        if self.ask_login:
            self._asking = tag
            actions.append(CheckLogin(user, password))
            raise _Asking
        account = self.accounts.login(user, password)
        if account is None:
            actions.append(Pause(0.5))
            raise _Bad("NO", _LOGIN_FAILED)
        actions += self._logged_in(account)
        return "OK", f"[CAPABILITY {self.capabilities()}] logged in"

    def _do_authenticate(self, tag: str, values: list[Value], actions: list[Action]):
        """RFC 9051 §6.2.2 with PLAIN (RFC 4616): base64 of ``authzid NUL user NUL
        password``, on the command line or after "+"; "*" cancels."""
        if not values or len(values) > 2 or not all(isinstance(v, bytes) for v in values):
            raise _Bad("BAD", "AUTHENTICATE takes a mechanism: AUTHENTICATE PLAIN")
        mechanism = values[0]
        assert isinstance(mechanism, bytes)  # checked above
        if mechanism.upper() != b"PLAIN":
            raise _Bad("NO", "only AUTHENTICATE PLAIN here (or LOGIN)")
        if not self.tls:
            raise _Bad("NO", "[PRIVACYREQUIRED] AUTHENTICATE only after STARTTLS: "
                       "the password would travel in clear")
        if len(values) == 1:
            self._sasl = tag
            actions.append(Send(b"+ \r\n"))
            return "", ""
        answer = values[1]
        assert isinstance(answer, bytes)  # checked above
        return self._plain(tag, b"" if answer == b"=" else answer, actions)

    def _sasl_answer(self, line: bytes) -> list[Action]:
        tag, self._sasl = self._sasl, None
        assert tag is not None
        actions: list[Action] = []
        if line.strip() == b"*":
            status, text = "BAD", "AUTHENTICATE cancelled by the client"
        else:
            try:
                status, text = self._plain(tag, line.strip(), actions)
            except _Bad as bad:
                status, text = bad.status, bad.text
            except _Asking:
                return actions
        actions.append(Send(_line(f"{tag} {status} {text}")))
        return actions

    def _plain(self, tag: str, encoded: bytes, actions: list[Action]) -> tuple[str, str]:
        import base64
        import binascii

        try:
            message = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as error:
            raise _Bad("BAD", "the answer is not base64") from error
        parts = message.split(b"\0")
        if len(parts) != 3:
            raise _Bad("BAD", "PLAIN is base64 of: authorization NUL user NUL password")
        authzid, user, password = (part.decode("utf-8", "replace") for part in parts)
        if authzid not in ("", user):
            actions.append(Pause(0.5))
            raise _Bad("NO", _LOGIN_FAILED)
        return self._check_login(tag, user, password, actions)

    def _logged_in(self, account: Account) -> list[Action]:
        self.account, self.state = account, AUTHENTICATED
        return [LoggedIn(account.user)]

    # -- authenticated ------------------------------------------------------------

    def _mailbox(self, value: Value) -> Mailbox:
        if not isinstance(value, bytes):
            raise _Bad("BAD", "a mailbox name was expected, e.g. INBOX")
        assert self.account is not None
        mailbox = self.account.mailbox(value.decode("utf-8", "replace"))
        if mailbox is None:
            raise _Bad("NO", "[NONEXISTENT] no such mailbox (LIST \"\" \"*\" shows them)")
        return mailbox

    def _do_select(self, tag: str, values: list[Value], actions: list[Action],
                   readonly: bool = False):
        if len(values) != 1:
            raise _Bad("BAD", "SELECT takes one mailbox name: SELECT INBOX")
        self.view, self.state = None, AUTHENTICATED  # RFC 9051 §6.3.2: even if it fails
        mailbox = self._mailbox(values[0])
        messages = mailbox.messages()
        view = _View(mailbox, readonly, [m.uid for m in messages],
                     {m.uid: m.flags for m in messages}, {m.uid: m for m in messages},
                     {m.uid for m in messages if m.recent})
        if not readonly:  # this session is the first told: others will not see \Recent
            mailbox.claim_recent()
        flags = " ".join(SYSTEM_FLAGS)
        unseen = [n for n, m in enumerate(messages, 1) if "\\Seen" not in m.flags]
        lines = [f"* {len(messages)} EXISTS"]
        if not self.rev2:
            lines.append(f"* {len(view.recent)} RECENT")
        lines += [f"* FLAGS ({flags})",
                 f"* OK [PERMANENTFLAGS ({'' if readonly else flags})] "
                 + ("read-only" if readonly else "flags stored in the Maildir file names"),
                 f"* OK [UIDVALIDITY {mailbox.uidvalidity}] UIDs valid",
                 f"* OK [UIDNEXT {mailbox.uidnext()}] predicted next UID"]
        if unseen and not self.rev2:  # deprecated by RFC 9051 (Appendix E, item 11)
            lines.append(f"* OK [UNSEEN {unseen[0]}] first unseen message")
        actions += [Send(_line(text)) for text in lines]
        if self.rev2:  # RFC 9051 §6.3.2: SELECT and EXAMINE answer a LIST of the mailbox too
            actions.append(Send(b'* LIST (\\HasNoChildren) "/" ' + quote(mailbox.name) + b"\r\n"))
        self.view, self.state = view, SELECTED
        mode = "READ-ONLY" if readonly else "READ-WRITE"
        return "OK", f"[{mode}] {'EXAMINE' if readonly else 'SELECT'} completed"

    def _do_examine(self, tag: str, values: list[Value], actions: list[Action]):
        return self._do_select(tag, values, actions, readonly=True)

    def _do_list(self, tag: str, values: list[Value], actions: list[Action]):
        if len(values) != 2 or not all(isinstance(v, bytes) for v in values):
            raise _Bad("BAD", 'LIST takes a reference and a pattern: LIST "" "*"')
        assert self.account is not None
        wanted = values[1]
        assert isinstance(wanted, bytes)  # checked above
        pattern = wanted.decode("utf-8", "replace")
        if pattern == "":
            actions.append(Send(_line('* LIST (\\Noselect) "/" ""')))
            return "OK", "LIST completed (the hierarchy delimiter)"
        for name in self.account.folders():
            if _matches(pattern, name):
                actions.append(Send(b'* LIST (\\HasNoChildren) "/" ' + quote(name) + b"\r\n"))
        return "OK", "LIST completed"

    def _do_status(self, tag: str, values: list[Value], actions: list[Action]):
        if len(values) != 2 or not isinstance(values[1], list) or not values[1]:
            raise _Bad("BAD", "STATUS takes a mailbox and a list: STATUS INBOX (MESSAGES UNSEEN)")
        mailbox = self._mailbox(values[0])
        messages = mailbox.messages()
        found = {"MESSAGES": len(messages), "UIDNEXT": mailbox.uidnext(),
                 "UIDVALIDITY": mailbox.uidvalidity,
                 "UNSEEN": sum("\\Seen" not in m.flags for m in messages),
                 "RECENT": sum(m.recent for m in messages),
                 "SIZE": sum(m.size for m in messages),
                 "DELETED": sum("\\Deleted" in m.flags for m in messages)}
        out = []
        for item in values[1]:
            word = item.decode("ascii", "replace").upper() if isinstance(item, bytes) else ""
            if word not in found or (word == "RECENT" and self.rev2):
                items = [i for i in STATUS_ITEMS if not (i == "RECENT" and self.rev2)]
                raise _Bad("BAD", f"STATUS items: {' '.join(items)}")
            out.append(f"{word} {found[word]}")
        actions.append(Send(b"* STATUS " + quote(mailbox.name) + b" ("
                            + " ".join(out).encode() + b")\r\n"))
        return "OK", "STATUS completed"

    def _do_enable(self, tag: str, values: list[Value], actions: list[Action]):
        """RFC 9051 §6.3.1 (RFC 5161): only in the authenticated state; names it does not
        know are ignored, and ``* ENABLED`` lists what this command switched on."""
        if self.state != AUTHENTICATED:
            raise _Bad("BAD", "ENABLE only in the authenticated state: before SELECT, "
                       "or after CLOSE or UNSELECT")
        if not values or not all(isinstance(v, bytes) for v in values):
            raise _Bad("BAD", "ENABLE takes capability names: ENABLE IMAP4rev2")
        now = []
        for value in values:
            assert isinstance(value, bytes)  # checked above
            word = value.decode("ascii", "replace")
            known = next((c for c in ENABLEABLE if c.upper() == word.upper()), None)
            if known is not None and known not in self.enabled:
                self.enabled.add(known)
                now.append(known)
        actions.append(Send(_line(" ".join(["* ENABLED", *now]))))
        return "OK", "ENABLE completed"

    def _do_namespace(self, tag: str, values: list[Value], actions: list[Action]):
        """RFC 9051 §6.3.10: Bob's own folders have no prefix and "/" between levels;
        there are no other users' folders and no shared ones (NIL, NIL)."""
        if values:
            raise _Bad("BAD", "NAMESPACE takes no arguments")
        actions.append(Send(_line('* NAMESPACE (("" "/")) NIL NIL')))
        return "OK", "NAMESPACE completed"

    # -- selected -------------------------------------------------------------------

    def _do_close(self, tag: str, values: list[Value], actions: list[Action]):
        view = self.view
        assert view is not None
        if not view.readonly:  # expunged silently (RFC 9051 §6.4.1)
            for uid in list(view.uids):
                message = view.messages.get(uid)
                if message is not None and "\\Deleted" in view.flags.get(uid, frozenset()):
                    view.mailbox.expunge(uid)
        self.view, self.state = None, AUTHENTICATED
        return "OK", "CLOSE completed, back in the authenticated state"

    def _do_unselect(self, tag: str, values: list[Value], actions: list[Action]):
        self.view, self.state = None, AUTHENTICATED
        return "OK", "UNSELECT completed (nothing expunged)"

    def _do_expunge(self, tag: str, values: list[Value], actions: list[Action]):
        view = self.view
        assert view is not None
        if view.readonly:
            raise _Bad("NO", "[READ-ONLY] the mailbox was opened with EXAMINE")
        actions += self._updates(True)
        for uid in [u for u in view.uids if "\\Deleted" in view.flags.get(u, frozenset())]:
            view.mailbox.expunge(uid)
            actions += self._forget(uid)
        return "OK", "EXPUNGE completed"

    def _do_uid(self, tag: str, values: list[Value], actions: list[Action]):
        if not values or not isinstance(values[0], bytes):
            raise _Bad("BAD", "UID goes before FETCH, STORE or SEARCH: UID FETCH 1:* FLAGS")
        word = values[0].decode("ascii", "replace").upper()
        if word not in ("FETCH", "STORE", "SEARCH"):
            raise _Bad("BAD", f"UID {word[:20]}: only UID FETCH, UID STORE, UID SEARCH here")
        return getattr(self, f"_do_{word.lower()}")(tag, values[1:], actions, by_uid=True)

    def _chosen(self, text: Value, by_uid: bool) -> list[int]:
        """The UIDs a sequence set (or, with ``by_uid``, a UID set) names."""
        view = self.view
        assert view is not None
        if not isinstance(text, bytes):
            raise _Bad("BAD", "a sequence set was expected: 1, 2:4, 1:*")
        raw = text.decode("ascii", "replace")
        if by_uid:
            ranges = parse_set(raw, view.uids[-1] if view.uids else 0)
            if ranges is None:
                raise _Bad("BAD", f"{raw[:30]} is not a set of UIDs (1, 2:4, 1:*)")
            chosen = pick(ranges, view.uids)
            if not chosen and view.uids and any(h == view.uids[-1] for _, h in ranges):
                chosen = [view.uids[-1]]  # RFC 9051 §6.4.9: n:* names the last UID too
            return chosen
        ranges = parse_set(raw, len(view.uids))
        if ranges is None:
            raise _Bad("BAD", f"{raw[:30]} is not a sequence set (1, 2:4, 1:*)")
        if any(high > len(view.uids) for _, high in ranges):
            raise _Bad("BAD", f"no message {raw[:30]}: the mailbox has {len(view.uids)}")
        return [view.uids[n - 1] for n in pick(ranges, list(range(1, len(view.uids) + 1)))]

    def _do_fetch(self, tag: str, values: list[Value], actions: list[Action],
                  by_uid: bool = False):
        view = self.view
        assert view is not None
        if len(values) < 2:
            raise _Bad("BAD", "FETCH takes a set and items: FETCH 1 (FLAGS BODY.PEEK[HEADER])")
        chosen = self._chosen(values[0], by_uid)
        try:
            wanted = fetching.items(values[1:], by_uid)
        except fetching.Unsupported as error:
            raise _Bad("BAD", str(error)) from error
        whole = any(item.name == "BODY" and not item.peek and item.section == ""
                    and item.start is None for item in wanted)
        gone = 0
        for uid in chosen:
            data = self._fetch_one(uid, wanted)
            if data is None:
                gone += 1
            else:
                actions.append(Send(data))
                if whole and self.account is not None:
                    actions.append(Fetched(self.account.user, view.uids.index(uid) + 1,
                                           view.messages[uid].size))
        if gone:
            return "NO", f"{gone} of the messages asked for were removed meanwhile (NOOP tells)"
        return "OK", "FETCH completed"

    def _fetch_one(self, uid: int, wanted: list[fetching.Item]) -> bytes | None:
        view = self.view
        assert view is not None
        message = view.messages[uid]
        parts: list[bytes] = []
        content: bytes | None = None
        flags = view.flags.get(uid, message.flags)
        if any(item.sets_seen for item in wanted) and not view.readonly \
                and "\\Seen" not in flags:
            flags = flags | {"\\Seen"}
            if not view.mailbox.set_flags(uid, flags):
                return None
            view.flags[uid] = flags
            if not any(item.name == "FLAGS" for item in wanted):
                wanted = [*wanted, fetching.Item("FLAGS", label="FLAGS")]
        for item in wanted:
            if item.name == "FLAGS":
                parts.append(b"FLAGS " + fetching.flag_list(self._shown(uid, flags)))
            elif item.name == "UID":
                parts.append(b"UID %d" % uid)
            elif item.name == "RFC822.SIZE":
                parts.append(b"RFC822.SIZE %d" % message.size)
            elif item.name == "INTERNALDATE":
                parts.append(b'INTERNALDATE "' + fetching.internal_date(
                    message.internal_date).encode() + b'"')
            else:
                if content is None:
                    content = view.mailbox.read(uid)
                    if content is None:
                        return None
                parts.append(item.label.encode() + b" "
                             + fetching.nstring(fetching.body_value(item, content)))
        number = view.uids.index(uid) + 1
        return b"* %d FETCH (" % number + b" ".join(parts) + b")\r\n"

    def _do_store(self, tag: str, values: list[Value], actions: list[Action],
                  by_uid: bool = False):
        view = self.view
        assert view is not None
        if len(values) != 3 or not isinstance(values[1], bytes):
            raise _Bad("BAD", "STORE takes a set, +FLAGS, -FLAGS or FLAGS, and flags: "
                       "STORE 1 +FLAGS (\\Seen)")
        how = values[1].decode("ascii", "replace").upper()
        silent = how.endswith(".SILENT")
        how = how.removesuffix(".SILENT")
        if how not in ("FLAGS", "+FLAGS", "-FLAGS"):
            raise _Bad("BAD", "STORE's second word is FLAGS, +FLAGS or -FLAGS (.SILENT)")
        given = values[2] if isinstance(values[2], list) else [values[2]]
        names: set[str] = set()
        for value in given:
            word = value.decode("ascii", "replace") if isinstance(value, bytes) else ""
            flag = next((f for f in SYSTEM_FLAGS if f.upper() == word.upper()), None)
            if word.upper() == RECENT.upper():
                raise _Bad("NO", "\\Recent is the server's to set: STORE cannot change it "
                           "(RFC 3501 §2.3.2)")
            if flag is None:
                raise _Bad("NO", f"{word[:30] or 'that'}: only the system flags are kept here "
                           f"({' '.join(SYSTEM_FLAGS)})")
            names.add(flag)
        chosen = self._chosen(values[0], by_uid)
        if view.readonly:
            raise _Bad("NO", "[READ-ONLY] the mailbox was opened with EXAMINE")
        gone = 0
        for uid in chosen:
            old = view.flags.get(uid, frozenset())
            new = frozenset(names if how == "FLAGS" else
                            old | names if how == "+FLAGS" else old - names)
            if new != old and not view.mailbox.set_flags(uid, new):
                gone += 1
                continue
            view.flags[uid] = new
            if not silent:
                number = view.uids.index(uid) + 1
                uid_part = b"UID %d " % uid if by_uid else b""
                actions.append(Send(b"* %d FETCH (%sFLAGS %s)\r\n"
                                    % (number, uid_part, fetching.flag_list(self._shown(uid, new)))))
        if gone:
            return "NO", f"{gone} of the messages were removed meanwhile (NOOP tells)"
        return "OK", "STORE completed"

    def _do_search(self, tag: str, values: list[Value], actions: list[Action],
                   by_uid: bool = False):
        view = self.view
        assert view is not None
        try:
            test = compile_keys(values, len(view.uids), view.uids[-1] if view.uids else 0)
        except BadSearch as error:
            if str(error) == "BADCHARSET":
                raise _Bad("NO", "[BADCHARSET (UTF-8)] only UTF-8 here") from error
            raise _Bad("BAD", str(error)) from error
        found = []
        for number, uid in enumerate(view.uids, 1):
            message = view.messages[uid]
            candidate = Candidate(number, uid, view.flags.get(uid, message.flags), message.size,
                                  uid in view.recent, _reader(view, uid))
            if test(candidate):
                found.append(uid if by_uid else number)
        actions.append(Send(_line("* SEARCH" + "".join(f" {n}" for n in found))))
        return "OK", "SEARCH completed"

    # -- what others changed ---------------------------------------------------------

    def _updates(self, allow_expunge: bool) -> list[Action]:
        """Untagged news of the selected mailbox: EXPUNGE (only where allowed, RFC 9051
        §7.5.1), EXISTS for new messages, FETCH FLAGS for flags changed by others."""
        view = self.view
        if view is None:
            return []
        now = {m.uid: m for m in view.mailbox.messages()}
        actions: list[Action] = []
        if allow_expunge:
            for uid in [u for u in view.uids if u not in now]:
                actions += self._forget(uid)
        for uid in view.uids:
            message = now.get(uid)
            if message is not None and message.flags != view.flags.get(uid):
                view.flags[uid], view.messages[uid] = message.flags, message
                number = view.uids.index(uid) + 1
                actions.append(Send(b"* %d FETCH (FLAGS %s)\r\n"
                                    % (number, fetching.flag_list(self._shown(uid, message.flags)))))
        known = set(view.uids)
        added = [m for uid, m in sorted(now.items()) if uid not in known
                 and (not view.uids or uid > view.uids[-1])]
        if added:
            for message in added:
                view.uids.append(message.uid)
                view.flags[message.uid], view.messages[message.uid] = message.flags, message
                if message.recent:
                    view.recent.add(message.uid)
            if not view.readonly and any(m.recent for m in added):
                view.mailbox.claim_recent()
            actions.append(Send(_line(f"* {len(view.uids)} EXISTS")))
            if not self.rev2:
                actions.append(Send(_line(f"* {len(view.recent)} RECENT")))
        return actions

    def _shown(self, uid: int, flags: frozenset[str]) -> frozenset[str]:
        """The flags as this session shows them: with \\Recent for an IMAP4rev1 client."""
        view = self.view
        if view is not None and uid in view.recent and not self.rev2:
            return flags | {RECENT}
        return flags

    def _forget(self, uid: int) -> list[Action]:
        view = self.view
        assert view is not None
        number = view.uids.index(uid) + 1
        view.uids.remove(uid)
        view.flags.pop(uid, None)
        view.messages.pop(uid, None)
        view.recent.discard(uid)
        return [Send(_line(f"* {number} EXPUNGE"))]


def _line(text: str) -> bytes:
    return text.encode("utf-8", "replace") + b"\r\n"


def _valid_tag(tag: bytes) -> bool:
    return len(tag) <= 64 and all(0x21 <= c <= 0x7E and c not in b'(){%*"\\+' for c in tag)


def _tag_of(line: bytes) -> str:
    tag = line.split(b" ", 1)[0]
    return tag.decode("ascii", "replace") if _valid_tag(tag) else "*"


def _wrong_state(needed: str, state: str) -> str:
    if needed == NOT_AUTHENTICATED:
        return "only before logging in"
    if needed == AUTHENTICATED:
        return "only after LOGIN"
    return "needs a mailbox: SELECT INBOX first" if state != NOT_AUTHENTICATED \
        else "needs LOGIN, then SELECT INBOX"


def _matches(pattern: str, name: str) -> bool:
    """LIST's wildcards: ``*`` matches anything, ``%`` anything but the delimiter."""
    import re

    regex = "".join(".*" if c == "*" else "[^/]*" if c == "%" else re.escape(c)
                    for c in pattern)
    flags = re.IGNORECASE if name.upper() == "INBOX" else 0
    return re.fullmatch(regex, name, flags) is not None


def _reader(view, uid: int) -> Callable[[], bytes]:  # noqa: ANN001 - the selected mailbox view
    """The message's bytes, read only when a search key needs them."""
    return lambda: view.mailbox.read(uid) or b""
