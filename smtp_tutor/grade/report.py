"""The result of a grading: checks with points, what decided each, and words for them.

Texts come from ``knowledge/data/grade.toml`` in the reader's language.  Everything
the student's program or server said passes through ``visible()`` before it is put
into a check, so no output format can carry a control or bidi character.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from smtp_tutor.knowledge.store import load
from smtp_tutor.protocol.visible import visible


def text(lang: str, section: str, key: str, **params: object) -> str:
    """A sentence of grade.toml; unknown parameters show as ``-``."""
    table = load("grade")[lang][section]
    template = table.get(key) or load("grade")["en"][section].get(key, key)
    return template.format_map(_Defaulting({k: visible(str(v)) for k, v in params.items()}))


class _Defaulting(dict):
    def __missing__(self, key: str) -> str:
        return "-"


def check_text(lang: str, check_id: str, field_name: str) -> str:
    entry = load("grade")[lang]["check"].get(check_id) or load("grade")["en"]["check"][check_id]
    return entry.get(field_name, "")


@dataclass
class CheckResult:
    id: str
    name: str
    passed: bool
    points: float
    max_points: float
    rfc: str = ""
    summary: str = ""
    hint: str = ""
    excerpt: list[str] = field(default_factory=list)  # "C: ..." / "S: ..." lines, visible

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class Report:
    kind: str  # "client" or "server"
    title: str
    target: str  # the command, or HOST:PORT
    lang: str
    checks: list[CheckResult] = field(default_factory=list)
    runs: list[dict[str, object]] = field(default_factory=list)  # per scenario: status...
    error: str = ""  # the grading itself could not run

    @property
    def score(self) -> float:
        return sum(check.points for check in self.checks)

    @property
    def max_score(self) -> float:
        return sum(check.max_points for check in self.checks)

    @property
    def passed(self) -> bool:
        return not self.error and all(check.passed for check in self.checks)

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "title": visible(self.title), "target": visible(self.target),
                "lang": self.lang, "score": self.score, "max_score": self.max_score,
                "passed": self.passed, "error": self.error,
                "checks": [check.to_dict() for check in self.checks], "runs": self.runs}


def line_of(side: str, raw: str) -> str:
    """One dialogue line for an excerpt, made safe to show."""
    return f"{side}: {visible(raw)}"
