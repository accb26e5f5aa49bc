"""``{domain}``, ``{rcpt}`` …: what makes one lesson work against any server.

A lesson names the server and the practice users through placeholders; they are
filled from the server actually played against.  In practice mode the student may type
another value where a placeholder stands.
"""

from __future__ import annotations

import base64
import re

PLACEHOLDER = re.compile(r"\{([a-z_0-9]+)\}")

DESCRIPTIONS = {
    "domain": "the server's mail domain (hamburger.edu on the practice server)",
    "client": "the client's own name, said in HELO/EHLO (crepes.fr)",
    "sender": "the sender's address (alice@crepes.fr)",
    "rcpt": "a local user of the server (bob@DOMAIN)",
    "rcpt2": "a second local user (carol@DOMAIN)",
    "unknown": "an address the server has no user for (nobody@DOMAIN)",
    "outside": "an address at another domain (someone@example.org)",
    "user": "a practice account's user name (alice)",
    "user_b64": "that user name in base64, for AUTH LOGIN",
    "pass_b64": "that account's password in base64, for AUTH LOGIN",
    "auth_plain": "the AUTH PLAIN response for that account (base64 of NUL user NUL password)",
    "pass": "that account's password, for POP3 PASS (world lessons)",
    "rcpt_pass": "the password of the first local user (bob), for POP3 PASS",
}
SECRET = frozenset({"pass_b64", "auth_plain", "pass", "rcpt_pass"})


def bindings(domain: str = "hamburger.edu", user: str = "alice",
             password: str = "ketchup", rcpt_password: str = "pickles") -> dict[str, str]:
    """Every placeholder's value for one server."""
    def b64(text: str) -> str:
        return base64.b64encode(text.encode("utf-8")).decode("ascii")

    return {
        "domain": domain, "client": "crepes.fr", "sender": "alice@crepes.fr",
        "rcpt": f"bob@{domain}", "rcpt2": f"carol@{domain}", "unknown": f"nobody@{domain}",
        "outside": "someone@example.org", "user": user, "user_b64": b64(user),
        "pass_b64": b64(password), "auth_plain": b64(f"\0{user}\0{password}"),
        "pass": password, "rcpt_pass": rcpt_password,
    }


def unknown_names(template: str) -> list[str]:
    return [name for name in PLACEHOLDER.findall(template) if name not in DESCRIPTIONS]


def fill(template: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def has_secret(template: str) -> bool:
    return any(name in SECRET for name in PLACEHOLDER.findall(template))
