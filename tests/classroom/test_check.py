"""`class check HOST`: the first thing that stops a student, named."""

from __future__ import annotations

import errno
import socket

from smtp_tutor.classroom.check import check, why_not_connected
from tests.conftest import run_tutor


def test_a_working_class_server_and_the_right_ca(lab_of):
    lab = lab_of(2)
    ok, lines = check("127.0.0.1", lab.port, str(lab.running.ca_path), "en")
    assert ok and "You can join" in lines[-1] and lab.running.fingerprint in lines[-1]
    ok, lines = check("127.0.0.1", lab.port, None, "en")
    assert not ok and "--cafile" in lines[-1]


def test_wrong_port_wrong_service_wrong_ca(lab_of, tmp_path):
    lab = lab_of(2)
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    ok, lines = check("127.0.0.1", port, None, "en")
    assert not ok and "nothing listens on port" in lines[0]
    ok, lines = check("127.0.0.1", lab.pop3_port, None, "vi")
    assert not ok and "không phải lời chào SMTP" in lines[-1]
    from smtp_tutor.server.certs import new_ca, pem

    other = tmp_path / "other-ca.pem"
    other.write_bytes(pem(new_ca("someone else")[1]))
    ok, lines = check("127.0.0.1", lab.port, str(other), "en")
    assert not ok and "not signed by your class-ca.pem" in lines[-1]


def test_what_a_silent_or_unreachable_network_means():
    assert why_not_connected(TimeoutError()) == "check_silent"
    assert why_not_connected(OSError(errno.EHOSTUNREACH, "x")) == "check_no_route"
    assert why_not_connected(socket.gaierror(-2, "x")) == "check_no_name"


def test_the_command_line(lab_of):
    lab = lab_of(1)
    ports = ("--pop3-port", str(lab.pop3_port), "--imap-port", str(lab.running.imap_port))
    result = run_tutor("class", "check", "127.0.0.1", "--port", str(lab.port), "--cafile",
                       str(lab.running.ca_path), *ports)
    assert result.returncode == 0 and b"You can join" in result.stdout
    assert f"IMAP on 127.0.0.1:{lab.running.imap_port}".encode() in result.stdout


def test_sending_works_but_reading_does_not(lab_of):
    lab = lab_of(1)
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        closed = free.getsockname()[1]
    ca = str(lab.running.ca_path)
    ok, lines = check("127.0.0.1", lab.port, ca, "en", mail_ports=(lab.pop3_port, closed))
    assert not ok and "IMAP does not answer on 127.0.0.1:" in lines[-1]
    ok, lines = check("127.0.0.1", lab.port, ca, "vi",
                      mail_ports=(lab.running.imap_port, lab.pop3_port))  # swapped
    assert not ok and "không phải POP3" in lines[-1]


def test_a_student_fetches_the_ca_with_one_command_and_sees_its_fingerprint(lab_of,
                                                                          tmp_path):
    lab = lab_of(1)
    saved = tmp_path / "class-ca.pem"
    result = run_tutor("class", "check", "127.0.0.1", "--port", str(lab.port), "--save-ca",
                       str(saved), "--progress-port", str(lab.running.progress_port),
                       "--pop3-port", str(lab.pop3_port), "--imap-port",
                       str(lab.running.imap_port))
    assert result.returncode == 0, result.stdout
    assert saved.read_text() == lab.running.ca_path.read_text()
    assert lab.running.fingerprint.encode() in result.stdout and b"You can join" in result.stdout


def test_the_instructors_own_certificate(lab_of, tmp_path):
    from smtp_tutor.classroom.tls import fingerprint
    from smtp_tutor.server.certs import new_ca, new_server_certificate, pem, write_key

    ca_key, ca_cert = new_ca("Khoa CNTT lab CA")
    key, cert = new_server_certificate(ca_key, ca_cert, "lab.example", ["localhost"],
                                       ["127.0.0.1"])
    files = (tmp_path / "ca.pem", tmp_path / "server.pem", tmp_path / "server.key")
    files[0].write_bytes(pem(ca_cert))
    files[1].write_bytes(pem(cert))
    write_key(files[2], key)
    lab = lab_of(1, tls_files=files)
    assert lab.running.fingerprint == fingerprint(files[0])
    ok, lines = check("127.0.0.1", lab.port, str(files[0]), "en")
    assert ok, lines
