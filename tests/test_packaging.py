"""What `pip install .` (the README's first command) installs: every package of the tree.

The package list in pyproject.toml is explicit (the lesson library is installed from the
top-level lessons/ folder as smtp_tutor.library), so a new package must be added there;
an editable install would hide the omission, a user's install would not.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_of_the_tree_is_installed():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    in_tree = {".".join(path.parent.relative_to(ROOT).parts)
               for path in (ROOT / "smtp_tutor").rglob("__init__.py")}
    assert in_tree - listed == set(), "add these to [tool.setuptools] packages"
    assert listed - in_tree == {"smtp_tutor.library"}


def test_every_data_file_is_covered_by_the_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    data = config["tool"]["setuptools"]["package-data"]
    assert "data/*.toml" in data["smtp_tutor.knowledge"]
    data_files = {path.name for path in (ROOT / "smtp_tutor").rglob("*")
                  if path.suffix in (".toml", ".json", ".lesson") and "__pycache__" not in
                  path.parts}
    covered = {path.name for path in (ROOT / "smtp_tutor" / "knowledge" / "data").glob("*.toml")}
    covered |= {path.name for path in (ROOT / "smtp_tutor" / "grade" / "rubrics").glob("*.toml")}
    assert data_files - covered == set(), "add these to [tool.setuptools.package-data]"
