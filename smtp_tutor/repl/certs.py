"""``:cert`` (the server's certificate, field by field, as ``openssl s_client`` would show
it, with what each field means) and ``:cert save FILE`` (PEM; ``:cert save!`` overwrites)."""

from __future__ import annotations

import os
import platform

from smtp_tutor.knowledge.catalogue import say
from smtp_tutor.protocol.visible import visible


def cert_command(repl, argument: str) -> None:  # noqa: ANN001 - the Repl
    info = repl.tls_info
    words = argument.split(None, 1)
    if words and words[0].lower() not in ("save", "save!"):
        repl.renderer.message("cert-usage", {}, "warning")
        return
    if info is None or not info.chain:
        repl.renderer.message("cert-none", {}, "warning")
        return
    if words:
        if len(words) < 2:
            repl.renderer.message("cert-usage", {}, "warning")
            return
        key, params = save_chain(info.chain, words[1].strip(), overwrite=words[0] == "save!")
        repl.renderer.message(key, params, "error" if key != "cert-saved" else "info")
        return
    show_chain(repl, info)


def show_chain(repl, info) -> None:  # noqa: ANN001
    from smtp_tutor.net.certinfo import FIELDS, fields

    lang = repl.lang
    yes_no = say("ui", "word_yes", lang), say("ui", "word_no", lang)
    repl.renderer.text(say("ui", "cert_checked", lang, name=visible(info.servername or repl.host),
                          verified=yes_no[0] if info.verified else yes_no[1]), "hint")
    count = len(info.chain)
    for n, der in enumerate(info.chain, 1):
        role = say("ui", "cert_role_server", lang) if n == 1 else say("ui", "cert_role_ca", lang)
        repl.renderer.text(say("ui", "cert_heading", lang, n=str(n), count=str(count), role=role), "heading")
        values = fields(der)
        values["self_signed"] = yes_no[0] if values["self_signed"] == "yes" else yes_no[1]
        for name in FIELDS:
            lead = f"  {say('ui', f'cert_field.{name}', lang)}: "
            repl.renderer.text(lead + visible(values[name]), hang=len(lead))
            meaning = say("ui", f"cert_explain.{name}", lang)
            if name == "self_signed" and values[name] == yes_no[1]:
                meaning = say("ui", "cert_not_self_signed", lang)  # not "subject = issuer" under a "no"
            repl.renderer.text(f"      {meaning}", "hint")
    if not info.whole_chain:
        repl.renderer.message("cert-only-peer", {"version": platform.python_version()}, "info")


def save_chain(chain: tuple[bytes, ...], path: str, *, overwrite: bool) -> tuple[str, dict]:
    """Write the certificates in PEM; an existing file is never replaced silently."""
    from smtp_tutor.net.certinfo import to_pem

    target = os.path.expanduser(path)
    try:
        with open(target, "w" if overwrite else "x", encoding="ascii") as out:
            out.write(to_pem(chain))
    except FileExistsError:
        return "cert-save-exists", {"path": path}
    except OSError as error:
        return "cert-save-failed", {"path": path, "detail": error.strerror or str(error)}
    return "cert-saved", {"path": path}
