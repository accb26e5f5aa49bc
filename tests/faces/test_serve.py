"""``smtp-tutor serve``'s face: its parser, and the fault table under its help."""

import subprocess
import sys

from smtp_tutor.cli import build_parser
from tests.conftest import tutor_in_process


def test_the_serve_fault_table_is_the_one_faults_py_describes():
    from smtp_tutor.faces import serve
    from smtp_tutor.server.faults import FAULTS, describe_faults

    build_parser("serve", "en")
    assert serve._faults_epilog() == describe_faults()
    build_parser("serve", "vi")
    vi = serve._faults_epilog()
    assert all(f"{name}@" in vi for name in FAULTS) and "tạm thời" in vi
    build_parser("", "en")


def test_the_fault_table_is_under_the_help_in_the_run_language():
    from smtp_tutor.server.faults import FAULTS

    english = tutor_in_process("serve", "--help").stdout.decode()
    assert all(f"  {name}@" in english for name in FAULTS) and "accepted, but after 5 s" in english
    vi = tutor_in_process("serve", "--help", "--lang", "vi").stdout.decode()
    assert all(f"  {name}@" in vi for name in FAULTS) and "nhưng sau 5 giây" in vi


def test_the_fault_table_is_built_only_for_the_help():
    """Parsing serve's options imports nothing of the server: the table waits for --help."""
    code = ("import sys\nfrom smtp_tutor.cli import build_parser\n"
            "options = build_parser('serve', 'en').parse_args(['serve', '--port', '2600'])\n"
            "print(options.port, 'smtp_tutor.server.faults' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["2600", "False"], result.stderr
