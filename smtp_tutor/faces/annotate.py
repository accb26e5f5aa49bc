"""``smtp-tutor annotate [FILE]``: explain a transcript another tool printed, offline.

The transcript is replayed through the same session and renderer as a live
connection, so each reply is explained in the context of the command it answers.
"""

from __future__ import annotations

import argparse
import sys

from smtp_tutor.faces.arguments import Subcommands, _t, add_lang, lang_of


def add_parser(commands: Subcommands) -> None:
    """annotate's parser: the file (stdin without one) and the output kind."""
    sub = commands.add_parser("annotate", help=_t("annotate", "help"),
                              description=_t("annotate", "description"))
    sub.add_argument("file", nargs="?", help=_t("annotate", "file"))
    sub.add_argument("--json", action="store_true", help=_t("annotate", "json"))
    sub.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                     help=_t("annotate", "color"))
    sub.add_argument("--raw", action="store_true", help=_t("annotate", "raw"))
    add_lang(sub)
    sub.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    """Explain the transcript in the reader's language."""
    return annotate(options, lang_of(options))


def annotate(options: argparse.Namespace, lang: str) -> int:
    """0 when a dialogue was found and explained; 1 for no dialogue; 2 for an unreadable file."""
    from smtp_tutor.protocol.notation import read_transcript
    from smtp_tutor.protocol.replay import ReplayNote, TlsAssumed, replay
    from smtp_tutor.render import make_renderer

    renderer = make_renderer(_kind(options), lang,
                             color=True if options.color == "always" else None)
    renderer.raw = options.raw
    try:
        text = _read(options.file)
    except OSError as error:
        renderer.message("transcript-unreadable",
                         {"path": options.file, "detail": error.strerror or str(error)}, "error")
        return 2
    lines = read_transcript(text)
    if not lines:
        renderer.message("transcript-empty", {}, "error")
        return 1
    for event in replay(lines):
        if isinstance(event, TlsAssumed):
            renderer.message("transcript-tls-assumed", {}, "info")
        elif isinstance(event, ReplayNote):
            renderer.message(event.note.key, event.note.params, event.note.level)
        else:
            renderer.show(event)
    return 0


def _kind(options: argparse.Namespace) -> str:
    if options.json:
        return "json"
    if options.color == "never":
        return "plain"
    if options.color == "always" or sys.stdout.isatty():
        return "terminal"
    return "plain"


def _read(path: str | None) -> str:
    if path is None or path == "-":
        return sys.stdin.buffer.read().decode("utf-8", "replace")
    with open(path, "rb") as handle:
        return handle.read().decode("utf-8", "replace")
