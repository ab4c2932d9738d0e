"""Helm charts: "Helm chart" requests give Chart.yaml, values.yaml and templates built from the
checked Kubernetes manifests; rendering the chart gives those manifests back; other formats are
still refused by name, offering the supported ones."""

from __future__ import annotations

import pytest
import yaml

from tools.base import ToolContext, ToolStatus, UserFacingError
from tools.iac.catalogue import get_template
from tools.iac.checks import IacEnv
from tools.iac.generate_iac import GenerateIac
from tools.iac.helm import (
    TemplateError,
    build_chart,
    chart_check,
    kubernetes_request,
    render_chart,
    render_template,
    wants_helm,
)
from tools.iac.validate.kubernetes import validate_kubernetes


def _manifests(template_id: str, **values: object) -> str:
    template = get_template(template_id)
    assert template is not None
    return template.render_code(template.build_params(values), "kubernetes")


@pytest.mark.parametrize(
    ("text", "helm"),
    [
        ("helm chart for our api deployment", True),
        ("a Helm chart for nginx with 3 replicas", True),
        ("package the redis statefulset as helm", True),
        ("helm-free k8s deployment + service for my api", False),
        ("a kubernetes deployment without helm", False),
        ("kubernetes deployment for the helm release notes app", False),
        ("a kubernetes deployment for nginx", False),
    ],
)
def test_helm_requests_are_recognised(text: str, helm: bool) -> None:
    assert wants_helm(text) is helm


def test_a_chart_without_a_workload_kind_asks_for_a_deployment() -> None:
    assert kubernetes_request("a Helm chart for nginx with 3 replicas") == (
        "a kubernetes deployment for nginx with 3 replicas, with a service"
    )
    assert kubernetes_request("helm chart for a redis statefulset") == "kubernetes for a redis statefulset"


def test_chart_files_and_values(iac_env: IacEnv) -> None:
    chart = build_chart(_manifests("k8s_deployment_service", name="api", image="ghcr.io/acme/api:2.3.1"))
    paths = [p for p, _ in chart.files]
    assert paths[:2] == ["Chart.yaml", "values.yaml"]
    assert "templates/deployment-api.yaml" in paths and "templates/networkpolicy-api-ingress.yaml" in paths
    meta = yaml.safe_load(chart.files[0][1])
    assert meta["apiVersion"] == "v2" and meta["name"] == "api" and meta["appVersion"] == "2.3.1"
    values = yaml.safe_load(chart.files[1][1])
    assert values == chart.values
    assert values["api"]["replicaCount"] == 2
    assert values["api"]["image"] == {"repository": "ghcr.io/acme/api", "tag": "2.3.1"}
    assert values["api"]["resources"]["limits"] == {"cpu": "500m", "memory": "256Mi"}
    deployment = dict(chart.templates)["templates/deployment-api.yaml"]
    assert "replicas: {{ .Values.api.replicaCount }}" in deployment
    assert '"{{ .Values.api.image.repository }}:{{ .Values.api.image.tag }}"' in deployment
    assert "{{- toYaml .Values.api.resources | nindent 12 }}" in deployment
    run, rendered = chart_check(chart, iac_env.k8s)
    assert run.passed and run.issues == [], [i.line() for i in run.issues]
    assert list(yaml.safe_load_all(rendered)) == chart.objects


def test_other_values_render_valid_manifests(iac_env: IacEnv) -> None:
    chart = build_chart(_manifests("k8s_statefulset", storage="20Gi"))
    values = {**chart.values}
    values["redis"] = {
        **values["redis"],
        "replicaCount": 3,
        "image": {"repository": "redis", "tag": "7.4.1-alpine"},
        "resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"memory": "1Gi"}},
    }
    rendered = render_chart(chart, values)
    docs, runs = validate_kubernetes(rendered, iac_env.k8s)
    assert docs is not None and all(r.passed for r in runs), [i.line() for r in runs for i in r.issues]
    (sts,) = [d for d in docs if d["kind"] == "StatefulSet"]
    container = sts["spec"]["template"]["spec"]["containers"][0]
    assert sts["spec"]["replicas"] == 3 and container["image"] == "redis:7.4.1-alpine"
    assert container["resources"] == {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"memory": "1Gi"}}


def test_the_renderer_follows_helm() -> None:
    values = {"a": {"n": 3, "on": True, "m": {"x": "1", "y": [1, 2]}}}
    assert render_template("n: {{ .Values.a.n }} on: {{ .Values.a.on }}", values) == "n: 3 on: true"
    assert render_template("m:\n  {{- toYaml .Values.a.m | nindent 2 }}\n", values) == (
        "m:\n  x: '1'\n  y:\n  - 1\n  - 2\n"
    )
    assert render_template('v: {{ "{{" }} x }}', values) == "v: {{ x }}"
    with pytest.raises(TemplateError):
        render_template("{{ .Values.missing }}", values)
    with pytest.raises(TemplateError):
        render_template("{{ include \"x\" . }}", values)


def test_braces_in_a_manifest_stay_literal(iac_env: IacEnv) -> None:
    code = _manifests("k8s_configmap_secret", config={"GREETING": "hello {{ name }}"})
    chart = build_chart(code)
    run, rendered = chart_check(chart, iac_env.k8s)
    assert run.passed, [i.line() for i in run.issues]
    (configmap,) = [d for d in yaml.safe_load_all(rendered) if d and d["kind"] == "ConfigMap"]
    assert configmap["data"]["GREETING"] == "hello {{ name }}"


def test_helm_chart_request_through_the_tool(iac_ctx: ToolContext) -> None:
    tool = GenerateIac()
    result = tool.run(iac_ctx, tool.parse({"request": "a Helm chart for nginx with 3 replicas"}))
    assert result.status == ToolStatus.OK and result.passed and result.format == "kubernetes"
    files = {c.filename: c.code for c in result.code}
    assert result.filename == "nginx/" and {"nginx/Chart.yaml", "nginx/values.yaml"} <= set(files)
    assert any(str(name).startswith("nginx/templates/deployment-") for name in files)
    assert yaml.safe_load(files["nginx/values.yaml"])["nginx"]["replicaCount"] == 3
    checks = {c.check: c.result for c in result.checks}
    assert checks["helm"] == "pass" and checks["schema"] == "pass" and checks["pod-security"] == "pass"
    assert "Helm chart `nginx`" in result.message and "helm install nginx ./nginx" in result.message


def test_helm_with_another_format_is_refused(iac_ctx: ToolContext) -> None:
    tool = GenerateIac()
    with pytest.raises(UserFacingError, match="Helm chart holds Kubernetes objects"):
        tool.run(iac_ctx, tool.parse({"request": "helm chart for our api", "format": "terraform"}))


@pytest.mark.parametrize(
    ("request_text", "label"),
    [
        ("write Pulumi for an S3 bucket", "Pulumi"),
        ("bicep template for a storage account", "Bicep"),
        ("aws cdk stack with an sqs queue", "AWS CDK"),
        ("an ARM template for a vnet", "ARM templates"),
    ],
)
def test_unsupported_formats_offer_the_supported_ones(
    iac_ctx: ToolContext, request_text: str, label: str
) -> None:
    tool = GenerateIac()
    with pytest.raises(UserFacingError) as caught:
        tool.run(iac_ctx, tool.parse({"request": request_text}))
    message = str(caught.value)
    assert message.startswith(f"{label} is not supported")
    assert "Terraform, CloudFormation, Kubernetes (plain manifests or a Helm chart)" in message
