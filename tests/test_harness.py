"""The validation harness catches what each validator exists to catch.

tests/fixtures/harness/good is a small repository that every tool accepts; each case copies it,
breaks one thing and asserts that the harness reports that tool as failed, for the expected reason.
"""

import json
import re
import shutil
import textwrap
from pathlib import Path

import harness
import pytest

GOOD = Path(__file__).parent / "fixtures" / "harness" / "good"

S3_BUCKET = """
resource "aws_s3_bucket" "logs" {
  bucket = "svc-dev-logs"
}
"""
DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  namespace: {{ .Release.Namespace }}
spec:
  %s: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {{ .Release.Name }}
    spec:
      containers:
        - name: app
          image: nginx
"""
SERVICE_MONITOR = """
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ .Release.Name }}
  namespace: {{ .Release.Namespace }}
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ .Release.Name }}
"""
BAD_WORKFLOW = """
name: ci
on: push
permissions: {}
jobs:
  test:
    runs-on: ubuntu-24.04
    stepz:
      - run: echo hi
"""
DASHBOARD = """
{"uid": "bad", "title": "bad", "schemaVersion": 39,
 "panels": [{"id": 1, "type": "timeseries", "title": "Errors", "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
             "targets": [{"refId": "A", "expr": "%s"}]}]}
"""

# id -> (tool, {path: new content, or None to delete}, regex the tool's failing output must match)
CASES = {
    "tf-unformatted": ("terraform-fmt", {"terraform/modules/name/extra.tf": "locals {\nx=1\n}\n"}, r"extra\.tf"),
    "tf-unknown-argument": (
        "terraform-validate",
        {"terraform/modules/name/extra.tf": 'resource "random_id" "x" {\n  byte_lenght = 4\n}\n'},
        r"Unsupported argument",
    ),
    "tf-undeclared-variable": (
        "terraform-validate",
        {"terraform/environments/dev/extra.tf": 'output "x" {\n  value = var.missing\n}\n'},
        r"Reference to undeclared input variable",
    ),
    "checkov-s3": ("checkov", {"terraform/environments/dev/s3.tf": S3_BUCKET}, r"CKV2?_AWS_\d+ .*s3\.tf"),
    "checkov-dockerfile": ("checkov", {"Dockerfile": 'FROM ubuntu:latest\nCMD ["true"]\n'}, r"CKV_DOCKER_\d+"),
    "checkov-rendered-deployment": (
        "checkov",
        {"deploy/chart/templates/deployment.yaml": DEPLOYMENT % "replicas"},
        r"CKV_K8S_\d+ .*\(svc/templates/deployment\.yaml\) Deployment",
    ),
    "trivy-s3": ("trivy", {"terraform/environments/dev/s3.tf": S3_BUCKET}, r"AWS-\d+ HIGH .*s3\.tf"),
    "hadolint": (
        "hadolint",
        {"Dockerfile": "FROM ubuntu:latest\nRUN apt-get update && apt-get install -y curl\n"},
        r"DL3007[\s\S]*DL3008|DL3008[\s\S]*DL3007",
    ),
    "actionlint": ("actionlint", {".github/workflows/ci.yml": BAD_WORKFLOW}, r'unexpected key "stepz"'),
    "workflow-schema": ("workflow-schema", {".github/workflows/ci.yml": BAD_WORKFLOW}, r"'stepz' was unexpected"),
    "dependabot-schema": (
        "dependabot-schema",
        {".github/dependabot.yml": "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n"},
        r"schedule",
    ),
    "gitlab-ci-schema": (
        "gitlab-ci-schema",
        {".gitlab-ci.yml": "test:\n  script:\n    run: python --version\n"},
        r"\.gitlab-ci\.yml",
    ),
    "circleci-schema": ("circleci-schema", {".circleci/config.yml": "version: two\njobs: {}\n"}, r"config\.yml"),
    "renovate-schema": ("renovate-schema", {"renovate.json": '{"schedule": 7}\n'}, r"renovate\.json"),
    "helm-lint": ("helm-lint", {"deploy/chart/Chart.yaml": "apiVersion: v2\nname: svc\n"}, r"version is required"),
    "helm-template": (
        "helm-template",
        {"deploy/chart/templates/configmap.yaml": "x: {{ .Values.port | nosuchfunction }}\n"},
        r'function "nosuchfunction" not defined',
    ),
    "k8s-invalid-field": (
        "kubernetes-validate",
        {"deploy/chart/templates/deployment.yaml": DEPLOYMENT % "replica"},
        r"'replica' was unexpected",
    ),
    "k8s-unknown-kind": (
        "kubernetes-validate",
        {"deploy/chart/templates/deployment.yaml": (DEPLOYMENT % "replicas").replace("Deployment", "Deploymnet")},
        r"Deploymnet",
    ),
    "k8s-plain-manifest": (
        "kubernetes-validate",
        {"deploy/manifests/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: svc\n  nam: x\n"},
        r"'nam' was unexpected",
    ),
    "crd-missing-field": (
        "crd-schema",
        {"deploy/chart/templates/servicemonitor.yaml": SERVICE_MONITOR},
        r"ServiceMonitor/svc: spec: 'endpoints' is a required property",
    ),
    "crd-without-schema-missing-field": (
        "crd-schema",
        {
            "deploy/chart/templates/secretproviderclass.yaml": "apiVersion: secrets-store.csi.x-k8s.io/v1\n"
            "kind: SecretProviderClass\nmetadata:\n  name: svc\nspec:\n  parameters:\n    objects: x\n"
        },
        r"SecretProviderClass/svc: spec.provider is required",
    ),
    "crd-unknown-field": (
        "crd-schema",
        {"deploy/chart/templates/servicemonitor.yaml": SERVICE_MONITOR + "  endpoint:\n    - port: http\n"},
        r"'endpoint' was unexpected",
    ),
    "crd-wrong-type": (
        "crd-schema",
        {"deploy/chart/templates/servicemonitor.yaml": SERVICE_MONITOR + "  endpoints: [{port: 8080}]\n"},
        r"endpoints\.0\.port: 8080 is not of type 'string'",
    ),
    "promtool-bad-promql": (
        "promtool-rules",
        {
            "monitoring/prometheus/rules/extra.yml": "groups:\n  - name: x\n    rules:\n"
            "      - record: job:up:sum\n        expr: sum(up\n"
        },
        r"could not parse expression",
    ),
    "promtool-prometheusrule-promql": (
        "promtool-rules",
        {
            "deploy/chart/templates/prometheusrule.yaml": (GOOD / "deploy/chart/templates/prometheusrule.yaml")
            .read_text()
            .replace("== 0", "== ")
        },
        r"could not parse expression",
    ),
    "promtool-failing-test": (
        "promtool-test",
        {
            "monitoring/prometheus/tests/service_test.yml": (GOOD / "monitoring/prometheus/tests/service_test.yml")
            .read_text()
            .replace("severity: page", "severity: ticket")
        },
        r"FAILED",
    ),
    "promtool-config": (
        "promtool-config",
        {"monitoring/prometheus/prometheus.yml": "global:\n  scrape_interval: 30 seconds\n"},
        r"not a valid duration",
    ),
    "amtool-unknown-receiver": (
        "amtool",
        {
            "monitoring/alertmanager/alertmanager.yml": (GOOD / "monitoring/alertmanager/alertmanager.yml")
            .read_text()
            .replace("receiver: team", "receiver: nobody")
        },
        r'undefined receiver "nobody"',
    ),
    "grafana-bad-promql": (
        "grafana-dashboards",
        {"monitoring/grafana/dashboards/extra.json": DASHBOARD % "sum(rate(errors_total[$__rate_interval])"},
        r"extra\.json :: panel 'Errors' \(id 1\) target A: could not parse expression",
    ),
    "grafana-undefined-variable": (
        "grafana-dashboards",
        {"monitoring/grafana/dashboards/extra.json": DASHBOARD % 'sum(errors_total{job=\\"$job\\"})'},
        r"variable \$job is not defined",
    ),
    "grafana-model-shape": (
        "grafana-dashboards",
        {"monitoring/grafana/dashboards/extra.json": '{"title": "x", "schemaVersion": 39, "panels": [{"id": 1}]}'},
        r"'uid' must be a non-empty str[\s\S]*no 'targets'",
    ),
    "datadog-unknown-query": (
        "datadog-dashboards",
        {
            "terraform/modules/datadog/dashboards/extra.json": json.dumps(
                {
                    "title": "${title}",
                    "layout_type": "ordered",
                    "widgets": [
                        {
                            "definition": {
                                "type": "timeseries",
                                "title": "Errors",
                                "requests": [
                                    {
                                        "queries": [
                                            {
                                                "name": "errors",
                                                "data_source": "metrics",
                                                "query": "sum:errors{env:${env}}",
                                            }
                                        ],
                                        "formulas": [{"formula": "errors / requests"}],
                                    }
                                ],
                            }
                        }
                    ],
                }
            )
        },
        r"widgets\[0\] timeseries 'Errors': formula 'errors / requests' names unknown queries \['requests'\]",
    ),
    "datadog-widget-type": (
        "datadog-dashboards",
        {
            "terraform/modules/datadog/dashboards/extra.json": json.dumps(
                {"title": "x", "layout_type": "ordered", "widgets": [{"definition": {"type": "graph"}}]}
            )
        },
        r"unknown widget type 'graph'",
    ),
    "shellcheck": ("shellcheck", {"scripts/extra.sh": "#!/bin/sh\nrm -rf $1/cache\n"}, r"SC2086"),
    "shellcheck-shebang-no-extension": (
        "shellcheck",
        {"scripts/cleanup": "#!/usr/bin/env bash\ncd $HOME\n"},
        r"cleanup.*SC2164|cleanup.*SC2086",
    ),
    "yamllint": ("yamllint", {"deploy/values-dev.yaml": "greeting: a\ngreeting: b\n"}, r"key-duplicates"),
    "yamllint-relaxed-without-config": (
        "yamllint",
        {".yamllint": None, "deploy/values-dev.yaml": "a: [1, 2\n"},
        r"syntax",
    ),
    "json": ("json", {"config/settings.json": '{"a": 1,}'}, r"settings\.json"),
}


def make_repo(root: Path, changes: dict[str, str | None]) -> Path:
    shutil.copytree(GOOD, root)
    for rel, text in changes.items():
        path = root / rel
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def result(report: harness.Report, tool: str) -> harness.ToolResult:
    assert tool in report, f"{tool} did not run:\n{report.summary()}"
    r = report[tool]
    if r.status == harness.SKIPPED:  # only outside CI: there a missing tool fails
        pytest.skip(r.output)
    return r


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_validator_fails_on_broken_input(case, tmp_path):
    tool, changes, expected = CASES[case]
    if tool == "crd-schema" and not harness.CRD_DIR.is_dir() and not harness.in_ci():
        pytest.skip(f"CRD schemas absent at {harness.CRD_DIR} (test_crd_fallback_without_schemas covers that)")
    report = harness.validate(make_repo(tmp_path / "broken", changes), only=[tool])
    r = result(report, tool)
    assert r.status == harness.FAILED, f"{tool} accepted the broken input:\n{report.summary()}"
    assert re.search(expected, r.output), f"{tool} failed for another reason:\n{r.output}"
    with pytest.raises(AssertionError, match=re.escape(f"===== {tool} FAILED")):
        report.assert_ok()


def test_good_repository_passes_every_validator():
    report = harness.validate(GOOD)
    for tool in harness.TOOL_NAMES:
        result(report, tool)
    report.assert_ok()
    assert not any(GOOD.rglob(".terraform*")), "terraform wrote into the repository"


def test_many_repositories_one_call_per_tool(tmp_path):
    good = make_repo(tmp_path / "good", {})
    broken = make_repo(tmp_path / "broken", {
        "Dockerfile": "FROM ubuntu:latest\n",
        "scripts/extra.sh": "#!/bin/sh\necho $1\n",
        "terraform/environments/dev/s3.tf": S3_BUCKET,
    })  # fmt: skip
    report = harness.validate(good, broken)
    for tool in ("hadolint", "shellcheck", "checkov", "trivy"):
        r = result(report, tool)
        assert r.status == harness.FAILED
        assert "broken/" in r.output and "good/" not in r.output, r.output
    single_call = ("checkov", "trivy", "hadolint", "shellcheck", "actionlint", "workflow-schema",
                   "kubernetes-validate", "promtool-rules", "promtool-test", "amtool", "terraform-fmt")  # fmt: skip
    for tool in single_call:
        assert result(report, tool).runs == 1, f"{tool} ran {report[tool].runs} times"
    assert result(report, "terraform-validate").runs == 4  # init + validate, once per root module
    assert result(report, "helm-template").runs == 4  # two repositories x (values-dev, values-prod)
    assert report["yamllint"].status == harness.PASSED


@pytest.mark.parametrize("ci", ["true", ""])
def test_missing_tool_skips_or_fails_in_ci(ci, monkeypatch):
    monkeypatch.setenv("CI", ci)
    real = harness.find_tool
    monkeypatch.setattr(harness, "find_tool", lambda name: None if name == "hadolint" else real(name))
    report = harness.validate(GOOD, only=["hadolint", "shellcheck"])
    assert report["hadolint"].status == (harness.FAILED if ci else harness.SKIPPED)
    assert "hadolint not found" in report["hadolint"].output
    assert "run scripts/install-tools" in report["hadolint"].output
    assert report.ok is (not ci)


def test_crd_fallback_without_schemas(monkeypatch, tmp_path):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(harness, "CRD_DIR", tmp_path / "absent")
    report = harness.validate(GOOD, only=["crd-schema"])
    assert report["crd-schema"].status == harness.PASSED
    assert any("checked only required fields" in n for n in report["crd-schema"].notes)
    broken = make_repo(tmp_path / "broken", {"deploy/chart/templates/servicemonitor.yaml": SERVICE_MONITOR})
    r = result(harness.validate(broken, only=["crd-schema"]), "crd-schema")
    assert r.status == harness.FAILED and "spec.endpoints is required" in r.output
    monkeypatch.setenv("CI", "true")
    r = harness.validate(GOOD, only=["crd-schema"])["crd-schema"]
    assert r.status == harness.FAILED and "required with CI=true" in r.output


def test_only_rejects_unknown_tool_names():
    with pytest.raises(ValueError, match="unknown tool names"):
        harness.validate(GOOD, only=["terraform"])


def test_checkov_reports_are_found_after_warning_lines():
    out = 'WARNING [terraform] could not load [module]\n[{"results": {"failed_checks": []}}]\n{"results": {}}\n'
    assert harness._json_stream(out) == [{"results": {"failed_checks": []}}, {"results": {}}]
    assert harness._json_stream("checkov crashed [no report]") is None
