"""``smtp-tutor export LESSON|TRANSCRIPT``: a dialogue as SVG, HTML or Markdown for slides."""

from __future__ import annotations

import argparse

from smtp_tutor.faces.arguments import Subcommands, _t, add_lang, lang_of, whole


def add_parser(commands: Subcommands) -> None:
    """export's parser: the source, the format, the output file and the width."""
    sub = commands.add_parser("export", help=_t("export", "help"),
                              description=_t("export", "description"))
    sub.add_argument("source", metavar="LESSON|TRANSCRIPT")
    sub.add_argument("--format", choices=("html", "svg", "md"), default="svg",
                     help=_t("export", "format"))
    sub.add_argument("--output", "-o", metavar="FILE", help=_t("export", "output"))
    sub.add_argument("--width", type=whole, default=100, help=_t("export", "width"))
    add_lang(sub)
    sub.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    """Write the export (demo/export.py does the drawing)."""
    from smtp_tutor.demo.export import export

    return export(options, lang_of(options))
