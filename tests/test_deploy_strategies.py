"""Deploy strategies: what the chart renders for each, read from `helm template` output.

rolling is a Deployment; canary and blue-green are an Argo Rollouts Rollout judged by a Prometheus
AnalysisTemplate. The render matrix (test_render.py) runs every validator over them; these tests
check the parts validators cannot: the steps, the analyses and that everything still finds the pods.
"""

import math
import re
import subprocess

import pytest
import yaml
from helpers import ROOT, render

HELM = ROOT / ".tools" / "bin" / "helm"
DIGEST = "sha256:" + "0" * 64
STRATEGIES = ("rolling", "canary", "blue-green")
ARGO = "argoproj.io/v1alpha1"

pytestmark = pytest.mark.xdist_group("deploy-strategies")


@pytest.fixture(scope="module")
def projects(tmp_path_factory):
    root = tmp_path_factory.mktemp("strategies")
    return {strategy: render(root / strategy, deploy_strategy=strategy) for strategy in STRATEGIES}


def manifests(project, env: str, *values: str) -> dict[tuple[str, str], dict]:
    """The chart as `make deploy` renders it for env (with more --set values): (kind, name) -> object."""
    chart, env_values = project / "deploy" / "chart", project / "deploy" / f"values-{env}.yaml"
    release = ["payments-api", str(chart), "--namespace", "payments-api"]
    sets = [arg for value in (f"image.digest={DIGEST}", *values) for arg in ("--set", value)]
    out = subprocess.run(
        [str(HELM), "template", *release, "--values", str(env_values), *sets],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    docs = [doc for doc in yaml.safe_load_all(out) if doc]
    return {(doc["kind"], doc["metadata"]["name"]): doc for doc in docs}


def of_kind(objects: dict, kind: str) -> list[dict]:
    return [obj for (k, _), obj in objects.items() if k == kind]


def selects(selector: dict, labels: dict) -> bool:
    """A label selector (matchLabels, matchExpressions with Exists or DoesNotExist) against labels."""
    if any(labels.get(key) != value for key, value in selector.get("matchLabels", {}).items()):
        return False
    expressions = selector.get("matchExpressions", [])
    assert all(e["operator"] in ("Exists", "DoesNotExist") for e in expressions), expressions
    return all((e["key"] in labels) == (e["operator"] == "Exists") for e in expressions)


def condition_holds(condition: str, result) -> bool:
    """Evaluate an Argo Rollouts successCondition (expr language) the way the controller would."""
    python = re.sub(r"!(?!=)", " not ", condition.replace("&&", " and ").replace("||", " or "))
    return bool(eval(python, {"__builtins__": {}}, {"len": len, "isNaN": math.isnan, "result": result}))


def pod_template(objects: dict) -> dict:
    (workload,) = of_kind(objects, "Deployment") + of_kind(objects, "Rollout")
    return workload["spec"]["template"]


def prometheus_metrics(objects: dict) -> list[dict]:
    (template,) = of_kind(objects, "AnalysisTemplate")
    return [metric for metric in template["spec"]["metrics"] if "prometheus" in metric["provider"]]


def test_rolling_has_no_argo_resources(projects):
    objects = manifests(projects["rolling"], "prod")
    assert not [key for key, obj in objects.items() if obj["apiVersion"].startswith("argoproj.io/")]
    assert of_kind(objects, "Deployment")
    (hpa,) = of_kind(objects, "HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment"
    assert not (projects["rolling"] / "deploy" / "argo-rollouts").exists()


@pytest.mark.parametrize("strategy", ["canary", "blue-green"])
def test_argo_strategies_run_a_rollout(projects, strategy):
    objects = manifests(projects[strategy], "prod")
    assert not of_kind(objects, "Deployment")
    (rollout,) = of_kind(objects, "Rollout")
    assert rollout["apiVersion"] == ARGO
    assert rollout["spec"]["progressDeadlineAbort"] is True
    (hpa,) = of_kind(objects, "HorizontalPodAutoscaler")
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["apiVersion"], target["kind"], target["name"]) == (ARGO, "Rollout", rollout["metadata"]["name"])
    labels = rollout["spec"]["template"]["metadata"]["labels"]
    assert selects(rollout["spec"]["selector"], labels)
    for kind in ("PodDisruptionBudget", "NetworkPolicy"):
        (obj,) = of_kind(objects, kind)
        assert selects(obj["spec"].get("selector") or obj["spec"]["podSelector"], labels), kind
    spread = rollout["spec"]["template"]["spec"]["topologySpreadConstraints"]
    assert all(c["matchLabelKeys"] == ["rollouts-pod-template-hash"] for c in spread)


@pytest.mark.parametrize("strategy", ["canary", "blue-green"])
def test_rollout_and_deployment_share_the_pod_template(projects, strategy):
    deployment = pod_template(manifests(projects["rolling"], "prod"))["spec"]
    rollout = pod_template(manifests(projects[strategy], "prod"))["spec"]
    for constraint in deployment["topologySpreadConstraints"] + rollout["topologySpreadConstraints"]:
        constraint.pop("matchLabelKeys")
    assert rollout == deployment


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_servicemonitor_scrapes_every_pod_through_one_service(projects, strategy):
    objects = manifests(projects[strategy], "prod")
    (monitor,) = of_kind(objects, "ServiceMonitor")
    scraped = [s for s in of_kind(objects, "Service") if selects(monitor["spec"]["selector"], s["metadata"]["labels"])]
    assert len(scraped) == 1
    # it selects the pods of every revision: Argo Rollouts adds a revision's hash only to the others
    assert scraped[0]["spec"]["selector"].items() <= pod_template(objects)["metadata"]["labels"].items()
    managed = [s for s in of_kind(objects, "Service") if s is not scraped[0]]
    assert all("app.kubernetes.io/component" in s["metadata"]["labels"] for s in managed)


def test_canary_steps_weights_pauses_and_analyses(projects):
    for env, weights in (("prod", [10, 25, 50]), ("dev", [50])):
        objects = manifests(projects["canary"], env)
        (rollout,) = of_kind(objects, "Rollout")
        canary = rollout["spec"]["strategy"]["canary"]
        steps = canary["steps"]
        assert [step["setWeight"] for step in steps if "setWeight" in step] == weights
        assert [next(iter(step)) for step in steps] == ["setWeight", "pause", "analysis"] * len(weights)
        assert all(step["pause"]["duration"] for step in steps if "pause" in step)
        (template,) = of_kind(objects, "AnalysisTemplate")
        for step in (step["analysis"] for step in steps if "analysis" in step):
            assert [t["templateName"] for t in step["templates"]] == [template["metadata"]["name"]]
            args = {arg["name"]: arg for arg in step["args"]}
            assert args["service"]["value"] == canary["canaryService"]
            assert args["pod-hash"]["valueFrom"] == {"podTemplateHashValue": "Latest"}
        services = {s["metadata"]["name"] for s in of_kind(objects, "Service")}
        assert {canary["stableService"], canary["canaryService"], rollout["metadata"]["name"]} <= services


def test_blue_green_analyses_before_and_after_the_switch(projects):
    for env, automatic in (("prod", False), ("dev", True)):
        objects = manifests(projects["blue-green"], env)
        (rollout,) = of_kind(objects, "Rollout")
        blue_green = rollout["spec"]["strategy"]["blueGreen"]
        assert blue_green["autoPromotionEnabled"] is automatic
        (template,) = of_kind(objects, "AnalysisTemplate")
        pre, post = blue_green["prePromotionAnalysis"], blue_green["postPromotionAnalysis"]
        for analysis, service in ((pre, blue_green["previewService"]), (post, blue_green["activeService"])):
            assert analysis["templates"] == [{"templateName": template["metadata"]["name"]}]
            assert {arg["name"]: arg.get("value") for arg in analysis["args"]}["service"] == service
        services = {s["metadata"]["name"]: s for s in of_kind(objects, "Service")}
        assert services[blue_green["activeService"]]["metadata"]["labels"]["app.kubernetes.io/component"] == "active"
        assert services[blue_green["previewService"]]["metadata"]["labels"]["app.kubernetes.io/component"] == "preview"


@pytest.mark.parametrize("strategy", ["canary", "blue-green"])
def test_analysis_rejects_empty_and_nan_results(projects, strategy):
    metrics = prometheus_metrics(manifests(projects[strategy], "prod"))
    assert {metric["name"] for metric in metrics} == {"success-rate", "latency"}
    for metric in metrics:
        condition = metric["successCondition"]
        assert condition_holds(condition, [1.0])
        assert not condition_holds(condition, [])
        assert not condition_holds(condition, [math.nan])
        assert not condition_holds(condition, [0.5])
        assert metric["count"] == 5 and metric["failureLimit"] >= 0 and metric["interval"]
        query = metric["provider"]["prometheus"]["query"]
        assert 'namespace="payments-api"' in query and "{{args.pod-hash}}" in query
        assert 'route!~"/healthz|/readyz|/metrics"' in query
        address = metric["provider"]["prometheus"]["address"]
        assert address == "http://kube-prometheus-stack-prometheus.monitoring.svc:9090"
    latency = next(metric for metric in metrics if metric["name"] == "latency")
    assert 'le="0.3"' in latency["provider"]["prometheus"]["query"]  # slo_latency_ms: 300


@pytest.mark.parametrize("strategy", ["canary", "blue-green"])
def test_analysis_test_traffic_is_admitted_by_the_network_policy(projects, strategy):
    objects = manifests(projects[strategy], "dev")
    (template,) = of_kind(objects, "AnalysisTemplate")
    (job,) = [metric["provider"]["job"] for metric in template["spec"]["metrics"] if "job" in metric["provider"]]
    pod = job["spec"]["template"]
    (policy,) = of_kind(objects, "NetworkPolicy")
    peers = [peer for rule in policy["spec"]["ingress"] for peer in rule["from"]]
    sources = [peer["podSelector"] for peer in peers if "podSelector" in peer]
    assert any(selects(source, pod["metadata"]["labels"]) for source in sources)
    # not one of the service's pods: its egress is not limited to DNS
    assert not selects(policy["spec"]["podSelector"], pod["metadata"]["labels"])
    (container,) = pod["spec"]["containers"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["args"][0] == "traffic" and "{{args.service}}" in container["args"][1]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_pipeline_installs_argo_rollouts_only_when_used(projects, strategy):
    workflow = yaml.safe_load((projects[strategy] / ".github" / "workflows" / "deploy.yml").read_text())
    runs = [step.get("run", "") for step in workflow["jobs"]["deploy-prod"]["steps"]]
    installs = [i for i, run in enumerate(runs) if "make platform" in run]
    deploys = [i for i, run in enumerate(runs) if "make deploy" in run]
    assert len(installs) == (0 if strategy == "rolling" else 1)
    assert all(i < deploys[0] for i in installs)
    makefile = (projects[strategy] / "Makefile").read_text()
    assert ("\nplatform:" in makefile) is (strategy != "rolling")
    assert ("--wait=legacy" in makefile) is (strategy != "rolling")


def test_tracing_reaches_the_collector_only_when_configured(projects):
    def env_and_egress(*values):
        objects = manifests(projects["rolling"], "prod", *values)
        (deployment,) = of_kind(objects, "Deployment")
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        (policy,) = of_kind(objects, "NetworkPolicy")
        namespaces = [
            peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
            for rule in policy["spec"]["egress"]
            for peer in rule["to"]
            if "namespaceSelector" in peer and "podSelector" not in peer
        ]
        return {item["name"]: item["value"] for item in container["env"]}, namespaces

    env, egress = env_and_egress()
    assert env["OTEL_SERVICE_NAME"] == "payments-api" and "OTEL_EXPORTER_OTLP_ENDPOINT" not in env
    assert "deployment.environment.name=prod" in env["OTEL_RESOURCE_ATTRIBUTES"]
    assert egress == []
    env, egress = env_and_egress("tracing.otlpEndpoint=http://collector.observability:4318")
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://collector.observability:4318"
    assert egress == ["observability"]
