"""The practice IMAP server (and POP3 beside it, on the same Maildir) on free loopback
ports, with the world's CA; a private Dovecot for the client's tests."""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from smtp_tutor.server.maildir import deliver
from tests.conftest import need


def letter(subject: str, sender: str = "Alice <alice@crepes.fr>", body: str = "And how about pickles?") -> bytes:
    return (f"From: {sender}\nTo: Bob <bob@hamburger.edu>\nSubject: {subject}\n"
            f"Date: Mon, 30 Nov 2026 09:00:00 +0100\n\n{body}\n.dot line\n").encode()


@dataclass
class Mailhost:
    imap: object
    pop3: object
    root: Path  # the Maildir root: root/bob
    ca: str
    watched: object

    @property
    def port(self) -> int:
        return self.imap.port

    def deliver(self, subject: str) -> Path:
        return deliver(self.root, "bob", letter(subject))

    def context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca)


class Watched:
    def __init__(self) -> None:
        self.refused: list[int] = []
        self.failed: list[str] = []


@pytest.fixture
def mailhost_with(loop_thread, tmp_path):
    """``mailhost_with(max_connections=...)``: IMAP and POP3 on Bob's Maildir (3 messages)."""
    from smtp_tutor.imap.server import ImapWatcher, start_imap
    from smtp_tutor.pop3.server import start_pop3
    from smtp_tutor.world.certs import ensure_world_certificates

    certificates = ensure_world_certificates(tmp_path / "tls")
    root = tmp_path / "mail" / "hamburger.edu"
    for subject in ("Pickles", "Ketchup", "Crepes"):
        deliver(root, "bob", letter(subject))
    started = []

    def start(**settings) -> Mailhost:
        watched = Watched()

        class Watcher(ImapWatcher):
            def refused(self, limit: int) -> None:
                watched.refused.append(limit)

            def failed(self, detail: str) -> None:
                watched.failed.append(detail)

        files = certificates.files["hamburger.edu"]
        imap = loop_thread.run(start_imap("127.0.0.1", 0, root, {"bob": "pickles"},
                                          domain="hamburger.edu", tls_paths=files,
                                          watcher=Watcher(), **settings))
        pop3 = loop_thread.run(start_pop3("127.0.0.1", 0, {"hamburger.edu": root},
                                          {"bob": "pickles"}, default_domain="hamburger.edu",
                                          tls_paths=files))
        started.extend([imap, pop3])
        return Mailhost(imap, pop3, root, str(certificates.ca), watched)

    yield start
    for server in started:
        loop_thread.run(server.stop())


@pytest.fixture
def mailhost(mailhost_with) -> Mailhost:
    return mailhost_with()


# -- a private Dovecot ---------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Dovecot:
    port: int
    mail: Path  # maildir of bob
    ca: str


@pytest.fixture(scope="session")
def dovecot(tmp_path_factory):
    """Dovecot from Debian's packages, a private instance: its own configuration, base_dir,
    passwd-file users and Maildir in a temporary folder, on a loopback high port; started
    here with ``dovecot -F -c CONFIG`` and stopped at the end (the machine's Dovecot service,
    if any, and /etc/dovecot are never touched)."""
    binary = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
    need(binary is not None, "dovecot: sudo apt-get install dovecot-imapd")
    import tempfile

    from smtp_tutor.world.certs import ensure_world_certificates

    # its login processes run as dovenull (never root): the folder must be reachable by it
    base = Path(tempfile.mkdtemp(prefix="smtp-tutor-dovecot-"))
    base.chmod(0o755)
    certificates = ensure_world_certificates(base / "tls")
    cert, key = certificates.files["hamburger.edu"]
    port = _free_port()
    import pwd

    login_user = "dovenull" if _has_user("dovenull") else pwd.getpwuid(os.getuid()).pw_name
    internal = "dovecot" if _has_user("dovecot") else pwd.getpwuid(os.getuid()).pw_name
    mail = base / "mail" / "bob"
    for sub in ("new", "cur", "tmp"):
        (mail / sub).mkdir(parents=True)
    for number, subject in enumerate(("Pickles", "Ketchup"), 1):
        (mail / "new" / f"170000000{number}.M{number}P1.hamburger").write_bytes(letter(subject))
    # the mail process runs as bob's uid, which Dovecot refuses to be 0: the dovecot user's
    owner = pwd.getpwnam(internal) if os.getuid() == 0 else pwd.getpwuid(os.getuid())
    for path in [mail.parent, mail, *mail.rglob("*")]:
        os.chown(path, owner.pw_uid, owner.pw_gid)
    (base / "passwd").write_text(
        f"bob:{{PLAIN}}pickles:{owner.pw_uid}:{owner.pw_gid}::{mail}::userdb_mail=maildir:{mail}\n")
    config = base / "dovecot.conf"
    config.write_text(f"""
base_dir = {base}/run
state_dir = {base}/state
instance_name = smtp-tutor-test-{port}
protocols = imap
listen = 127.0.0.1
log_path = {base}/dovecot.log
info_log_path = {base}/dovecot.log
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = yes
auth_mechanisms = plain login
default_internal_user = {internal}
default_login_user = {login_user}
mail_location = maildir:{mail}
first_valid_uid = {owner.pw_uid}
last_valid_uid = {owner.pw_uid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {base}/passwd
}}
userdb {{
  driver = passwd-file
  args = {base}/passwd
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
""")
    for name in ("run", "state"):
        (base / name).mkdir()
    process = subprocess.Popen([binary, "-F", "-c", str(config)], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and process.poll() is None:
        with socket.socket() as probe:
            probe.settimeout(0.2)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    else:
        output = process.stdout.read().decode(errors="replace") if process.poll() is not None else ""
        log = (base / "dovecot.log").read_text(errors="replace") if (base / "dovecot.log").exists() else ""
        process.kill()
        process.wait()
        pytest.fail(f"private dovecot did not start: {output}\n{log}")
    yield Dovecot(port, mail, str(certificates.ca))
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.stdout.close()
    if not os.environ.get("KEEP_DOVECOT"):
        shutil.rmtree(base, ignore_errors=True)


def _has_user(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
