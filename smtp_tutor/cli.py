"""The ``smtp-tutor`` command line.

Start-up matters (students type ``--help`` a lot): this module imports nothing heavy.
``--version`` and the top-level ``--help`` answer without even argparse; every
subcommand imports its face only when it runs.
"""

from __future__ import annotations

import sys

from smtp_tutor import __version__

USAGE = """\
usage: smtp-tutor [--version] [--help] [COMMAND] [ARGS...]

Learn SMTP (RFC 5321) in the terminal: type the dialogue yourself, see every reply
explained. With no COMMAND, starts the built-in practice server (hamburger.edu) on
loopback and opens the interactive shell on it.

commands:
  connect [HOST [PORT]]  interactive shell (or scripted, when stdin is not a terminal)
                         on a real SMTP server; no HOST: the built-in practice server
  explain TOPIC          explain a reply code (354), an enhanced code (5.1.1), a command
                         (RCPT), an extension (PIPELINING) or a concept (dot-stuffing)
  annotate [FILE]        explain a transcript: S:/C: lines, swaks, smtplib debug, telnet
  lesson list|check|play worked sessions to watch or type, with hints (alice-bob first)
  demo LESSON            perform a lesson live on a projector, step by step
  export LESSON          a lesson or transcript as HTML/SVG/Markdown for slides
  serve                  run the practice server (hamburger.edu) on 127.0.0.1:2525
  mailbox USER           show the messages the practice server stored for USER
  grade client|server    autograde a student's SMTP client (-- COMMAND) or server

`smtp-tutor COMMAND --help` tells more. Language: --lang en|vi (default from LANG).
"""

COMMANDS = ("connect", "explain", "annotate", "lesson", "demo", "export", "serve", "mailbox",
            "grade")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):
        sys.stdout.write(f"smtp-tutor {__version__}\n")
        return 0
    if args in (["--help"], ["-h"], ["help"]):
        sys.stdout.write(USAGE)
        return 0
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except Exception as error:  # the last net: a short message, never a traceback
        import os

        if os.environ.get("SMTP_TUTOR_DEBUG"):
            raise
        sys.stderr.write(f"smtp-tutor: unexpected error: {type(error).__name__}: {error}\n"
                         "  Please report it; SMTP_TUTOR_DEBUG=1 shows the details.\n")
        return 70


def _silence_stdout() -> None:
    """The reader (e.g. `head`) went away: drop what is left instead of a traceback."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _dispatch(args: list[str]) -> int:
    from smtp_tutor.faces.arguments import build_parser

    if not args or args[0].startswith("-") and args[0] not in ("-h", "--help"):
        args = ["connect", *args]
    parser = build_parser(args[0])
    if args[0] not in COMMANDS:
        parser.error(f"unknown command “{args[0]}” (try: {', '.join(COMMANDS)})")
    options = parser.parse_args(args)
    return options.run(options)


if __name__ == "__main__":
    raise SystemExit(main())
