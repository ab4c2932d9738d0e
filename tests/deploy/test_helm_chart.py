"""The Helm chart (deploy/helm/cloudpilot): rendered without `helm` by `helm_render` (the chart
keeps to the subset it implements), every manifest valid against the Kubernetes API schema
(kubernetes-validate, strict), and the parts that matter checked: the commands the pods run
exist, probes hit /health and /ready on a declared port, requests are set, the Secret is
referenced, pods run as non-root, and the HPA scales the worker Deployment on the queue-depth
metric the code exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from click.testing import CliRunner

from bot.main import cli
from tests.deploy.helm_render import Chart, UnsupportedTemplate, render

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "cloudpilot"
K8S_VERSION = "1.30.0"
ALL_ON = {
    "worker": {"autoscaling": {"enabled": True}},
    "scheduler": {"enabled": True},
    "settings": {"qdrantUrl": "http://qdrant.qdrant:6333"},
    "serviceAccount": {
        "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/CloudPilot"}
    },
}


def manifests(overrides: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for name, text in Chart(CHART).render(overrides).items():
        for doc in yaml.safe_load_all(text):
            if doc is not None:
                assert isinstance(doc, dict), name
                docs.append(doc)
    return docs


def by_kind(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    [found] = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    return found


@pytest.mark.parametrize("overrides", [None, ALL_ON], ids=["defaults", "everything-on"])
def test_every_manifest_is_valid_kubernetes(overrides: dict[str, Any] | None) -> None:
    docs = manifests(overrides)
    kinds = sorted(d["kind"] for d in docs)
    expected = ["ConfigMap", "Deployment", "Deployment", "Service", "ServiceAccount"]
    if overrides:
        expected = sorted([*expected, "Deployment", "HorizontalPodAutoscaler"])
    assert kinds == expected
    for doc in docs:
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_the_pods_run_real_commands_with_probes_resources_and_the_secret() -> None:
    docs = manifests(ALL_ON)
    config = by_kind(docs, "ConfigMap", "cp-cloudpilot")
    for component, port_name in (("front", "http"), ("worker", "metrics"), ("scheduler", None)):
        deployment = by_kind(docs, "Deployment", f"cp-{component}")
        pod = deployment["spec"]["template"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
        assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
        assert pod["spec"]["serviceAccountName"] == "cp-cloudpilot"
        [container] = pod["spec"]["containers"]
        assert container["image"] == "ghcr.io/example/cloudpilot:0.1.0"  # tag defaults to appVersion
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["resources"]["requests"]["cpu"] and container["resources"]["requests"]["memory"]
        refs = container["envFrom"]
        assert {"secretRef": {"name": "cloudpilot"}} in refs
        assert {"configMapRef": {"name": config["metadata"]["name"]}} in refs
        help_ = CliRunner().invoke(cli, [*container["args"], "--help"])
        assert help_.exit_code == 0, (component, container["args"], help_.output)
        assert {"/data", "/tmp"} <= {m["mountPath"] for m in container["volumeMounts"]}
        if port_name is None:
            continue
        assert [p["name"] for p in container["ports"]] == [port_name]
        assert container["livenessProbe"]["httpGet"] == {"path": "/health", "port": port_name}
        assert container["readinessProbe"]["httpGet"] == {"path": "/ready", "port": port_name}
        assert container["startupProbe"]["httpGet"]["path"] == "/health"
        port = str(container["ports"][0]["containerPort"])
        assert pod["metadata"]["annotations"]["prometheus.io/port"] == port
        assert port in container["args"]
    service = by_kind(docs, "Service", "cp-front")
    front = by_kind(docs, "Deployment", "cp-front")["spec"]["template"]
    assert service["spec"]["selector"].items() <= front["metadata"]["labels"].items()
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    assert config["data"]["CLOUDPILOT_QDRANT_URL"] == "http://qdrant.qdrant:6333"
    assert "CLOUDPILOT_QDRANT_URL" not in by_kind(manifests(), "ConfigMap", "cp-cloudpilot")["data"]


def test_the_configmap_holds_settings_cloudpilot_accepts() -> None:
    from config import load_settings

    data = by_kind(manifests(ALL_ON), "ConfigMap", "cp-cloudpilot")["data"]
    env = {k: v for k, v in data.items() if k.startswith("CLOUDPILOT_")}
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        settings = load_settings()
    assert settings.aws.mode == "real" and settings.aws.regions == ["us-east-1", "eu-west-1"]
    assert settings.qdrant_url == "http://qdrant.qdrant:6333" and settings.log_level == "INFO"


def test_the_hpa_scales_the_workers_on_the_queue_depth_the_code_exports() -> None:
    from config.metrics import QUEUE_DEPTH

    docs = manifests(ALL_ON)
    hpa = by_kind(docs, "HorizontalPodAutoscaler", "cp-worker")
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "cp-worker",
    }
    [metric] = hpa["spec"]["metrics"]
    assert metric["type"] == "External"
    assert metric["external"]["metric"]["name"] == QUEUE_DEPTH._name == "cloudpilot_queue_depth"
    assert metric["external"]["metric"]["selector"] == {"matchLabels": {"status": "todo"}}
    assert metric["external"]["target"] == {"type": "AverageValue", "averageValue": "8"}
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 10)
    # The HPA owns the worker count; the Deployment leaves replicas out.
    assert "replicas" not in by_kind(docs, "Deployment", "cp-worker")["spec"]
    assert by_kind(manifests(), "Deployment", "cp-worker")["spec"]["replicas"] == 2
    assert not [d for d in manifests() if d["kind"] == "HorizontalPodAutoscaler"]


def test_the_renderer_follows_helm_and_refuses_what_it_does_not_know() -> None:
    scope = {
        "Values": {"a": {"b": 3, "on": True, "m": {"k": "v"}}, "e": ""},
        "Release": {},
        "Chart": {"Name": "c"},
    }
    text = (
        "x:\n  {{- if .Values.a.on }}\n  y: {{ .Values.a.b | quote }}\n  {{- end }}\n"
        "  m:\n    {{- toYaml .Values.a.m | nindent 4 }}\n"
    )
    assert yaml.safe_load(render(text, scope)) == {"x": {"y": "3", "m": {"k": "v"}}}
    assert render("{{ .Values.e | default .Chart.Name }}", scope) == "c"
    assert render("{{- if not .Values.a.on }}no{{- end }}", scope) == ""
    for bad in (
        '{{ include "x" . }}',
        "{{ .Values.a | upper }}",
        "{{ .Values.missing }}",
        "{{- if .Values.a.on }}",
    ):
        with pytest.raises(UnsupportedTemplate):
            render(bad, scope)
