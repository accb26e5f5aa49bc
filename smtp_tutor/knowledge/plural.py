"""Singular and plural in catalogue texts: ``{count|message|messages}``.

The one place the catalogues' texts get their number agreement, so no screen says
"1 octets" or "message(s)".  The form is chosen by the parameter being exactly 1;
Vietnamese has no plural inflection and simply writes the word.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_FORMS = re.compile(r"\{(\w+)\|([^|{}]*)\|([^|{}]*)\}")


def agree(text: str, params: Mapping[str, object]) -> str:
    """``text`` with each ``{name|one|many}`` replaced by the form ``params[name]`` needs."""
    if "|" not in text:
        return text
    return _FORMS.sub(lambda m: m.group(2) if str(params.get(m.group(1), "")) == "1"
                      else m.group(3), text)
