"""How the practice server words its replies: the textbook's phrases, the RFCs' codes.

aiosmtpd hard-codes some replies (``250 OK``, ``503 Error: send HELO first``) without an
enhanced status code, although the server advertises ENHANCEDSTATUSCODES: RFC 2034 §3
then asks for one on every 2xx, 4xx and 5xx reply except the greeting and the answer
to HELO/EHLO.  Every reply line passes through ``Wording.line`` on its way out:

- fixed aiosmtpd replies get the textbook's or Postfix's wording;
- replies that would echo the client's text back (an unknown command, an exception)
  say what is wrong without the echo: a base64 password sent as a command must never
  come back in a reply;
- any control or bidi character a client put into an echoed address is replaced with
  ``?`` (as Postfix's ``printable()``), so a reply can never drive a student's terminal;
- a missing enhanced code is added.

Pure: no aiosmtpd, no I/O.
"""

from __future__ import annotations

import re

from smtp_tutor.protocol.visible import printable

_HAS_ENHANCED = re.compile(r"^[245][0-9][0-9][ -][245]\.[0-9]{1,3}\.[0-9]{1,3}(?: |$)")
# subject.detail of the enhanced code added to a reply that has none, by reply code
DEFAULT_DETAIL = {
    "421": "4.2", "450": "2.0", "451": "3.0", "452": "3.1", "454": "7.0",
    "500": "5.2", "501": "5.4", "502": "5.1", "503": "5.1", "504": "5.4",
    "530": "7.0", "550": "0.0", "552": "3.4", "553": "1.3", "554": "0.0", "555": "5.4",
}
# replies that quote the client: the text before the quote is kept, the quote dropped
NO_ECHO = (
    ('500 Error: command "', "500 5.5.2 Error: command not recognized"),
    ("500 Error: (", "500 5.5.0 Error: the server could not handle this command"),
)


class Wording:
    """The practice server's replies for one domain."""

    def __init__(self, domain: str, max_size: int) -> None:
        self.fixed = {
            "354 End data with <CR><LF>.<CR><LF>":
                '354 Enter mail, end with "." on a line by itself',
            "221 Bye": f"221 2.0.0 {domain} closing connection",
            "250 OK": "250 2.0.0 OK",
            "220 Ready to start TLS": "220 2.0.0 Ready to start TLS",
            "503 Already authenticated": "503 5.5.1 Error: already authenticated",
            "500 Command line too long":
                "500 5.5.2 Line too long: a command line is at most 512 octets "
                "(RFC 5321 section 4.5.3.1.4)",
            "500 Line too long (see RFC5321 4.5.3.1.6)":
                "500 5.5.2 Line too long: a message line is at most 1000 octets "
                "(RFC 5321 section 4.5.3.1.6)",
            "552 Error: Too much mail data":
                f"552 5.3.4 Message too big: this server takes at most {max_size} octets",
            "552 Error: message size exceeds fixed maximum message size":
                f"552 5.3.4 Message too big: this server takes at most {max_size} octets",
        }
        for verb, keyword in (("MAIL", "FROM"), ("RCPT", "TO")):
            for tail in ("", " [SP <mail-parameters>]"):
                self.fixed[f"501 Syntax: {verb} {keyword}: <address>{tail}"] = \
                    f"501 5.5.4 Syntax: {verb} {keyword}:<address>"

    def line(self, text: str, *, bare: bool = False) -> str:
        """One reply line as sent; ``bare``: the greeting or a HELO/EHLO reply, which
        carry no enhanced code when they succeed (RFC 2034 §3)."""
        text = self.fixed.get(text, text)
        if text.startswith("500 Error: "):
            for prefix, replacement in NO_ECHO:
                if text.startswith(prefix):
                    text = replacement
                    break
        text = printable(text)
        if (bare and text[:1] == "2") or text[:1] not in "245" or _HAS_ENHANCED.match(text):
            return text
        code = text[:3]
        detail = DEFAULT_DETAIL.get(code, "0.0")
        return f"{text[:4]}{code[0]}.{detail} {text[4:]}".rstrip()
