"""The Gradescope example, run as Gradescope runs it: the /autograder layout built in a
temporary folder from a wheel of this clone, setup.sh (without apt) then run_autograder
for a complete submission and for a file handed in under another name."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, need

EXAMPLE = ROOT / "examples" / "gradescope"
# a wheel built, a virtual environment made and the wheel installed with its dependencies:
# more than the suite's 60 s per test when other tests run beside it on a small machine
pytestmark = pytest.mark.timeout(300)
STUDENTS = ROOT / "tests" / "grade" / "students"


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    need(os.geteuid() == 0, "the Gradescope example runs as root, as Gradescope does")
    need(shutil.which("bwrap") is not None or shutil.which("setpriv") is not None,
         "bubblewrap or setpriv (apt-get install bubblewrap util-linux)")
    root = tmp_path_factory.mktemp("gradescope") / "autograder"
    source = root / "source"
    source.mkdir(parents=True)
    for name in ("setup.sh", "run_autograder"):
        shutil.copy2(EXAMPLE / name, source / name)
    tree = root.parent / "clone"  # built from a copy: the clone gets no build/ folder
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache"))
    # pip byte-compiles every module it installs (pygments and cryptography too), half
    # of its time here: the few the grader imports are compiled when first imported
    quick_pip = {**os.environ, "PIP_COMPILE": "0"}
    # the test extra's setuptools builds it (no isolated build environment made each run)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                            "--no-build-isolation", str(tree), "-w", str(source)],
                           capture_output=True, text=True, timeout=300, env=quick_pip)
    assert built.returncode == 0, built.stderr
    env = {**quick_pip, "AUTOGRADER": str(root), "SKIP_APT": "1"}
    setup = subprocess.run(["bash", str(source / "setup.sh")], capture_output=True, text=True,
                           env=env, timeout=600)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert "Isolation: " in setup.stdout
    return root, env


def _submit(autograder, files: dict[str, Path]) -> dict:
    root, env = autograder
    submission = root / "submission"
    shutil.rmtree(submission, ignore_errors=True)
    shutil.rmtree(root / "results", ignore_errors=True)
    submission.mkdir()
    for name, path in files.items():
        shutil.copy2(path, submission / name)
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_a_complete_submission_gets_full_marks(autograder):
    results = _submit(autograder, {"smtp_client.py": STUDENTS / "skeleton_complete.py"})
    assert results["score"] == 15, results.get("output")
    assert results["output"].startswith("Isolation: ")
    assert "Rubric: handout v1" in results["output"]
    assert {test["status"] for test in results["tests"] if test["max_score"]} == {"passed"}


def test_a_misnamed_file_is_diagnosed(autograder):
    results = _submit(autograder, {"SMTPClient.py": STUDENTS / "skeleton_complete.py"})
    assert results["score"] == 0
    assert "SMTPClient.py" in results["output"] and "did not start" in results["output"]
