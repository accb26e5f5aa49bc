"""The words of grade: every check and reason in English and Vietnamese; rubric errors."""

from __future__ import annotations

import re

import pytest

from smtp_tutor.grade.conformance import CHECKS
from smtp_tutor.grade.rubric import (
    CHECK_SCENARIO,
    RubricError,
    load_rubric,
    parse_rubric,
    shipped,
)
from smtp_tutor.knowledge.catalogue import say
from smtp_tutor.knowledge.store import load


def test_every_check_has_a_name_and_hint_in_both_languages():
    ids = list(CHECK_SCENARIO) + [f"server-{check_id}" for check_id, _, _ in CHECKS]
    for lang in ("en", "vi"):
        for check_id in ids:
            for field in ("name", "hint"):
                assert set(load("grade")["check"][check_id][field]) == {"en", "vi"}
                assert say("grade", f"check.{check_id}.{field}", lang), (lang, check_id)


def test_default_rubric_is_the_handout():
    rubric = load_rubric()
    assert rubric.name == "handout" and rubric.version == "1" and len(rubric.digest) == 64
    assert rubric.max_score == 15 and rubric.limits.seconds == 10
    assert rubric.not_reached == "void"
    beyond = {check.id for check in rubric.checks if check.beyond}
    assert beyond == {"multiline-ehlo", "split-replies", "rcpt-550", "greeting-421",
                      "mail-451", "strict-syntax"}
    assert all(check.points == 0 for check in rubric.checks if check.beyond)


def test_shipped_rubrics_load_by_name_and_keep_the_old_one():
    assert {"handout", "robust", "textbook-lab"} <= set(shipped())
    old = load_rubric("textbook-lab")
    assert old.max_score == 15 and old.scenarios() == [
        "plain", "split", "multiline", "slow-greeting", "rcpt-550", "greeting-421", "mail-451"]
    robust = load_rubric("robust")
    assert robust.env["SMTP_BODY"] and "dot-stuffing" in robust.scenarios()
    assert load_rubric("handout").digest != robust.digest


@pytest.mark.parametrize("data, message", [
    ({}, "no [[check]]"),
    ({"check": [{"id": "nope"}]}, "id must be one of"),
    ({"check": [{"id": "quit", "points": -1}]}, "points must be >= 0"),
    ({"check": [{"id": "quit"}], "limits": {"seconds": "ten"}}, "seconds"),
    ({"check": [{"id": "quit"}], "limits": {"sekonds": 3}}, "sekonds"),
    ({"check": [{"id": "quit"}], "not_reachd": "void"}, "unknown key 'not_reachd'"),
    ({"check": [{"id": "quit"}], "not_reached": "skip"}, "not_reached = 'skip'"),
])
def test_rubric_errors_name_the_problem(data, message):
    with pytest.raises(RubricError, match=re.escape(message)):
        parse_rubric(data, "my.toml")


def test_missing_rubric_file(tmp_path):
    with pytest.raises(RubricError, match="No such file"):
        load_rubric(tmp_path / "absent.toml")


def test_every_verdict_gives_the_parameters_of_its_reason():
    """A verdict's reason is a sentence of grade.toml filled with the verdict's params
    (``say("grade", f"reason.{reason}", lang, **params)``): read from the source, every
    ``Verdict(…, "reason", {…})`` and ``Finding(…)`` gives all its sentence takes, so no
    report stops on a missing parameter (one more is harmless: ``waited`` is given
    seconds its sentence does not show)."""
    import ast
    from pathlib import Path

    from smtp_tutor.knowledge.catalogue import has, pick, sentence
    from tests.knowledge.test_catalogue import placeholders

    problems, checked = [], 0
    for path in sorted((Path(__file__).resolve().parents[2] / "smtp_tutor" / "grade").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("Verdict", "Finding") and len(node.args) >= 2
                    and isinstance(node.args[1], ast.Constant)):
                continue
            key = f"reason.{node.args[1].value}"
            where = f"{path.name}:{node.lineno}"
            if not has("grade", key):
                problems.append(f"{where}: grade.toml has no sentence {key}")
                continue
            params = node.args[2] if len(node.args) > 2 else ast.Dict(keys=[], values=[])
            if not isinstance(params, ast.Dict) or not all(
                    isinstance(k, ast.Constant) for k in params.keys):
                continue
            given = {k.value for k in params.keys}
            for lang in ("en", "vi"):
                wanted = placeholders(pick(sentence("grade", key), lang))
                if wanted - given:
                    problems.append(f"{where}: {key} [{lang}] needs {sorted(wanted - given)}")
            checked += 1
    assert not problems, "\n".join(problems)
    assert checked > 50
