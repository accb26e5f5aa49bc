"""The IMAP server's core without I/O: states, replies, limits, and what others changed."""

from __future__ import annotations

import pytest

from smtp_tutor.protocol.imap.client import ImapClient, ImapResponse
from smtp_tutor.protocol.imap.server import (
    CheckLogin,
    Close,
    ImapServerSession,
    LoggedIn,
    Pause,
    Send,
    StartTls,
)
from tests.imap.memory import MemoryAccount, MemoryAccounts, MemoryMailbox, message


@pytest.fixture
def inbox() -> MemoryMailbox:
    return MemoryMailbox([message("Pickles", body="And how about pickles?"),
                          message("Ketchup", sender="Carol <carol@hamburger.edu>"),
                          message("Crepes")])


def session(inbox: MemoryMailbox, tls: bool = True, **limits) -> ImapServerSession:
    account = MemoryAccount({"INBOX": inbox, "Sent": MemoryMailbox([], "Sent")})
    return ImapServerSession(MemoryAccounts(account), "hamburger.edu", tls=tls, **limits)


def sent(actions) -> bytes:
    return b"".join(a.data for a in actions if isinstance(a, Send))


def say(server: ImapServerSession, line: bytes) -> bytes:
    return sent(server.receive(line + b"\r\n"))


def logged_in(inbox: MemoryMailbox, select: bytes = b"SELECT INBOX") -> ImapServerSession:
    server = session(inbox)
    assert b"a OK" in say(server, b"a LOGIN bob pickles")
    if select:
        assert b"s OK" in say(server, b"s " + select)
    return server


def test_ask_login_hands_the_password_to_the_driver_and_waits_for_its_answer(inbox):
    account = MemoryAccount({"INBOX": inbox})
    server = ImapServerSession(MemoryAccounts(account), "class.example", tls=True,
                               ask_login=True)
    # the login, and a command pipelined behind it that must wait for the answer
    actions = server.receive(b"a LOGIN sv001 secret\r\nb SELECT INBOX\r\n")
    assert actions == [CheckLogin("sv001", "secret")]
    assert server.receive(b"c NOOP\r\n") == []  # kept, unread, while the driver checks
    answered = server.login_answer(None)
    assert isinstance(answered[0], Pause) and sent(answered).startswith(
        b"a NO [AUTHENTICATIONFAILED]")
    # b is refused (not logged in), c answered, in order
    assert b"b BAD SELECT only after LOGIN" in sent(answered) and b"c OK" in sent(answered)
    actions = server.receive(b"d LOGIN sv001 right\r\ne SELECT INBOX\r\n")
    assert actions == [CheckLogin("sv001", "right")]
    answered = server.login_answer(account)
    assert LoggedIn("bob") in answered
    text = sent(answered)
    assert text.index(b"d OK [CAPABILITY") < text.index(b"e OK [READ-WRITE]")
    assert server.login_answer(account) == []  # nothing owed: nothing happens


def test_greeting_advertises_both_versions_and_login_disabled_before_tls(inbox):
    greeting = session(inbox, tls=False).greeting()
    assert greeting.startswith(b"* OK [CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS LOGINDISABLED")


def test_login_only_after_starttls(inbox):
    server = session(inbox, tls=False)
    assert b"a NO [PRIVACYREQUIRED]" in say(server, b"a LOGIN bob pickles")
    actions = server.receive(b"b STARTTLS\r\nc LOGIN bob pickles\r\n")
    assert b"b OK" in sent(actions) and b"c " not in sent(actions)
    assert isinstance(actions[-1], StartTls) and actions[-1].dropped == len(b"c LOGIN bob pickles\r\n")
    assert b"LOGINDISABLED" not in server.capabilities().encode()
    actions = server.receive(b"d LOGIN bob pickles\r\n")
    assert LoggedIn("bob") in actions and b"d OK [CAPABILITY" in sent(actions)


def test_a_wrong_password_is_slowed_and_never_echoed(inbox):
    server = session(inbox)
    actions = server.receive(b"a LOGIN bob ketchup\r\n")
    assert isinstance(actions[0], Pause)
    assert sent(actions) == b"a NO [AUTHENTICATIONFAILED] invalid user name or password\r\n"


def test_login_with_literals(inbox):
    server = session(inbox)
    assert say(server, b"a LOGIN {3}") == b"+ Ready for literal data\r\n"
    assert say(server, b"bob {7}") == b"+ Ready for literal data\r\n"
    assert b"a OK" in say(server, b"pickles")


def test_commands_in_the_wrong_state_get_bad(inbox):
    server = session(inbox)
    assert b"a BAD FETCH needs LOGIN" in say(server, b"a FETCH 1 FLAGS")
    say(server, b"b LOGIN bob pickles")
    assert b"c BAD FETCH needs a mailbox" in say(server, b"c FETCH 1 FLAGS")
    assert b"d BAD LOGIN only before" in say(server, b"d LOGIN bob pickles")


@pytest.mark.parametrize("command", [b"CREATE Work", b"APPEND INBOX {3}", b"APPEND INBOX {300000000}", b"IDLE", b"COPY 1 Sent",
                                     b"XYZZY"])
def test_the_rest_is_refused_with_bad(inbox, command):
    server = logged_in(inbox)
    assert sent(server.receive(b"t " + command + b"\r\n")).splitlines()[-1].startswith(b"t BAD")


def test_select_reports_the_mailbox(inbox):
    server = logged_in(inbox, select=b"")
    out = say(server, b"s SELECT inbox")
    for line in (b"* 3 EXISTS", b"* 3 RECENT", b"* OK [UIDVALIDITY 42]", b"* OK [UIDNEXT 4]",
                 b"* OK [UNSEEN 1]", b"s OK [READ-WRITE] SELECT completed"):
        assert line in out
    assert b"NO [NONEXISTENT]" in say(server, b"x SELECT Nowhere")
    assert server.state == "authenticated"  # a failed SELECT leaves no mailbox selected


def test_fetch_items_and_seen(inbox):
    server = logged_in(inbox)
    out = say(server, b"f FETCH 1 (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert out.startswith(b"* 1 FETCH (UID 1 FLAGS (\\Recent) RFC822.SIZE %d "
                          % len(inbox.read(1)))
    assert b"BODY[HEADER.FIELDS (SUBJECT)] {20}\r\nSubject: Pickles\r\n\r\n)" in out
    assert inbox.store[1][1] == frozenset()
    out = say(server, b"g FETCH 1 BODY[TEXT]")
    assert b"BODY[TEXT] {24}\r\nAnd how about pickles?\r\n FLAGS (\\Recent \\Seen))" in out
    assert "\\Seen" in inbox.store[1][1]
    out = say(server, b"h UID FETCH 2:* (FLAGS)")
    assert b"* 2 FETCH (UID 2 FLAGS (\\Recent))" in out
    assert b"* 3 FETCH (UID 3 FLAGS (\\Recent))" in out
    assert b"BODY[]<0> {4}\r\nFrom)" in say(server, b"i FETCH 1 BODY.PEEK[]<0.4>")
    assert b"j BAD" in say(server, b"j FETCH 1 ENVELOPE")
    assert b"k BAD" in say(server, b"k FETCH 9 FLAGS")


def test_examine_is_read_only(inbox):
    server = logged_in(inbox, select=b"EXAMINE INBOX")
    say(server, b"f FETCH 1 BODY[]")
    assert inbox.store[1][1] == frozenset()
    assert b"NO [READ-ONLY]" in say(server, b"s STORE 1 +FLAGS (\\Seen)")
    assert b"NO [READ-ONLY]" in say(server, b"e EXPUNGE")


def test_store_search_expunge(inbox):
    server = logged_in(inbox)
    assert say(server, b"a STORE 2 +FLAGS (\\Deleted \\Seen)") == \
        b"* 2 FETCH (FLAGS (\\Deleted \\Recent \\Seen))\r\na OK STORE completed\r\n"
    assert say(server, b"b UID STORE 3 +FLAGS.SILENT (\\Seen)") == b"b OK STORE completed\r\n"
    assert b"* SEARCH 1\r\n" in say(server, b"c SEARCH UNSEEN")
    assert b"* SEARCH 2 3\r\n" in say(server, b"d SEARCH SEEN")
    assert b"* SEARCH 2\r\n" in say(server, b"e SEARCH DELETED")
    assert b"* SEARCH 2\r\n" in say(server, b'f SEARCH FROM "carol"')
    assert b"* SEARCH 1\r\n" in say(server, b"g SEARCH SUBJECT pickles")
    assert b"* SEARCH 1 3\r\n" in say(server, b"h UID SEARCH NOT DELETED")
    assert b"* SEARCH 1 2\r\n" in say(server, b"i SEARCH OR SUBJECT ketchup SUBJECT pickles")
    assert b"NO [BADCHARSET" in say(server, b"j SEARCH CHARSET KOI8-R ALL")
    assert b"k NO $Junk: only the system flags" in say(server, b"k STORE 1 +FLAGS ($Junk)")
    assert say(server, b"l EXPUNGE") == b"* 2 EXPUNGE\r\nl OK EXPUNGE completed\r\n"
    assert b"* 2 FETCH (UID 3" in say(server, b"m FETCH 2 UID")
    assert say(server, b"n STORE 1:2 FLAGS (\\Deleted)").count(b"FETCH") == 2
    assert say(server, b"o EXPUNGE") == b"* 1 EXPUNGE\r\n* 1 EXPUNGE\r\no OK EXPUNGE completed\r\n"


def test_close_expunges_silently_unselect_does_not(inbox):
    server = logged_in(inbox)
    say(server, b"a STORE 1 +FLAGS (\\Deleted)")
    assert say(server, b"b UNSELECT") == b"b OK UNSELECT completed (nothing expunged)\r\n"
    assert 1 in inbox.store
    say(server, b"c SELECT INBOX")
    assert say(server, b"d CLOSE").startswith(b"d OK")
    assert 1 not in inbox.store and server.state == "authenticated"


def test_others_changes_arrive_at_noop_and_expunges_never_during_fetch(inbox):
    server = logged_in(inbox)
    inbox.expunge(2)  # a POP3 session's DELE and QUIT
    inbox.set_flags(1, frozenset({"\\Seen"}))  # read on the phone
    inbox.add(message("New"))
    out = say(server, b"f FETCH 1:* (FLAGS BODY.PEEK[HEADER])")
    assert b"EXPUNGE" not in out and b"* 4 EXISTS" in out
    assert b"NO" in out.splitlines()[-1]  # message 2 is gone: said, not hidden
    out = say(server, b"n NOOP")
    assert out == b"* 2 EXPUNGE\r\nn OK NOOP completed\r\n"
    assert b"* 3 FETCH (UID 4" in say(server, b"g FETCH 3 UID")


def test_list_and_status(inbox):
    server = logged_in(inbox, select=b"")
    out = say(server, b'l LIST "" "*"')
    assert b'* LIST (\\HasNoChildren) "/" INBOX\r\n' in out and b'"/" Sent\r\n' in out
    assert say(server, b'm LIST "" ""').startswith(b'* LIST (\\Noselect) "/" ""')
    assert b'"/" Sent' not in say(server, b'n LIST "" "IN%"')
    assert b"* STATUS INBOX (MESSAGES 3 UNSEEN 3 UIDNEXT 4 UIDVALIDITY 42)" in \
        say(server, b"s STATUS INBOX (MESSAGES UNSEEN UIDNEXT UIDVALIDITY)")


def test_logout(inbox):
    server = logged_in(inbox)
    actions = server.receive(b"z LOGOUT\r\nq NOOP\r\n")
    assert sent(actions) == (b"* BYE hamburger.edu IMAP server logging out\r\n"
                             b"z OK LOGOUT completed\r\n")
    assert isinstance(actions[-1], Close) and server.receive(b"q NOOP\r\n") == []


def test_a_literal_too_big_is_refused_before_it_is_sent(inbox):
    server = session(inbox, max_literal=100)
    assert say(server, b"a LOGIN bob {101}") == b"a NO [TOOBIG] a literal of at most 100 octets here\r\n"
    assert b"b OK" in say(server, b"b NOOP")  # the session goes on


def test_a_line_too_long_ends_the_session(inbox):
    server = session(inbox, max_line=64)
    actions = server.receive(b"a NOOP " + b"x" * 100)
    assert b"* BYE line too long" in sent(actions) and isinstance(actions[-1], Close)


def test_garbage_gets_untagged_bad(inbox):
    server = session(inbox)
    assert say(server, b"") == b"* BAD a command starts with a tag (a1, a2 \xe2\x80\xa6), then its name\r\n"
    assert say(server, b"a+ NOOP").startswith(b"* BAD")
    assert b'a BAD a quoted string is not closed' in say(server, b'a LOGIN "bob')


def test_our_client_reads_every_reply_of_our_server(inbox):
    """Both cores agree: whatever the server sends, the client parses and ties to its tag."""
    server, client = session(inbox, tls=False), ImapClient()
    responses = client.receive(server.greeting())
    script = ["CAPABILITY", "STARTTLS", "LOGIN bob {7}", "pickles", 'LIST "" "*"', "SELECT INBOX",
              "FETCH 1:* (FLAGS BODY[])", "STORE 1 +FLAGS (\\Deleted)", "SEARCH DELETED",
              "EXPUNGE", "STATUS INBOX (MESSAGES)", "LOGOUT"]
    for line in script:
        if client.awaiting_continuation:
            wire = client.continue_with(line.encode())
        else:
            wire, _ = client.send(line)
        for action in server.receive(wire):
            if isinstance(action, Send):
                responses += client.receive(action.data)
            elif isinstance(action, StartTls):
                client.discard_plaintext()
                client.tls_established()
    assert all(isinstance(r, ImapResponse) for r in responses)
    tagged = [r for r in responses if r.kind == "tagged"]
    assert [r.status for r in tagged] == ["OK"] * 11
    fetched = [r for r in responses if r.name == "FETCH"]
    assert fetched[0].fetch["BODY[]"] == inbox_message() and fetched[0].number == 1
    assert client.state == "logout" and not client.pending


def inbox_message() -> bytes:
    return message("Pickles", body="And how about pickles?")


def test_uid_ranges_to_star_name_the_last_message_even_below_their_start(inbox):
    server = logged_in(inbox)
    assert say(server, b"a UID FETCH 9:* (FLAGS)").startswith(b"* 3 FETCH (UID 3 FLAGS (\\Recent))")
    assert say(server, b"b UID FETCH 7 (FLAGS)") == b"b OK FETCH completed\r\n"  # no such UID
    assert say(server, b"c CHECK") == b"c OK CHECK completed\r\n"


def test_recent_belongs_to_the_first_session_that_selects_read_write(inbox):
    """RFC 3501 §2.3.2: \\Recent is shown to the session first told of a message; a later
    session sees `* 0 RECENT` and no \\Recent; EXAMINE shows it but does not take it."""
    looker = logged_in(inbox, select=b"EXAMINE INBOX")
    assert b"(\\Recent)" in say(looker, b"a FETCH 1 FLAGS")
    first = logged_in(inbox, select=b"")
    assert b"* 3 RECENT" in say(first, b"s SELECT INBOX")
    later = logged_in(inbox, select=b"")
    assert b"* 0 RECENT" in say(later, b"s SELECT INBOX")
    assert say(later, b"a FETCH 1:* FLAGS").count(b"FLAGS ()") == 3
    assert b"* SEARCH 1 2 3\r\n" in say(first, b"b SEARCH RECENT")
    assert b"* SEARCH\r\n" in say(later, b"b SEARCH RECENT")
    assert b"c NO \\Recent is the server's" in say(first, b"c STORE 1 +FLAGS (\\Recent)")
    uid = inbox.add(message("Fresh"))  # arrives while both are selected
    news = say(later, b"d NOOP")
    assert b"* 4 EXISTS\r\n* 1 RECENT\r\n" in news  # `later` is told first: it is its \Recent
    assert b"(\\Recent)" in say(later, b"e UID FETCH %d FLAGS" % uid)
    assert b"* 4 EXISTS\r\n* 3 RECENT\r\n" in say(first, b"f NOOP")
    assert b"FLAGS ()" in say(first, b"g UID FETCH %d FLAGS" % uid)


def test_enable_imap4rev2_drops_recent_as_rfc_9051_does(inbox):
    server = logged_in(inbox, select=b"")
    assert b"ENABLE" in server.capabilities().encode()
    assert say(server, b"a ENABLE CONDSTORE") == b"* ENABLED\r\na OK ENABLE completed\r\n"
    assert say(server, b"b ENABLE imap4rev2 X") == b"* ENABLED IMAP4rev2\r\nb OK ENABLE completed\r\n"
    assert say(server, b"c ENABLE IMAP4rev2") == b"* ENABLED\r\nc OK ENABLE completed\r\n"
    out = say(server, b"s SELECT INBOX")
    assert b"* 3 EXISTS" in out and b"RECENT" not in out and b"[UNSEEN" not in out
    assert b'* LIST (\\HasNoChildren) "/" INBOX\r\n' in out  # RFC 9051 §6.3.2, as LIST says
    assert say(server, b"d FETCH 1 FLAGS").startswith(b"* 1 FETCH (FLAGS ())")
    assert b"e BAD ENABLE only in the authenticated state" in say(server, b"e ENABLE IMAP4rev2")
    assert b"f BAD STATUS items" in say(server, b"f STATUS INBOX (RECENT)")
    assert b"g BAD ENABLE takes" in say(logged_in(inbox, select=b""), b"g ENABLE")
    assert b"h BAD ENABLE only after LOGIN" in say(session(inbox), b"h ENABLE IMAP4rev2")


def test_namespace_names_one_personal_namespace(inbox):
    server = logged_in(inbox, select=b"")
    assert say(server, b"a NAMESPACE") == \
        b'* NAMESPACE (("" "/")) NIL NIL\r\na OK NAMESPACE completed\r\n'
    assert b"b BAD NAMESPACE takes no arguments" in say(server, b"b NAMESPACE x")
    assert b"c BAD NAMESPACE only after LOGIN" in say(session(inbox), b"c NAMESPACE")


def test_authenticate_plain_with_and_without_an_initial_response(inbox):
    """RFC 9051 §6.2.2 and §6.1.1 (AUTH=PLAIN is required of an IMAP4rev2 server)."""
    import base64

    token = base64.b64encode(b"\0bob\0pickles")
    clear = session(inbox, tls=False)
    assert b"AUTH=PLAIN" not in clear.greeting()
    assert b"a NO [PRIVACYREQUIRED]" in say(clear, b"a AUTHENTICATE PLAIN " + token)
    server = session(inbox)
    assert b"AUTH=PLAIN SASL-IR" in server.greeting()
    assert b"b NO only AUTHENTICATE PLAIN" in say(server, b"b AUTHENTICATE CRAM-MD5")
    assert say(server, b"c AUTHENTICATE PLAIN") == b"+ \r\n"
    assert say(server, b"*") == b"c BAD AUTHENTICATE cancelled by the client\r\n"
    assert say(server, b"d AUTHENTICATE PLAIN") == b"+ \r\n"
    assert b"d BAD the answer is not base64" in say(server, b"not base64!")
    wrong = base64.b64encode(b"\0bob\0ketchup")
    actions = server.receive(b"e AUTHENTICATE PLAIN " + wrong + b"\r\n")
    assert b"e NO [AUTHENTICATIONFAILED]" in sent(actions) and server.state == "not authenticated"
    assert say(server, b"f AUTHENTICATE PLAIN") == b"+ \r\n"
    actions = server.receive(token + b"\r\n")
    assert LoggedIn("bob") in actions and b"f OK [CAPABILITY" in sent(actions)
    assert server.state == "authenticated" and b"AUTH=PLAIN" not in server.capabilities().encode()
    other = session(inbox)
    assert b"g OK" in say(other, b"g AUTHENTICATE PLAIN " + token)  # SASL-IR, one line
    assert b"h BAD AUTHENTICATE only before" in say(other, b"h AUTHENTICATE PLAIN " + token)


def test_authenticate_plain_hands_the_password_to_the_driver_as_login_does(inbox):
    """With ``ask_login`` (the class server's hashed passwords) the answer after "+" becomes
    a CheckLogin; the tagged reply waits for ``login_answer``."""
    import base64

    account = MemoryAccount({"INBOX": inbox})
    server = ImapServerSession(MemoryAccounts(account), "hamburger.edu", tls=True, ask_login=True)
    assert say(server, b"a AUTHENTICATE PLAIN") == b"+ \r\n"
    actions = server.receive(base64.b64encode(b"\0bob\0pickles") + b"\r\nb NOOP\r\n")
    assert actions == [CheckLogin("bob", "pickles")]  # nothing else yet, NOOP kept unread
    out = sent(server.login_answer(account))
    assert out.startswith(b"a OK [CAPABILITY") and b"b OK NOOP completed" in out


@pytest.mark.parametrize("line", [b"n NOOP junk", b"n CAPABILITY x", b"n LOGOUT now",
                                  b"n CHECK 1", b"n NAMESPACE x"])
def test_a_command_that_takes_nothing_refuses_arguments(inbox, line):
    server = logged_in(inbox)
    assert say(server, line).startswith(b"n BAD ") and b"takes no arguments" in say(server, line)
    assert b"n OK" in say(server, b"n NOOP")
