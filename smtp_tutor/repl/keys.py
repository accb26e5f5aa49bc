"""Key bindings of the shell where prompt_toolkit's defaults surprise a beginner."""

from __future__ import annotations

import re
from collections.abc import Callable

from prompt_toolkit.application.current import get_app
from prompt_toolkit.filters import Condition
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.key_binding.bindings.named_commands import get_by_name
from prompt_toolkit.keys import Keys

_VERB_AND_SPACE = re.compile(r"^\s*[A-Za-z]+ $")


def _complete_now(buffer) -> bool:  # noqa: ANN001 - a prompt_toolkit Buffer
    """A single completion is inserted before the next key is handled, so Tab and Enter
    arriving in one read (a paste, tmux, fast typing) send what the screen shows (D24);
    prompt_toolkit's own completion runs later, after that Enter.  False: several."""
    from prompt_toolkit.completion import CompleteEvent

    completer = buffer.completer
    if completer is None:
        return False
    completions = list(completer.get_completions(buffer.document,
                                                 CompleteEvent(completion_requested=True)))
    if len(completions) != 1:
        return False
    buffer.apply_completion(completions[0])
    return True


def shell_bindings(typing_a_command: Callable[[], bool] = lambda: True) -> KeyBindings:
    """``typing_a_command``: False in DATA and AUTH, where every key is the message's."""
    bindings = KeyBindings()
    command = Condition(typing_a_command)
    # after Ctrl-V (quoted insert) the next key is typed as it is: prompt_toolkit's own
    # handler must get it (taken here, Tab or Space left quoted insert on for the key after)
    quoting = Condition(lambda: get_app().quoted_insert)
    # Ctrl-V quotes the next key, as in bash and vi (prompt_toolkit's Emacs mode ignores it
    # and quotes with Ctrl-Q only, which still works)
    bindings.add("c-v")(get_by_name("quoted-insert"))

    @bindings.add("tab", filter=~quoting)
    def _complete(event) -> None:  # noqa: ANN001
        """A unique completion is taken for good: a second Tab completes what follows
        instead of cycling back to what was typed."""
        buffer = event.current_buffer
        state = buffer.complete_state
        if state is None:
            if _complete_now(buffer):
                return
            buffer.start_completion(insert_common_part=True)
        elif len(state.completions) == 1:
            buffer.complete_state = None
            buffer.start_completion(insert_common_part=True)
        else:
            buffer.complete_next()

    @bindings.add("tab", filter=quoting)
    def _quoted_tab(event) -> None:  # noqa: ANN001
        """Ctrl-V Tab: a tab character, as in a shell (prompt_toolkit's own Tab, which
        completes, would take it and leave quoted insert on for the key after)."""
        event.current_buffer.insert_text("\t")
        event.app.quoted_insert = False

    @bindings.add(" ", filter=command & ~quoting)
    def _space(event) -> None:  # noqa: ANN001
        """After a completed verb (``HELO ``), a typed space is not doubled."""
        buffer = event.current_buffer
        if _VERB_AND_SPACE.match(buffer.document.text_before_cursor):
            return
        buffer.insert_text(" ")

    @bindings.add(Keys.BracketedPaste)
    def _paste(event) -> None:  # noqa: ANN001
        """Several pasted lines are sent at once, line by line (as telnet would)."""
        data = event.data.replace("\r\n", "\n").replace("\r", "\n")
        buffer = event.current_buffer
        buffer.insert_text(data)
        if "\n" in data:
            buffer.validate_and_handle()

    return bindings
