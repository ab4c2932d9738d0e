"""Every catalogue template, with its defaults and with varied parameters, in every format it
offers, passes its validator and the security rules with no finding at all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from tools.iac.catalogue import TEMPLATES, get_template, template_ids
from tools.iac.catalogue.base import Template
from tools.iac.checks import IacEnv, check_code
from tools.iac.matching import best_match
from tools.iac.model import IacFormat

CASES: list[tuple[Template, IacFormat, Mapping[str, Any]]] = [
    (t, fmt, values) for t in TEMPLATES for values in ({}, *t.variants) for fmt in t.formats
]


def _case_id(case: tuple[Template, IacFormat, Mapping[str, Any]]) -> str:
    t, fmt, values = case
    return f"{t.id}-{fmt}-{'defaults' if not values else 'variant' + str(t.variants.index(values))}"


def test_catalogue_covers_the_common_requests() -> None:
    assert len(TEMPLATES) >= 20
    assert len(set(template_ids())) == len(TEMPLATES)
    formats = {fmt for t in TEMPLATES for fmt in t.formats}
    assert formats == {"terraform", "cloudformation", "kubernetes"}
    for wanted in (
        "s3_private_bucket", "vpc", "sqs_with_dlq", "lambda_s3_trigger", "rds_postgres",
        "ecs_fargate_service", "iam_role_least_privilege", "cloudwatch_alarm", "k8s_deployment_service",
        "k8s_ingress", "k8s_cronjob", "k8s_configmap_secret", "k8s_hpa",
    ):  # fmt: skip
        assert get_template(wanted) is not None, wanted


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_template_renders_valid_and_rule_clean(
    case: tuple[Template, IacFormat, Mapping[str, Any]], iac_env: IacEnv
) -> None:
    template, fmt, values = case
    params = template.build_params(values)
    code = template.render_code(params, fmt)
    report = check_code(iac_env, code, fmt, getattr(params, "region", "us-east-1"))
    problems = [i.line() for i in report.errors()]
    assert report.ok, problems
    # Low-severity findings (hygiene such as access logging) warn without failing the code.
    high = [f for f in report.findings if f.severity != "low"]
    assert high == [], [f.detail for f in high]
    lint_warnings = [
        i.line() for r in report.runs if r.check in ("lint", "schema", "pod-security") for i in r.issues
    ]
    assert lint_warnings == []
    # The security rules really looked at the AWS templates' resources (not a vacuous pass).
    if fmt != "kubernetes" and report.resources_checked:
        assert any(r.check == "security" and "rules applied" in r.detail for r in report.runs)


@pytest.mark.parametrize("template", TEMPLATES, ids=[t.id for t in TEMPLATES])
def test_examples_and_variants_are_consistent(template: Template) -> None:
    assert template.design and template.examples and template.variants
    for example in template.examples:
        found = best_match(example)
        assert found is not None and found.template.id == template.id, example
    for values in template.variants:
        assert template.build_params(values) != template.build_params({})
