"""`smtp-tutor class start|board|export`: the lab room's face."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from smtp_tutor.faces.arguments import Subcommands, _t, add_lang, lang_of, whole

TYPE_CHECKING = False
if TYPE_CHECKING:
    import asyncio

REFRESH = 1.0  # seconds between two pictures of the board


def add_parser(commands: Subcommands) -> None:
    """class's parser: start, board, export and check, each with its folder."""
    sub = commands.add_parser("class", help=_t("class", "help"),
                              description=_t("class", "description"))
    actions = sub.add_subparsers(dest="action", metavar="ACTION", required=True)
    start = actions.add_parser("start", help=_t("class", "start"))
    start.add_argument("--roster", metavar="FILE.csv", help=_t("class", "roster"))
    start.add_argument("--host", default="127.0.0.1", help=_t("class", "host"))
    start.add_argument("--port", type=whole, default=2525, help=_t("class", "port"))
    start.add_argument("--pop3-port", type=whole, default=2110, help=_t("class", "pop3_port"))
    start.add_argument("--imap-port", type=whole, default=2143, help=_t("class", "imap_port"))
    start.add_argument("--progress-port", type=whole, default=2465,
                       help=_t("class", "progress_port"))
    start.add_argument("--domain", default="class.example", help=_t("class", "domain"))
    start.add_argument("--slips", metavar="FILE", help=_t("class", "slips"))
    start.add_argument("--board", action="store_true", help=_t("class", "board_here"))
    start.add_argument("--tls-cert", metavar="FILE", help=_t("class", "tls_cert"))
    start.add_argument("--tls-key", metavar="FILE", help=_t("class", "tls_key"))
    start.add_argument("--tls-ca", metavar="FILE", help=_t("class", "tls_ca"))
    start.add_argument("--anonymous", action="store_true", help=_t("class", "anonymous"))
    board = actions.add_parser("board", help=_t("class", "board"))
    board.add_argument("--anonymous", action="store_true", help=_t("class", "anonymous"))
    board.add_argument("--sort", choices=("stuck", "name"), default="stuck",
                       help=_t("class", "sort"))
    board.add_argument("--once", action="store_true", help=_t("class", "once"))
    board.add_argument("--student", metavar="USERNAME", help=_t("class", "student"))
    export = actions.add_parser("export", help=_t("class", "export"))
    export.add_argument("--csv", metavar="FILE", required=True, help=_t("class", "csv"))
    check = actions.add_parser("check", help=_t("class", "check"))
    check.add_argument("host", help=_t("class", "check_host"))
    check.add_argument("--port", type=whole, default=2525, help=_t("class", "port"))
    check.add_argument("--cafile", help=_t("class", "cafile"))
    check.add_argument("--save-ca", metavar="FILE", help=_t("class", "save_ca"))
    check.add_argument("--pop3-port", type=whole, default=2110, help=_t("class", "pop3_port"))
    check.add_argument("--imap-port", type=whole, default=2143, help=_t("class", "imap_port"))
    check.add_argument("--progress-port", type=whole, default=2465,
                       help=_t("class", "progress_port"))
    for action in (start, board, export, check):
        action.add_argument("--folder", help=_t("class", "folder"))
        add_lang(action)
        action.set_defaults(run=run)
    add_lang(sub)


def folder_of(options: argparse.Namespace) -> Path:
    if options.folder:
        return Path(options.folder)
    from smtp_tutor.paths import data_dir

    return data_dir() / "class"


def run(options: argparse.Namespace) -> int:
    """The action asked for, in the reader's language."""
    lang = lang_of(options)
    if options.action == "check":
        from smtp_tutor.classroom.check import check, save_ca

        cafile = options.cafile
        if options.save_ca:
            saved, line = save_ca(options.host, options.progress_port, Path(options.save_ca),
                                  lang)
            print(line)
            if not saved:
                return 1
            cafile = options.save_ca
        ok, lines = check(options.host, options.port, cafile, lang,
                          mail_ports=(options.pop3_port, options.imap_port))
        print("\n".join(lines))
        return 0 if ok else 1
    folder = folder_of(options)
    if options.action == "start":
        return _start(options, folder, lang)
    if options.action == "export":
        return _export(options, folder, lang)
    return _board(options, folder, lang)


def _read_board(folder: Path) -> dict | None:
    import json

    try:
        return json.loads((folder / "board.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _export(options: argparse.Namespace, folder: Path, lang: str) -> int:
    from smtp_tutor.classroom.export import export_csv
    from smtp_tutor.knowledge.catalogue import say

    board = _read_board(folder)
    if board is None:
        sys.stderr.write(say("classroom", "no_board", lang, folder=str(folder)) + "\n")
        return 1
    Path(options.csv).write_text(export_csv(board), encoding="utf-8", newline="")
    print(say("classroom", "exported", lang, count=len(board["students"]), path=options.csv))
    return 0


def _board(options: argparse.Namespace, folder: Path, lang: str) -> int:
    from smtp_tutor.classroom.board import color_wanted, dialogue, render
    from smtp_tutor.knowledge.catalogue import say

    board = _read_board(folder)
    if board is None:
        sys.stderr.write(say("classroom", "no_board", lang, folder=str(folder)) + "\n")
        return 1
    if options.student:
        print(dialogue(board, options.student, lang, shutil.get_terminal_size().columns))
        return 0
    tty = sys.stdout.isatty()
    if options.once or not tty:
        size = shutil.get_terminal_size()
        print(render(board, width=size.columns, height=size.lines, lang=lang,
                     sort=options.sort, anonymous=options.anonymous, color=color_wanted(tty)))
        return 0
    return _live_board(board, folder, options, lang)


class BoardKeys:
    """The live board's state and keys, the same in `class board` and `class start
    --board`: ↑/↓ (or k/j) choose a student, Enter shows their dialogue (Enter again:
    back), a: anonymous, s: sort, q: quit (in `start`: stop the class)."""

    def __init__(self, options: argparse.Namespace, lang: str, keys_line: str) -> None:
        self.anonymous = bool(options.anonymous)
        self.sort = getattr(options, "sort", "stuck")
        self.lang, self.keys_line = lang, keys_line
        self.at, self.open, self.count = 0, False, 0

    def picture(self, board: dict) -> str:
        from smtp_tutor.classroom.board import color_wanted, dialogue, render, visible_order
        from smtp_tutor.knowledge.catalogue import say

        size = shutil.get_terminal_size()
        names = visible_order(board, self.sort, size.lines)
        self.count = len(names)
        self.at = max(0, min(self.at, len(names) - 1))
        chosen = names[self.at] if names else ""
        if self.open:
            text = dialogue(board, chosen, self.lang, size.columns, anonymous=self.anonymous)
        else:
            text = render(board, width=size.columns, height=size.lines - 1, lang=self.lang,
                          sort=self.sort, anonymous=self.anonymous, color=color_wanted(True),
                          selected=chosen)
        return text + "\n" + say("classroom", self.keys_line, self.lang)[:size.columns]

    def key(self, key: bytes) -> bool:
        """True when the key asks to quit."""
        if key in (b"q", b"Q", b"\x03") or not key:
            return True
        if key in (b"j", b"\x1b[B"):
            self.at = min(self.count - 1, self.at + 1)
        elif key in (b"k", b"\x1b[A"):
            self.at = max(0, self.at - 1)
        elif key in (b"\r", b"\n"):
            self.open = not self.open
        elif key == b"a":
            self.anonymous = not self.anonymous
        elif key == b"s":
            self.sort = "name" if self.sort == "stuck" else "stuck"
        return False


class _Keyboard:
    """stdin in cbreak mode (keys one by one, no echo) and no cursor, put back at the end."""

    def __enter__(self) -> int:
        import termios
        import tty as terminal

        self.fd = sys.stdin.fileno()
        self.saved = termios.tcgetattr(self.fd) if sys.stdin.isatty() else None
        if self.saved is not None:
            terminal.setcbreak(self.fd)
        sys.stdout.write("\x1b[?25l\x1b[2J")
        return self.fd

    def __exit__(self, *_: object) -> None:
        import termios

        if self.saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)
        sys.stdout.write("\x1b[?25h\n")
        sys.stdout.flush()


def _live_board(board: dict, folder: Path, options: argparse.Namespace, lang: str) -> int:
    """The board redrawn every second from board.json, with the keys of ``BoardKeys``."""
    import select

    view = BoardKeys(options, lang, "board_keys")
    try:
        with _Keyboard() as stdin:
            while True:
                _show(view.picture(board))
                ready, _, _ = select.select([stdin], [], [], REFRESH)
                if ready and view.key(os.read(stdin, 16)):
                    return 0
                board = _read_board(folder) or board
    except KeyboardInterrupt:
        return 0


def _show(text: str) -> None:
    """One picture: from the top left, each line erased to its end, the rest cleared."""
    body = "\x1b[K\n".join(text.split("\n"))
    sys.stdout.write("\x1b[H" + body + "\x1b[K\x1b[J")
    sys.stdout.flush()


def _start(options: argparse.Namespace, folder: Path, lang: str) -> int:
    from smtp_tutor.classroom.roster import RosterError, read_roster
    from smtp_tutor.classroom.service import open_folder
    from smtp_tutor.knowledge.catalogue import say

    accounts = open_folder(folder)
    passwords: dict[str, str] = {}
    if options.roster:
        try:
            students = read_roster(Path(options.roster))
        except RosterError as error:
            sys.stderr.write(say("classroom", error.key, lang, **error.params) + "\n")
            return 2
        passwords = accounts.add(students)
        accounts.save()
    if not accounts.by_name:
        sys.stderr.write(say("classroom", "no_accounts", lang, folder=str(folder)) + "\n")
        return 2
    own = (options.tls_ca, options.tls_cert, options.tls_key)
    if any(own) and not all(own):
        sys.stderr.write(say("classroom", "tls_all_three", lang) + "\n")
        return 2
    import asyncio

    try:
        return asyncio.run(_serve(options, folder, accounts, passwords, lang))
    except KeyboardInterrupt:
        return 0


async def _serve(options: argparse.Namespace, folder: Path, accounts, passwords: dict[str, str],  # noqa: ANN001
                 lang: str) -> int:
    import asyncio
    import contextlib
    import signal

    from smtp_tutor.classroom.service import ClassConfig, is_loopback, start_class
    from smtp_tutor.classroom.slips import slips
    from smtp_tutor.knowledge.catalogue import say

    own = (options.tls_ca, options.tls_cert, options.tls_key)
    tls_files = (Path(options.tls_ca), Path(options.tls_cert), Path(options.tls_key)) \
        if all(own) else None
    config = ClassConfig(folder, host=options.host, port=options.port, tls_files=tls_files,
                         pop3_port=options.pop3_port, imap_port=options.imap_port,
                         progress_port=options.progress_port,
                         domain=options.domain.lower())
    running = await start_class(config, accounts)
    shown_host = options.host if options.host not in ("0.0.0.0", "::") else _lab_address()
    out = [say("classroom", "started", lang, domain=config.domain, students=len(accounts.by_name),
               host=options.host, port=running.port, pop3_port=running.pop3_port,
               imap_port=running.imap_port, progress_port=running.progress_port)]
    out.append(say("classroom", "loopback_only" if is_loopback(options.host) else "not_loopback", lang,
                   host=options.host, domain=config.domain))
    out.append(say("classroom", "fingerprint", lang, path=str(running.ca_path),
                   fingerprint=running.fingerprint))
    out.append(say("classroom", "folder", lang, folder=str(folder)))
    if passwords:
        from smtp_tutor.classroom.accounts import write_private

        text = slips(list(accounts.by_name.values()), passwords, domain=config.domain,
                     host=shown_host, port=running.port, pop3_port=running.pop3_port,
                     imap_port=running.imap_port,
                     fingerprint=running.fingerprint)
        if options.slips == "-":  # printed, never written
            out.insert(0, text)
        else:
            path = Path(options.slips) if options.slips else folder / "slips.txt"
            write_private(path, text.encode("utf-8"))
            out.append(say("classroom", "slips_written", lang, count=len(passwords), path=str(path)))
    else:
        out.append(say("classroom", "no_new_students", lang))
    out.append(say("classroom", "stop_hint", lang))
    print("\n".join(out), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    board_task = None
    if options.board and sys.stdout.isatty() and sys.stdin.isatty():
        board_task = loop.create_task(_live(running, options, lang, stop))
    try:
        await stop.wait()
    finally:
        if board_task is not None:
            board_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await board_task
        await running.stop()
    return 0


async def _live(running, options: argparse.Namespace, lang: str,  # noqa: ANN001
                stop: asyncio.Event) -> None:
    """The keyed board in the class server's own terminal, drawn from the running class
    (no file between them); q stops the class as Ctrl-C does."""
    import asyncio
    import contextlib

    view = BoardKeys(options, lang, "board_keys_start")
    pressed = asyncio.Event()
    loop = asyncio.get_running_loop()
    with _Keyboard() as stdin:

        def read_key() -> None:
            if view.key(os.read(stdin, 16)):
                stop.set()
            pressed.set()
        loop.add_reader(stdin, read_key)
        try:
            while not stop.is_set():
                _show(view.picture(running.board()))
                pressed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(pressed.wait(), REFRESH)
        finally:
            loop.remove_reader(stdin)


def _lab_address() -> str:
    """The address students type when the server listens on every interface."""
    import socket

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: only the route is chosen
            return probe.getsockname()[0]
    except OSError:
        return os.uname().nodename
