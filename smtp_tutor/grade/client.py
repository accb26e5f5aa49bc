"""``grade client``: run the student's program in each scenario of the rubric, judge it."""

from __future__ import annotations

import shlex

from smtp_tutor.grade.checks import judge
from smtp_tutor.grade.report import Report, text
from smtp_tutor.grade.rubric import Rubric
from smtp_tutor.grade.scenarios import Outcome, run_scenario


async def grade_client(command: list[str], rubric: Rubric, *, port: int = 0,
                       lang: str = "en") -> Report:
    """Each scenario once, in rubric order, each against a fresh server on ``port``."""
    report = Report("client", rubric.title, shlex.join(command), lang)
    outcomes: dict[str, Outcome] = {}
    for scenario in rubric.scenarios():
        try:
            outcomes[scenario] = await run_scenario(scenario, rubric, command, port=port)
        except OSError as error:  # the port is taken, most likely
            report.error = text(lang, "ui", "server-failed", port=port,
                                error=error.strerror or str(error))
            return report
        run = outcomes[scenario].run
        report.runs.append({
            "scenario": scenario, "status": run.status, "returncode": run.returncode,
            "seconds": round(run.seconds, 3), "stdout_bytes": run.stdout_total,
            "stderr_bytes": run.stderr_total})
    report.checks = [judge(spec, outcomes[spec.scenario], lang) for spec in rubric.checks]
    return report
