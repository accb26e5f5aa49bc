"""prompt_toolkit adapter over the pure ``completion.complete`` function."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from smtp_tutor.protocol import ClientSession
from smtp_tutor.repl.completion import complete


class SmtpCompleter(Completer):
    def __init__(self, session: Callable[[], ClientSession], lang: Callable[[], str]) -> None:
        self._session = session
        self._lang = lang

    def get_completions(self, document: Document,
                        complete_event: CompleteEvent) -> Iterable[Completion]:
        for candidate in complete(document.text_before_cursor, self._session(), self._lang()):
            yield Completion(candidate.text, start_position=-candidate.replace,
                             display=candidate.display, display_meta=candidate.meta)
