"""The grading rubric: which checks run, what each is worth, the limits of a run.

A TOML file (the default, ``rubrics/textbook-lab.toml``, is the textbook's SMTP lab);
instructors copy and edit it.  Loading checks every field, so a typo is an error
with the file's name, never a silently different grade.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RUBRICS = Path(__file__).with_name("rubrics")
DEFAULT_NAME = "handout"
DEFAULT = RUBRICS / f"{DEFAULT_NAME}.toml"
NOT_REACHED = ("zero", "void")  # a check whose situation never arose: 0 points, or not counted

# check id -> the scenario (a fresh server so set up) the program is run in for it
CHECK_SCENARIO = {
    "delivered": "plain", "envelope": "plain", "body": "plain", "quit": "plain",
    "exits": "plain", "clean-dialogue": "plain",
    "split-replies": "split", "multiline-ehlo": "multiline", "slow-greeting": "slow-greeting",
    "rcpt-550": "rcpt-550", "greeting-421": "greeting-421", "mail-451": "mail-451",
    "dot-stuffing": "dot-stuffing", "strict-syntax": "plain",
}
DEFAULT_DOT_BODY = "A line with a dot:\n.\n.hidden starts with a dot\n..two dots\nThe end."


class RubricError(ValueError):
    pass


@dataclass(frozen=True)
class CheckSpec:
    id: str
    points: float
    name: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    beyond: bool = False  # "beyond the handout": reported in a group of its own

    @property
    def scenario(self) -> str:
        return CHECK_SCENARIO[self.id]


@dataclass(frozen=True)
class Limits:
    seconds: float = 10.0
    memory_mb: int = 512
    output_kb: int = 64
    processes: int = 64
    file_mb: int = 16
    scratch_mb: int = 64
    cpu_seconds: int = 0


@dataclass(frozen=True)
class Timing:
    greeting_seconds: float = 0.5
    split_seconds: float = 0.1
    line_seconds: float = 0.1


@dataclass(frozen=True)
class Rubric:
    title: str
    checks: tuple[CheckSpec, ...]
    limits: Limits = Limits()
    timing: Timing = Timing()
    env: dict[str, str] = field(default_factory=dict)
    source: str = ""
    name: str = "custom"  # the rubric's own name ("handout", "robust", ...)
    version: str = ""
    digest: str = ""  # sha256 of the file: which rubric decided a disputed grade
    not_reached: str = "zero"
    title_vi: str = ""  # the title in Vietnamese (``title_vi``), when the rubric gives one

    def title_in(self, lang: str) -> str:
        return self.title_vi if lang == "vi" and self.title_vi else self.title

    def scenarios(self) -> list[str]:
        """The scenarios to run, each once, in the order their checks come."""
        seen: list[str] = []
        for check in self.checks:
            if check.scenario not in seen:
                seen.append(check.scenario)
        return seen

    @property
    def max_score(self) -> float:
        return sum(check.points for check in self.checks)


def shipped() -> list[str]:
    """The rubrics that come with the tool, by name."""
    return sorted(path.stem for path in RUBRICS.glob("*.toml"))


def load_rubric(path: str | Path | None = None) -> Rubric:
    """A shipped rubric by name (``handout``, ``robust``, ``textbook-lab``) or a file."""
    source = Path(path) if path else DEFAULT
    if path and str(path) in shipped() and not source.exists():
        source = RUBRICS / f"{path}.toml"
    try:
        raw = source.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except OSError as error:
        names = ", ".join(shipped())
        raise RubricError(f"{source}: {error.strerror} (shipped rubrics: {names})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise RubricError(f"{source}: {error}") from None
    rubric = parse_rubric(data, str(source))
    return _with(rubric, digest=hashlib.sha256(raw).hexdigest())


def _with(rubric: Rubric, **changes: Any) -> Rubric:
    import dataclasses

    return dataclasses.replace(rubric, **changes)


TOP_KEYS = ("name", "version", "title", "title_vi", "not_reached", "limits", "timing", "env",
            "check")


def parse_rubric(data: dict[str, Any], source: str = "rubric") -> Rubric:
    unknown = [key for key in data if key not in TOP_KEYS]
    if unknown:  # a typo must be an error, never a silently different grade
        raise RubricError(f"{source}: unknown key {unknown[0]!r}; expected one of "
                          f"{', '.join(TOP_KEYS)}")
    checks = []
    for index, entry in enumerate(data.get("check", []), 1):
        if not isinstance(entry, dict) or entry.get("id") not in CHECK_SCENARIO:
            known = ", ".join(CHECK_SCENARIO)
            raise RubricError(f"{source}: check {index}: id must be one of {known}")
        points = entry.get("points", 1)
        if not isinstance(points, int | float) or points < 0:
            raise RubricError(f"{source}: check {index} ({entry['id']}): points must be >= 0")
        params = {k: v for k, v in entry.items()
                  if k not in ("id", "points", "name", "beyond")}
        checks.append(CheckSpec(entry["id"], float(points), str(entry.get("name", "")), params,
                                bool(entry.get("beyond", False))))
    if not checks:
        raise RubricError(f"{source}: no [[check]] entries")
    not_reached = data.get("not_reached", "zero")
    if not_reached not in NOT_REACHED:
        raise RubricError(f"{source}: not_reached = {not_reached!r}: expected "
                          f"{' or '.join(repr(v) for v in NOT_REACHED)}")
    return Rubric(
        title=str(data.get("title", "SMTP client")),
        checks=tuple(checks),
        limits=Limits(**_numbers(data.get("limits", {}), Limits, source)),
        timing=Timing(**_numbers(data.get("timing", {}), Timing, source)),
        env={str(k): str(v) for k, v in data.get("env", {}).items()},
        source=source,
        name=str(data.get("name", Path(source).stem if source != "rubric" else "custom")),
        version=str(data.get("version", "")),
        title_vi=str(data.get("title_vi", "")),
        not_reached=not_reached,
    )


def _numbers(table: dict[str, Any], kind: type[Limits | Timing], source: str) -> dict[str, Any]:
    fields = kind.__dataclass_fields__
    for name, value in table.items():
        if name not in fields or not isinstance(value, int | float) or value < 0:
            raise RubricError(f"{source}: {name} = {value!r}: expected one of "
                              f"{', '.join(fields)} with a number >= 0")
    return dict(table)
