"""The result of a grading: checks with points, what decided each, and words for them.

Texts come from ``knowledge/data/grade.toml`` in the reader's language.  Everything
the student's program or server said passes through ``visible()`` before it is put
into a check, so no output format can carry a control or bidi character.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from smtp_tutor.knowledge.catalogue import say
from smtp_tutor.protocol.visible import visible


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
    status: str = ""  # "passed", "failed", "not-reached"
    beyond: bool = False  # "beyond the handout"
    counted: bool = True  # False: not reached, and the rubric says void
    reason: str = ""  # what decided it: a key of grade.toml's reason table

    def __post_init__(self) -> None:
        self.status = self.status or ("passed" if self.passed else "failed")

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
    isolation: str = ""  # "full", "uid" or "weak"
    isolation_why: str = ""  # why not stronger
    limits: list[dict[str, object]] = field(default_factory=list)  # name, value, held
    rubric: dict[str, str] = field(default_factory=dict)  # name, version, sha256, source
    tool: str = ""  # smtp-tutor's version
    diagnosis: str = ""  # the program never started or never connected: the one cause
    first_fix: str = ""  # the first thing to fix, when there is one
    transcripts: dict[str, list[str]] = field(default_factory=dict)  # scenario -> lines
    notes: list[str] = field(default_factory=list)  # e.g. the connections not graded

    @property
    def score(self) -> float:
        return sum(check.points for check in self.checks)

    @property
    def max_score(self) -> float:
        return sum(check.max_points for check in self.checks)

    @property
    def passed(self) -> bool:
        return not self.error and all(check.passed for check in self.checks
                                      if check.counted and check.max_points > 0)

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "title": visible(self.title), "target": visible(self.target),
                "lang": self.lang, "score": self.score, "max_score": self.max_score,
                "passed": self.passed, "error": self.error, "isolation": self.isolation,
                "isolation_why": self.isolation_why, "limits": self.limits,
                "rubric": self.rubric, "tool": self.tool, "diagnosis": self.diagnosis,
                "first_fix": self.first_fix, "notes": self.notes,
                "checks": [check.to_dict() for check in self.checks], "runs": self.runs,
                "transcripts": self.transcripts}

    def headline(self) -> list[str]:
        """The lines every format opens with: the isolation level first, then which
        rubric and tool decided the grade."""
        lang = self.lang
        lines = []
        if self.isolation:
            lines.append(say("grade", "ui.isolation-line", lang, level=self.isolation,
                              meaning=say("grade", f"ui.level-{self.isolation}", lang)))
            if self.isolation_why:
                lines.append(say("grade", "ui.isolation-why", lang, why=self.isolation_why))
        if self.limits:
            def name(limit: dict[str, object]) -> str:
                return say("grade", f"ui.limit-{limit['name']}", lang)

            def value(limit: dict[str, object]) -> str:
                shown = str(limit["value"])
                return say("grade", "ui.limit-own-loopback", lang) if shown == "own loopback" \
                    else shown

            held = [f"{name(x)} {value(x)}" for x in self.limits if x["held"]]
            loose = [name(x) for x in self.limits if not x["held"]]
            lines.append(say("grade", "ui.limits-line", lang, held=", ".join(held) or "-",
                              loose=", ".join(loose) or "-"))
        lines += self.notes
        if self.rubric:
            lines.append(say("grade", "ui.rubric-line", lang, name=self.rubric.get("name", ""),
                              version=self.rubric.get("version", "") or "-",
                              digest=self.rubric.get("sha256", "")[:16] or "-",
                              tool=self.tool))
        return lines

