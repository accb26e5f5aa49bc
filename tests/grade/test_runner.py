"""The fence around the student's program: limits, scratch directory, kill the group."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

from smtp_tutor.grade.runner import absolute_paths, program_env, run_program


def run(code: str, tmp_path: Path, **limits) -> object:
    env = program_env(2525, str(tmp_path), {})
    options = {"seconds": 5, "memory_mb": 512, "output_kb": 4, **limits}
    return asyncio.run(run_program([sys.executable, "-c", code], env=env, cwd=str(tmp_path),
                                   **options))


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def test_children_are_killed_with_the_program(tmp_path):
    code = ("import subprocess, sys, os\n"
            "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
            "open('child', 'w').write(str(p.pid))\n")
    result = run(code, tmp_path)
    assert result.status == "exited" and result.seconds < 3
    pid = int((tmp_path / "child").read_text())
    deadline = time.monotonic() + 2
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)


def test_output_is_bounded_and_counted(tmp_path):
    result = run("import sys\nfor _ in range(100000): print('x' * 50)\n"
                 "sys.stderr.write('e' * 10000)", tmp_path)
    assert result.status == "exited" and result.returncode == 0
    assert len(result.stdout) == 4096 and result.stdout_total == 5_100_000
    assert len(result.stderr) == 4096 and result.stderr_total == 10000


def test_memory_limit(tmp_path):
    result = run("x = bytearray(800 * 1024 * 1024)", tmp_path, memory_mb=256)
    assert result.returncode != 0 and b"MemoryError" in result.stderr
    assert result.crashed


def test_wall_clock_limit(tmp_path):
    started = time.monotonic()
    result = run("while True: pass", tmp_path, seconds=0.5)
    assert result.status == "timeout" and time.monotonic() - started < 3


def test_environment_is_short_and_the_directory_is_scratch(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_SECRET_TOKEN", "hunter2")
    code = "import os, json; print(json.dumps(dict(os.environ))); print(os.getcwd())"
    result = run(code, tmp_path, output_kb=64)
    text = result.stdout.decode()
    assert "hunter2" not in text and '"SMTP_PORT": "2525"' in text
    assert str(tmp_path) in text.splitlines()[-1]


def test_missing_program_is_reported(tmp_path):
    result = asyncio.run(run_program(["/nonexistent/client"], env={}, cwd=str(tmp_path),
                                     seconds=1))
    assert result.status == "not-started" and "/nonexistent/client" in result.error


def test_relative_paths_become_absolute(tmp_path, monkeypatch):
    (tmp_path / "client.py").write_text("")
    monkeypatch.chdir(tmp_path)
    assert absolute_paths(["python3", "client.py", "--x", "1025"]) == [
        "python3", os.path.join(str(tmp_path), "client.py"), "--x", "1025"]
