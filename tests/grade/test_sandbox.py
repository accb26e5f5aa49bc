"""The sandbox around the program under test, at every level this host gives: a hostile
program must not outlive its run, reach the grader, its files or another run's server,
or escape its limits; what a level cannot promise, its report says."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import stat
import tempfile
import textwrap
from pathlib import Path

import pytest

from smtp_tutor.grade.sandbox import LEVELS, RunLimits, Sandbox, SandboxError, choose, probe
from tests.conftest import need
from tests.grade.conftest import PYTHON

BEST = probe()
AVAILABLE = [level for level in LEVELS if LEVELS.index(level) <= LEVELS.index(BEST.level)]
OWN_UID = [level for level in AVAILABLE if level != "weak"]
IN_CI = os.environ.get("CI", "").lower() == "true"


def test_ci_gives_the_strongest_level():
    """CI runs as root with bubblewrap installed (.ci/run): every level is tested there."""
    if IN_CI:
        assert BEST.level == "full", BEST.why


@pytest.fixture
def course():
    """A course folder as an instructor keeps it: readable by its owner only."""
    with tempfile.TemporaryDirectory(prefix="course-") as name:
        root = Path(name)
        (root / "rubric.toml").write_text("secret rubric: the expected answers\n")
        (root / "rubric.toml").chmod(0o600)
        for student in ("alice", "bob"):
            folder = root / "submissions" / student
            folder.mkdir(parents=True)
            (folder / "notes.txt").write_text(f"{student}'s private work\n")
        (root / "results.json").write_text('{"score": 0}')
        (root / "results.json").chmod(0o600)
        yield root


async def _serve(sockets: list[socket.socket], seen: list[str]) -> list[asyncio.AbstractServer]:
    """A stand-in for the practice server: notes each connection and when it ended."""
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append("open")
        await reader.read()
        seen.append("closed")
        writer.close()

    return [await asyncio.start_server(handle, sock=sock) for sock in sockets]


def run(level: str, code: str, *, files: list[str] | None = None,
        env: dict[str, str] | None = None, seen: list[str] | None = None, **limits):
    """Run ``code`` in a sandbox of ``level``; returns (RunResult, the stand-in's log)."""
    seen = [] if seen is None else seen
    isolation = choose(None, level)
    options = {"seconds": 5, "output_kb": 64, **limits}

    async def go():
        script = Path(tempfile.mkdtemp(prefix="prog-"))
        script.chmod(0o755)
        (script / "prog.py").write_text(textwrap.dedent(code))
        box = Sandbox(isolation, [PYTHON, str(script / "prog.py")], RunLimits(**options),
                      port=0 if level != "full" else 1025,
                      files=[str(script / "prog.py"), *(files or [])], env=env or {})
        try:
            servers = await _serve(await box.listen(), seen)
            result = await box.run()
            for server in servers:
                server.close()
        finally:
            await box.close()
            (script / "prog.py").unlink()
            script.rmdir()
        await asyncio.sleep(0)
        return result

    return asyncio.run(go()), seen


DAEMON = """
    import os, socket, time
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            s = socket.create_connection((os.environ["SMTP_HOST"], int(os.environ["SMTP_PORT"])))
            s.sendall(b"still here\\r\\n")
            time.sleep(60)
        os._exit(0)
    time.sleep(0.5)
"""


@pytest.mark.parametrize("level", OWN_UID)
def test_a_double_forked_setsid_daemon_dies_with_the_run(level):
    result, seen = run(level, DAEMON)
    assert result.status == "exited"
    # the daemon's connection was closed by the end of the run: it is gone
    assert seen == ["open", "closed"]


@pytest.mark.parametrize("level", OWN_UID)
def test_the_grader_cannot_be_seen_signalled_or_read(level, monkeypatch):
    monkeypatch.setenv("GRADER_SECRET", "hunter2-token")
    code = f"""
        import os, signal, json
        me = os.getpid()
        found = {{"environ": [], "stopped": [], "cwd": []}}
        for name in os.listdir("/proc"):
            if not name.isdigit() or int(name) == me:
                continue
            try:
                if b"hunter2" in open(f"/proc/{{name}}/environ", "rb").read():
                    found["environ"].append(name)
            except OSError:
                pass
            try:
                found["cwd"].append(os.listdir(f"/proc/{{name}}/cwd")[:1])
            except OSError:
                pass
            if int(name) == {os.getpid()} or int(name) == os.getppid():
                try:
                    os.kill(int(name), signal.SIGCONT)
                    found["stopped"].append(name)
                except OSError:
                    pass
        try:
            os.kill({os.getpid()}, 0)
            found["stopped"].append("grader")
        except OSError:
            pass
        print(json.dumps(found))
    """
    result, _ = run(level, code)
    found = json.loads(result.stdout.decode())
    assert found["environ"] == [] and "grader" not in found["stopped"]
    assert all(entry == [] for entry in found["cwd"]) or level == "full"


@pytest.mark.parametrize("level", OWN_UID)
def test_rubric_siblings_outputs_and_home_are_out_of_reach(level, course, monkeypatch):
    """The instructor grades from the course folder (kept to its owner, as the README
    says); the run knows every path, as it could from the grader's command line."""
    alice = course / "submissions" / "alice"
    course.chmod(0o700)
    monkeypatch.chdir(course)
    targets = [course / "rubric.toml", course / "submissions" / "bob" / "notes.txt",
               course / "results.json", Path(os.path.expanduser("~")), Path(os.getcwd())]
    code = f"""
        import os, json
        seen = []
        for path in {[str(t) for t in targets]!r}:
            try:
                seen.append(os.listdir(path) if os.path.isdir(path) else open(path).read())
            except OSError:
                pass
        forged = []
        for path in {[str(course / "results.json"), str(course / "rubric.toml")]!r}:
            try:
                with open(path, "a") as handle:
                    handle.write('{{"score": 100}}')
                forged.append(path)
            except OSError:
                pass
        print(json.dumps({{"seen": seen, "forged": forged}}))
    """
    result, _ = run(level, code, files=[str(alice)])
    out = json.loads(result.stdout.decode())
    assert out["seen"] == [] and out["forged"] == [], out
    assert (course / "results.json").read_text() == '{"score": 0}'


@pytest.mark.parametrize("level", ["full"] if "full" in AVAILABLE else [])
def test_full_sees_only_its_own_network(level):
    outside = socket.create_server(("127.0.0.1", 0))  # another submission's server, say
    port = outside.getsockname()[1]
    code = f"""
        import socket
        try:
            socket.create_connection(("127.0.0.1", {port}), timeout=2)
            print("reached")
        except OSError as error:
            print("refused", error.errno)
    """
    try:
        result, _ = run(level, code)
    finally:
        outside.close()
    assert result.stdout.startswith(b"refused")


@pytest.mark.parametrize("level", ["full"] if "full" in AVAILABLE else [])
def test_full_serves_the_hard_coded_ports_on_both_loopbacks(level):
    code = """
        import socket
        for host, port in (("127.0.0.1", 1025), ("localhost", 25), ("127.0.0.1", 587),
                           ("127.0.0.1", 2525)):
            socket.create_connection((host, port), timeout=2).close()
        print("ok")
    """
    result, seen = run(level, code)
    assert result.stdout == b"ok\n", result.stderr
    assert seen.count("open") == 4


@pytest.mark.parametrize("level", OWN_UID)
def test_process_count_is_limited(level):
    code = """
        import os, time
        made = 0
        for _ in range(200):
            try:
                if os.fork() == 0:
                    time.sleep(5); os._exit(0)
                made += 1
            except OSError:
                break
        print(made)
    """
    result, _ = run(level, code, processes=20)
    assert int(result.stdout) < 20


@pytest.mark.parametrize("level", AVAILABLE)
def test_file_size_is_limited(level):
    code = """
        import os
        try:
            with open(os.path.join(os.environ["HOME"], "big"), "wb") as f:
                f.write(b"x" * (20 * 1024 * 1024))
            print("wrote")
        except OSError as error:
            print("refused", error.errno)
    """
    result, _ = run(level, code, file_mb=4)
    assert result.stdout.startswith(b"refused")


@pytest.mark.parametrize("level", ["full"] if "full" in AVAILABLE else [])
def test_scratch_size_is_limited(level):
    code = """
        import os
        try:
            for n in range(20):
                with open(f"part{n}", "wb") as f:
                    f.write(b"x" * (3 * 1024 * 1024))
            print("wrote")
        except OSError as error:
            print("refused", error.errno)
    """
    result, _ = run(level, code, file_mb=4, scratch_mb=16)
    assert result.stdout.startswith(b"refused")


@pytest.mark.parametrize("level", AVAILABLE)
def test_memory_limit(level):
    result, _ = run(level, "x = bytearray(800 * 1024 * 1024)", memory_mb=256)
    assert result.returncode != 0 and b"MemoryError" in result.stderr
    assert result.crashed


@pytest.mark.parametrize("level", AVAILABLE)
def test_wall_clock_limit(level):
    result, _ = run(level, "while True: pass", seconds=0.5)
    assert result.status == "timeout" and result.seconds < 3


@pytest.mark.parametrize("level", AVAILABLE)
def test_output_is_bounded_and_counted(level):
    result, _ = run(level, "import sys\nfor _ in range(100000): print('x' * 50)\n"
                    "sys.stderr.write('e' * 10000)", output_kb=4)
    assert result.status == "exited" and result.returncode == 0
    assert len(result.stdout) == 4096 and result.stdout_total == 5_100_000
    assert len(result.stderr) == 4096 and result.stderr_total == 10000


@pytest.mark.parametrize("level", AVAILABLE)
def test_environment_is_short(level, monkeypatch):
    monkeypatch.setenv("GRADER_SECRET_TOKEN", "hunter2")
    result, _ = run(level, "import os, json; print(json.dumps(dict(os.environ)))",
                    env={"SMTP_BODY": "hi"})
    env = json.loads(result.stdout.decode())
    assert "GRADER_SECRET_TOKEN" not in env and env["SMTP_BODY"] == "hi"
    assert set(env) <= {"PATH", "HOME", "TMPDIR", "SMTP_HOST", "SMTP_PORT", "SMTP_BODY",
                        "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "LANG", "LC_ALL",
                        "LC_CTYPE", "TZ", "PWD"}


def test_a_missing_program_is_reported():
    async def go():
        box = Sandbox(choose(None, "weak"), ["/nonexistent/client"], RunLimits(seconds=1))
        try:
            await box.listen()
            return await box.run()
        finally:
            await box.close()

    result = asyncio.run(go())
    assert result.status == "not-started" and "/nonexistent/client" in result.error


def test_a_level_above_the_host_or_below_the_requirement_is_refused():
    with pytest.raises(SandboxError):
        choose("full", "weak")
    if BEST.level != "full":
        with pytest.raises(SandboxError):
            choose(None, "full")


def test_staged_submission_is_read_only(course):
    need(BEST.level != "weak", "staging happens at uid and full (root, or bubblewrap)")
    alice = course / "submissions" / "alice"
    code = f"""
        import os
        where = [p for p in ("/submission/alice", {str(alice)!r}) if os.path.isdir(p)]
        try:
            open(os.path.join(where[0], "notes.txt"), "a").write("changed")
            print("changed")
        except OSError:
            print("read-only")
    """
    result, _ = run("full" if "full" in AVAILABLE else "uid", code, files=[str(alice)])
    assert result.stdout == b"read-only\n"
    assert (alice / "notes.txt").read_text() == "alice's private work\n"
    assert not stat.S_IMODE((course / "rubric.toml").stat().st_mode) & 0o077


def _grab_uid(queue) -> None:  # in a process of its own, as a second grader would be
    import time

    from smtp_tutor.grade.sandbox import _free_uid, _release_uid

    uid = _free_uid()
    queue.put(uid)
    time.sleep(0.5)
    _release_uid(uid)


def test_two_graders_never_give_their_runs_the_same_uid():
    """Each grader kills every process of its run's uid at the end: two graders on one
    machine must hold different uids (a lock file per uid)."""
    import multiprocessing

    queue = multiprocessing.get_context("fork").Queue()
    graders = [multiprocessing.get_context("fork").Process(target=_grab_uid, args=(queue,))
               for _ in range(4)]
    for grader in graders:
        grader.start()
    for grader in graders:
        grader.join(10)
    uids = [queue.get(timeout=5) for _ in graders]
    assert len(set(uids)) == 4


@pytest.mark.parametrize("level", ["full"] if "full" in AVAILABLE else [])
def test_dev_and_dev_shm_are_no_way_around_the_scratch_limit(level):
    code = """
        import errno
        out = []
        for path in ("/dev/big", "/dev/shm/big"):
            try:
                with open(path, "wb") as f:
                    f.write(b"x" * (12 * 1024 * 1024))
                out.append("wrote")
            except OSError as error:
                out.append(errno.errorcode[error.errno])
        print(" ".join(out))
    """
    result, _ = run(level, code, file_mb=32)
    assert result.stdout.split() == [b"EROFS", b"ENOSPC"], result.stdout + result.stderr


@pytest.mark.parametrize("level", ["uid"] if "uid" in AVAILABLE and BEST.root else [])
def test_what_a_uid_run_leaves_in_shared_folders_is_removed(level):
    import uuid

    name = f"smtp-tutor-left-{uuid.uuid4().hex}"
    code = f"""
        import os
        for folder in ("/tmp", "/dev/shm"):
            with open(os.path.join(folder, {name!r}), "wb") as f:
                f.write(b"x")
            os.makedirs(os.path.join(folder, {name!r} + "-dir", "deep"))
        print("left")
    """
    result, _ = run(level, code)
    assert result.stdout == b"left\n", result.stderr
    for folder in ("/tmp", "/dev/shm"):
        assert not os.path.exists(os.path.join(folder, name))
        assert not os.path.exists(os.path.join(folder, name + "-dir"))


def test_a_pipe_in_the_submission_is_left_out_and_a_named_one_is_refused(tmp_path):
    from smtp_tutor.grade.sandbox import stage

    folder = tmp_path / "alice"
    folder.mkdir()
    (folder / "smtp_client.py").write_text("print(1)\n")
    os.mkfifo(folder / "pipe")
    names = stage([str(folder)], tmp_path / "staged")
    assert sorted(p.name for p in (tmp_path / "staged" / names[str(folder)]).iterdir()) == [
        "smtp_client.py"]
    with pytest.raises(SandboxError, match="not a regular file"):
        stage([str(folder / "pipe")], tmp_path / "staged2")
