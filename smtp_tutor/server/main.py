"""``smtp-tutor serve``: the practice server in the foreground."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import sys
from pathlib import Path


def serve(options: argparse.Namespace, lang: str) -> int:
    from smtp_tutor.paths import data_dir
    from smtp_tutor.server.app import ServerConfig, start_server
    from smtp_tutor.server.certs import ensure_certificates
    from smtp_tutor.server.users import UsersFileError, load_users

    if options.print_ca:
        ca_path, _, _ = ensure_certificates(data_dir() / "tls", options.domain)
        print(ca_path)
        return 0
    try:
        users = load_users(options.users)
    except UsersFileError as error:
        sys.stderr.write(f"smtp-tutor: {error}\n")
        return 2
    if not _is_loopback(options.host):
        sys.stderr.write(f"smtp-tutor: warning: listening on {options.host}, not only on "
                         "loopback: other machines can reach this practice server.\n")
    config = ServerConfig(host=options.host, port=options.port, domain=options.domain,
                          mailbox_dir=Path(options.mailbox_dir) if options.mailbox_dir else None,
                          users=users, allow_insecure_auth=options.allow_insecure_auth,
                          greylist_seconds=max(0.0, options.greylist))

    async def main() -> None:
        try:
            running = await start_server(config)
        except OSError as error:
            sys.stderr.write(f"smtp-tutor: cannot listen on {options.host} port {options.port}: "
                             f"{error.strerror}\n  Try another --port.\n")
            raise SystemExit(1) from error
        print(f"smtp-tutor practice server for {options.domain} on "
              f"{running.host} port {running.port}; CA for --cafile: {running.ca_path}",
              flush=True)
        print(f"users: {', '.join(sorted(users))}. Ctrl-C stops it.", flush=True)
        await running.server.serve_forever()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        return 0
    return 0


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
