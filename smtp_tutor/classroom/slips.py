"""The students' slips: account, password, token and the one-line join command, in
English and Vietnamese, one block per student (cut along the dashed lines)."""

from __future__ import annotations

from smtp_tutor.classroom.accounts import Account
from smtp_tutor.knowledge.catalogue import say

CUT = "-" * 78


def slip(account: Account, password: str, *, domain: str, host: str, port: int,
         pop3_port: int, imap_port: int, fingerprint: str) -> str:
    address = f"{account.username}@{domain}"
    values = {"domain": domain, "name": account.name, "student_id": account.student_id,
              "address": address, "password": password, "token": account.token,
              "host": host, "port": port, "pop3_port": pop3_port, "imap_port": imap_port,
              "fingerprint": fingerprint}
    # in the order a student follows them: the CA first, then the commands that need it
    keys = ("slip_title", "slip_user", "slip_password", "slip_token", "slip_check",
            "slip_fingerprint", "slip_join", "slip_pop3")
    blocks = ["\n".join(say("classroom", key, lang, **values) for key in keys)
              for lang in ("en", "vi")]
    return CUT + "\n" + "\n\n".join(blocks) + "\n"


def slips(accounts: list[Account], passwords: dict[str, str], *, domain: str, host: str,
          port: int, pop3_port: int, imap_port: int, fingerprint: str) -> str:
    """Every new student's slip, cut lines between them."""
    return "".join(slip(a, passwords[a.username], domain=domain, host=host, port=port,
                        pop3_port=pop3_port, imap_port=imap_port, fingerprint=fingerprint)
                   for a in accounts if a.username in passwords) + CUT + "\n"
