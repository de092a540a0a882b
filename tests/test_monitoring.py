"""Monitoring of `orchestrator: serverless` (ECS on Fargate, Amazon Managed Service for Prometheus):
rules on the collector's labels only, routing to each environment's SNS topics, a runbook for every
alert and CloudWatch alarm, nothing of Kubernetes. On Kubernetes, the alert of a release that failed
and was not rolled back, its rule tests and the scrape of the Argo Rollouts controller. The rule
tests themselves run in the harness (promtool-test); here the files are parsed."""

import json
import re
from pathlib import Path

import pytest
import yaml
from helpers import render

KUBERNETES_LABELS = re.compile(r"\b(namespace|pod|container|kube_\w+|container_\w+)\b")
ALARMS = {
    "EcsTasksBelowDesired": "P1",
    "TargetsUnhealthy": "P2",
    "DeploymentRolledBack": "P2",
    "EcsCpuSaturation": "P3",
    "EcsMemorySaturation": "P3",
    "SecretAccessed": "P3",
}
ROUTES = {"P0": "page", "P1": "page", "P2": "notify", "P3": "notify", "P4": "ticket"}


def kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("monitoring")
    return {
        strategy: render(root / strategy, orchestrator="serverless", deploy_strategy=strategy)
        for strategy in ("rolling", "canary")
    }


def recorded(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def rules(project: Path) -> list[dict]:
    groups = yaml.safe_load((project / "monitoring/prometheus/alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def test_rules_read_only_what_the_collector_writes(projects):
    for strategy, project in projects.items():
        slug = recorded(project)["project_slug"]
        alerts = {rule["alert"]: rule for rule in rules(project) if "alert" in rule}
        assert set(alerts) == {
            "SLOAvailabilityFastBurn",
            "SLOAvailabilitySlowBurn",
            "SLOLatencyFastBurn",
            "SLOLatencySlowBurn",
            "ServiceDown",
            "TargetDown",
        }, strategy
        for rule in rules(project):
            expr = rule["expr"]
            assert not KUBERNETES_LABELS.search(expr), f"{strategy}: {expr}"
            for selector in re.findall(r"\b(?:http_\w+|up)\{([^}]*)\}", expr):
                assert f'job="{slug}"' in selector, f"{strategy}: {expr}"
        assert "absent(up{" in alerts["ServiceDown"]["expr"]


def test_every_alert_and_alarm_has_a_runbook_and_nothing_else_does(projects):
    for strategy, project in projects.items():
        runbooks = project / "docs" / "runbooks"
        linked = {rule["annotations"]["runbook_url"].rsplit("/", 1)[-1] for rule in rules(project) if "alert" in rule}
        expected = linked | {f"{kebab(alarm)}.md" for alarm in ALARMS}
        assert {path.name for path in runbooks.glob("*.md")} == expected, strategy
        for alarm, severity in ALARMS.items():
            text = (runbooks / f"{kebab(alarm)}.md").read_text()
            assert text.startswith(f"# {alarm}\n") and f"Severity **{severity}**" in text, alarm
            assert "kubectl" not in text and "helm " not in text, alarm
        for path in runbooks.glob("*.md"):
            text = path.read_text()
            assert "kubectl" not in text and "helm " not in text, path.name


def test_each_environment_routes_to_its_own_topics(projects):
    for project in projects.values():
        given = recorded(project)
        slug, region, account = given["project_slug"], given["region"], given["aws_account_id"]
        files = sorted((project / "monitoring" / "alertmanager").glob("*.yml"))
        assert [path.name for path in files] == [f"alertmanager-{env}.yml" for env in ("dev", "prod", "staging")]
        for path in files:
            env = path.stem.removeprefix("alertmanager-")
            config = yaml.safe_load(path.read_text())
            receivers = {receiver["name"]: receiver for receiver in config["receivers"]}
            assert set(receivers) == {"blackhole", "page", "notify", "ticket"}
            for level in ("page", "notify", "ticket"):
                (sns,) = receivers[level]["sns_configs"]
                assert set(receivers[level]) == {"name", "sns_configs"}  # SNS is all AMP can notify
                assert sns["topic_arn"] == f"arn:aws:sns:{region}:{account}:{slug}-{env}-alerts-{level}"
                assert sns["sigv4"] == {"region": region}
            routes = {}
            for route in config["route"]["routes"]:
                for matcher in route["matchers"]:
                    if matcher.startswith("severity"):
                        for severity in re.findall(r"P\d", matcher):
                            routes.setdefault(severity, route["receiver"])
            assert routes == ROUTES, path.name
            assert config["route"]["routes"][0] == {"receiver": "blackhole", "matchers": ['alertname = "Watchdog"']}


def test_dashboard_keeps_the_slo_panels_without_kubernetes_metrics(projects):
    for strategy, project in projects.items():
        dashboard = json.loads((project / "monitoring/grafana/dashboards/service.json").read_text())
        panels = {panel["title"]: panel for panel in dashboard["panels"]}
        slo_panels = (
            "Availability",
            "Availability error budget left",
            "Latency error budget left",
            "Error budget burn rate",
        )
        assert set(slo_panels) <= set(panels), strategy
        exprs = [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]
        assert exprs and not [expr for expr in exprs if KUBERNETES_LABELS.search(expr)], strategy


def test_kubernetes_only_files_are_not_rendered(projects):
    for strategy, project in projects.items():
        monitoring = project / "monitoring"
        for path in ("install.sh", "kube-prometheus-stack", "alertmanager/alertmanager.yml"):
            assert not (monitoring / path).exists(), f"{strategy}: {path}"
        readme = (monitoring / "README.md").read_text()
        assert "kube-prometheus-stack" not in readme and "kubectl" not in readme


# -- Kubernetes (prometheus-grafana): a failed release that nobody rolled back

FAILED_RELEASE = {  # strategy -> alert, the series it reads, its runbook
    "rolling": (
        "DeploymentRolloutFailed",
        'kube_deployment_status_condition{namespace="{ns}", condition="Progressing", status="false"}',
    ),
    "canary": ("RolloutDegraded", 'rollout_info{exported_namespace="{ns}", phase=~"Abort|Timeout|InvalidSpec"}'),
}


@pytest.fixture(scope="module")
def kubernetes_projects(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("kubernetes-monitoring")
    return {strategy: render(root / strategy, deploy_strategy=strategy) for strategy in FAILED_RELEASE}


def rule_tests(project: Path) -> list[dict]:
    return yaml.safe_load((project / "monitoring/prometheus/tests/symptoms.yml").read_text())["tests"]


def failed_release_errors(strategy: str, namespace: str, alerts: dict, tests: list[dict]) -> list[str]:
    """The alert of a failed release: P2 to chat after 5 minutes, on the series that tell it, a
    runbook, and rule tests in which it fires and in which it stays silent."""
    name, series = FAILED_RELEASE[strategy]
    rule = alerts.get(name)
    if rule is None:
        return [f"no {name} alert"]
    errors = []
    if (rule["labels"]["severity"], rule.get("for")) != ("P2", "5m"):
        errors.append(f"{name}: severity {rule['labels']['severity']}, for {rule.get('for')}")
    if series.replace("{ns}", namespace) not in rule["expr"] or not rule["expr"].rstrip().endswith(">= 1"):
        errors.append(f"{name}: {rule['expr']}")
    if not rule["annotations"]["runbook_url"].endswith(f"/{kebab(name)}.md"):
        errors.append(f"{name}: runbook {rule['annotations']['runbook_url']}")
    cases = [case for test in tests for case in test["alert_rule_test"] if case["alertname"] == name]
    fired = [alert for case in cases for alert in case["exp_alerts"]]
    if not fired or any(alert["exp_labels"]["severity"] != "P2" for alert in fired):
        errors.append(f"{name}: no rule test in which it fires as a P2")
    if not any(case["exp_alerts"] == [] for case in cases):
        errors.append(f"{name}: no rule test in which it stays silent")
    return errors


def test_a_failed_release_is_a_p2_after_five_minutes_with_tests_and_a_runbook(kubernetes_projects):
    for strategy, project in kubernetes_projects.items():
        namespace = recorded(project)["project_slug"]
        alerts = {rule["alert"]: rule for rule in rules(project) if "alert" in rule}
        assert failed_release_errors(strategy, namespace, alerts, rule_tests(project)) == [], strategy
        other = FAILED_RELEASE["canary" if strategy == "rolling" else "rolling"][0]
        assert other not in alerts, strategy
        name = FAILED_RELEASE[strategy][0]
        runbook = (project / "docs" / "runbooks" / f"{kebab(name)}.md").read_text()
        assert runbook.startswith(f"# {name}\n") and "Severity **P2**" in runbook, strategy
        for section in ("## Meaning", "## Impact", "## First checks", "## Mitigation", "## Escalation"):
            assert section in runbook, (strategy, section)
        # the chart deploys the same rules as a PrometheusRule
        deployed = (project / "deploy/chart/files/alerts.yml").read_text()
        assert f"- alert: {name}\n" in deployed, strategy


def test_prometheus_scrapes_the_argo_rollouts_controller(kubernetes_projects):
    project = kubernetes_projects["canary"]
    values = yaml.safe_load((project / "deploy/argo-rollouts/values.yaml").read_text())
    assert values["controller"]["metrics"] == {"enabled": True, "serviceMonitor": {"enabled": True}}
    # kube-prometheus-stack selects every ServiceMonitor, so the chart's needs no extra label
    stack = yaml.safe_load((project / "monitoring/kube-prometheus-stack/values.yaml").read_text())
    assert stack["prometheus"]["prometheusSpec"]["serviceMonitorSelectorNilUsesHelmValues"] is False
    assert not (kubernetes_projects["rolling"] / "deploy/argo-rollouts").exists()


@pytest.mark.parametrize(
    ("strategy", "change"),
    [
        ("rolling", lambda alerts, tests: alerts["DeploymentRolloutFailed"]["labels"].update(severity="P3")),
        ("rolling", lambda alerts, tests: alerts["DeploymentRolloutFailed"].update({"for": "15m"})),
        ("canary", lambda alerts, tests: alerts["RolloutDegraded"].update(expr='rollout_info{phase="Degraded"} >= 1')),
        ("canary", lambda alerts, tests: alerts.pop("RolloutDegraded")),
        (
            "canary",
            lambda alerts, tests: [
                case.update(exp_alerts=[{"exp_labels": {"severity": "P2"}}])
                for test in tests
                for case in test["alert_rule_test"]
                if case["alertname"] == "RolloutDegraded"
            ],
        ),
    ],
)
def test_failed_release_checker_catches_a_wrong_alert(kubernetes_projects, strategy, change):
    project = kubernetes_projects[strategy]
    alerts = {rule["alert"]: rule for rule in rules(project) if "alert" in rule}
    tests = rule_tests(project)
    change(alerts, tests)
    assert failed_release_errors(strategy, recorded(project)["project_slug"], alerts, tests)
