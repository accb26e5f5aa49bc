"""mypy finds nothing in the package, at its default strictness.

The options are in pyproject.toml (``[tool.mypy]``: the files, the Python version, no
unused ``# type: ignore``), and mypy's version is pinned in the ``test`` extra, since each
release finds new things.  Without mypy the test is skipped, except in CI, where a missing
checker must never pass for a clean package (``need()``).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import need

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.timeout(300)  # a first run, without mypy's cache, checks every module
def test_mypy_finds_nothing() -> None:
    need(importlib.util.find_spec("mypy") is not None,
         "mypy (pip install -e '.[test]' installs the pinned version)")
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True,
                            text=True, timeout=280)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"mypy (config in pyproject.toml) says:\n{output}"
    assert "Success: no issues found" in output, output
