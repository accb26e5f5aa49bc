"""``smtp-tutor serve``: the practice SMTP server on loopback, with its teaching faults."""

from __future__ import annotations

import argparse

from smtp_tutor.faces.arguments import (
    RawFormatter,
    Subcommands,
    _t,
    add_lang,
    count,
    lang_of,
    positive_seconds,
    rate,
    seconds,
    whole,
)


def add_parser(commands: Subcommands) -> None:
    """serve's parser; the fault table below its help is drawn only when the help is shown."""
    sub = commands.add_parser(
        "serve", help=_t("serve", "help"), formatter_class=RawFormatter,
        description=_t("serve", "description"), epilog_from=_faults_epilog)
    sub.add_argument("--host", default="127.0.0.1", help=_t("serve", "host"))
    sub.add_argument("--port", type=whole, default=2525, help=_t("serve", "port"))
    sub.add_argument("--domain", default="hamburger.edu", help=_t("serve", "domain"))
    sub.add_argument("--mailbox-dir", help=_t("serve", "mailbox_dir"))
    sub.add_argument("--users", help=_t("serve", "users"))
    sub.add_argument("--print-ca", action="store_true", help=_t("serve", "print_ca"))
    sub.add_argument("--allow-insecure-auth", action="store_true",
                     help=_t("serve", "allow_insecure_auth"))
    sub.add_argument("--world", action="store_true", help=_t("serve", "world"))
    out = sub.add_argument_group(_t("serve", "console"))
    out.add_argument("--quiet", action="store_true", help=_t("serve", "quiet"))
    out.add_argument("--lint-report", metavar="FILE", help=_t("serve", "lint_report"))
    faults = sub.add_argument_group(_t("serve", "faults"))
    faults.add_argument("--greylist", type=seconds, default=0.0, metavar="SECONDS",
                        help=_t("serve", "greylist"))
    faults.add_argument("--fail-rate", type=rate, default=0.0, metavar="P",
                        help=_t("serve", "fail_rate"))
    faults.add_argument("--drop-rate", type=rate, default=0.0, metavar="P",
                        help=_t("serve", "drop_rate"))
    faults.add_argument("--slow", type=seconds, default=0.0, metavar="SECONDS",
                        help=_t("serve", "slow"))
    faults.add_argument("--max-connections", type=count, default=500, metavar="N",
                        help=_t("serve", "max_connections"))
    faults.add_argument("--max-size", type=count, default=10 * 1024 * 1024, metavar="OCTETS",
                        help=_t("serve", "max_size"))
    faults.add_argument("--seed", type=whole, help=_t("serve", "seed"))
    limits = sub.add_argument_group(_t("serve", "limits"))
    limits.add_argument("--max-recipients", type=count, default=100, metavar="N",
                        help=_t("serve", "max_recipients"))
    limits.add_argument("--max-errors", type=count, default=20, metavar="N",
                        help=_t("serve", "max_errors"))
    limits.add_argument("--idle-timeout", type=positive_seconds, default=300.0, metavar="SECONDS",
                        help=_t("serve", "idle_timeout"))
    limits.add_argument("--max-per-client", type=count, metavar="N",
                        help=_t("serve", "max_per_client"))
    add_lang(sub)
    sub.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    """The practice server (or, with ``--world``, the world with its defaults) until Ctrl-C."""
    if getattr(options, "world", False):
        from smtp_tutor.world.main import run_world

        options.dir, options.free_ports, options.speedup = None, False, 600.0
        options.ports = None
        options.give_up, options.pickup_delay = 120.0, 0.5
        return run_world(options, lang_of(options))
    from smtp_tutor.server.main import serve

    return serve(options, lang_of(options))


def _faults_epilog() -> str:
    """The fault recipients (server/faults.py's table) with their meaning in the run's language."""
    from smtp_tutor.server.faults import FAULTS, SLOW_SECONDS, fault_code

    lines = [_t("serve", "faults_heading")]
    for name, fault in FAULTS.items():
        shown = fault_code(fault)
        lines.append(f"  {name + '@':<10} {shown:<10} "
                     f"{_t('serve_faults', name, seconds=f'{SLOW_SECONDS:g}')}")
    return "\n".join(lines)
