"""Real mail programs read Bob's mailbox from our IMAP server: s-nail (STARTTLS, the world's
CA checked) and fetchmail."""

from __future__ import annotations

import os
import shutil
import subprocess

from tests.conftest import need


def _flags(root) -> dict[str, str]:
    """Subject → the Maildir info letters of its file."""
    out = {}
    for sub in ("new", "cur"):
        for path in (root / "bob" / sub).iterdir():
            subject = next(line for line in path.read_text().splitlines() if line.startswith("Subject:"))
            out[subject[9:]] = path.name.partition(":")[2]
    return out


def test_s_nail_lists_reads_and_marks_seen(mailhost, tmp_path):
    binary = shutil.which("s-nail")
    need(binary is not None, "s-nail: sudo apt-get install s-nail")
    env = {**os.environ, "HOME": str(tmp_path), "MAILRC": os.devnull, "LC_ALL": "C.UTF-8"}
    url = f"imap://bob@localhost:{mailhost.port}"
    result = subprocess.run(
        [binary, "-#", "-n", "-S", "v15-compat", "-S", f"password-bob@localhost:{mailhost.port}=pickles",
         "-S", "imap-use-starttls", "-S", f"tls-ca-file={mailhost.ca}", "-S", "tls-verify=strict",
         "-f", url],
        input=b"headers\nprint 2\nquit\n", capture_output=True, env=env, timeout=30)
    out = result.stdout.decode(errors="replace")
    assert result.returncode == 0, out + result.stderr.decode(errors="replace")
    for subject in ("Pickles", "Ketchup", "Crepes"):
        assert subject in out
    assert "And how about pickles?" in out and "\n.dot line" in out
    flags = _flags(mailhost.root)
    assert flags["Ketchup"] == "2,S" and "S" not in flags["Pickles"]


def test_fetchmail_downloads_over_imap(mailhost, tmp_path):
    binary = shutil.which("fetchmail")
    need(binary is not None, "fetchmail: sudo apt-get install fetchmail")
    out_dir = tmp_path / "delivered"
    out_dir.mkdir()
    rc = tmp_path / "fetchmailrc"
    rc.write_text(
        f"poll 127.0.0.1 service {mailhost.port} protocol IMAP\n"
        f"  user bob there with password pickles is bob here\n"
        f"  sslproto tls1.2+ sslcertck sslcertfile {mailhost.ca} sslcommonname localhost\n"
        f"  keep fetchall mda \"sh -c 'cat > {out_dir}/$$.eml'\"\n")
    rc.chmod(0o600)
    env = {**os.environ, "HOME": str(tmp_path), "FETCHMAILHOME": str(tmp_path)}
    result = subprocess.run([binary, "-f", str(rc), "--nodetach", "--nosyslog", "-v"],
                            capture_output=True, env=env, timeout=60)
    log = result.stdout.decode(errors="replace") + result.stderr.decode(errors="replace")
    assert result.returncode == 0, log
    texts = [path.read_text() for path in out_dir.iterdir()]
    assert sorted(t.split("Subject: ", 1)[1].split("\n", 1)[0] for t in texts) == \
        ["Crepes", "Ketchup", "Pickles"]
    assert all(t.rstrip("\n").endswith(".dot line") for t in texts)
    assert "pickles" not in log.replace("how about pickles", "")  # fetchmail shows it masked
    assert all(flag == "2,S" for flag in _flags(mailhost.root).values())  # keep: \Seen only
