"""`monitoring: datadog` in Terraform: terraform/modules/datadog and its module call in every
environment. A repository that differs only in `monitoring` from a prometheus-grafana one has the
same alerts (names, severities), the same burn-rate windows and traffic guard, the same objectives
and routing, and a runbook behind every monitor. Asserted on the parsed HCL of the renders; the
negative tests feed the checkers a broken module."""

import json
import re
from pathlib import Path

import pytest
import vendor_stacks
import yaml
from helpers import evaluate, load_hcl
from vendor_stacks import (
    FAILED_RELEASE,
    WORKBOOK_PAIRS,
    by_kind,
    merged,
    prometheus_alerts,
    recorded,
    render_beside_prometheus,
    resolved_arguments,
    seconds,
    tfvars,
)

pytestmark = pytest.mark.xdist_group("datadog")

# strategy -> the cloud it is rendered on (every cloud's environment roots get the module)
STRATEGIES = {
    "rolling": {"cloud": "aws", "region": "us-east-1"},
    # Go writes a whole-second bucket as le="1", which the Agent stores as upper_bound:1.0
    "canary": {"cloud": "gcp", "region": "us-central1", "runtime": "go", "slo_latency_ms": 1000},
    "blue-green": {"cloud": "azure", "region": "eastus"},
}
MODULE = Path("terraform/modules/datadog")


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """For each strategy, a datadog repository and the prometheus-grafana one it replaces."""
    return render_beside_prometheus(tmp_path_factory.mktemp("datadog"), "datadog", STRATEGIES)


def latency_le(answers: dict) -> str:
    """The `upper_bound` tag of the latency objective's bucket: the Agent's openmetrics check
    writes every runtime's `le` label (1 or 1.0) as the canonical float, str(float(le))."""
    return str(float(answers["slo_latency_ms"] / 1000))


def module_locals(project: Path, file: str) -> dict:
    return merged(load_hcl(project / MODULE / file)["locals"])


def monitors(project: Path, file: str) -> dict:
    return merged([entry["datadog_monitor"] for entry in load_hcl(project / MODULE / file)["resource"]])


def module_call(project: Path, env: str) -> dict:
    return vendor_stacks.module_call(project, env, "datadog")


# -- checkers: each returns what is wrong, so that the negative tests can show they catch it


def burn_rate_errors(path: Path) -> list[str]:
    """The burn-rate alerts of a module's burn-rates.tf, against the SRE workbook's four pairs."""
    module = merged(load_hcl(path)["locals"])
    errors = []
    for speed, alert in module["burn_rate_alerts"].items():
        pairs = {(float(w["factor"]), seconds(w["long"]), seconds(w["short"])) for w in alert["windows"]}
        if pairs != WORKBOOK_PAIRS.get(speed):
            errors.append(f"{speed}: {sorted(pairs)}")
    severities = {speed: alert["severity"] for speed, alert in module["burn_rate_alerts"].items()}
    if severities != {"fast": "P1", "slow": "P4"}:
        errors.append(f"severities {severities}")
    # every SLO gets every pair
    if (
        "for slo, objective in local.slos" not in module["burn_rate_windows"]
        or "alert.windows" not in module["burn_rate_windows"]
    ):
        errors.append("burn_rate_windows does not cover every SLO and window")
    return errors


def guard_errors(path: Path) -> list[str]:
    """Every pair of a composite burn-rate alert is ANDed with the traffic monitor of its long window,
    which alerts above min_request_rate requests per second."""
    resources = merged([entry["datadog_monitor"] for entry in load_hcl(path)["resource"]])
    errors = []
    composite = resources["burn_rate_alert"]
    if composite["type"] != "composite":
        errors.append(f"burn_rate_alert is a {composite['type']} monitor")
    if (
        "&& ${datadog_monitor.traffic[window.long].id})" not in composite["query"]
        or "window.possible" not in composite["query"]
    ):
        errors.append(f"a pair is not guarded by traffic: {composite['query']}")
    traffic = resources["traffic"]
    if (
        traffic["query"]
        != "avg(last_${each.key}):sum:${local.requests}{${local.sli_scope}}.as_rate() > ${var.min_request_rate}"
    ):
        errors.append(f"traffic query: {traffic['query']}")
    if traffic["for_each"] != "${toset([for window in values(local.burn_rate_windows) : window.long])}":
        errors.append(f"traffic windows: {traffic['for_each']}")
    return errors


def datadog_alerts(project: Path) -> dict[str, str]:
    """Alert name -> severity of every monitor that notifies, for this render's deployment kind."""
    kind = module_call(project, "prod")["deployment_kind"]
    symptoms = module_locals(project, "symptoms.tf")
    alerts = {}
    for key, symptom in symptoms["symptoms"].items():
        alerts[by_kind(symptoms, key, kind)] = symptom["severity"]
    burn = module_locals(project, "burn-rates.tf")["burn_rate_alerts"]
    for slo in module_locals(project, "slos.tf")["slos"]:
        for alert in burn.values():
            alerts[f"SLO{slo.title()}{alert['name']}"] = alert["severity"]
    return alerts


# -- tests


def test_burn_rate_alerts_are_the_workbook_pairs_for_both_slos(projects):
    for strategy, pair in projects.items():
        project = pair["datadog"]
        assert burn_rate_errors(project / MODULE / "burn-rates.tf") == [], strategy
        assert set(module_locals(project, "slos.tf")["slos"]) == {"availability", "latency"}, strategy
        resources = monitors(project, "burn-rates.tf")
        native = resources["burn_rate"]
        assert native["type"] == "slo alert"
        assert native["query"].endswith(
            '.over("30d").long_window("${each.value.long}").short_window("${each.value.short}") > ${each.value.factor}'
        ), native["query"]
        assert native["monitor_thresholds"] == [{"critical": "${each.value.factor}"}]
        # the 72h pair, beyond Datadog's 48h burn-rate look-back: both windows as metric monitors
        metric = resources["burn_rate_metric"]
        assert metric["query"].startswith("sum(last_${each.value.over}):100 * (1 - ")
        assert metric["query"].endswith("> ${each.value.factor}") and '"${key}-long"' in metric["for_each"]


def test_burn_rate_windows_match_the_prometheus_rules(projects):
    for strategy, pair in projects.items():
        rules = prometheus_alerts(pair["prometheus-grafana"])
        burn = module_locals(pair["datadog"], "burn-rates.tf")["burn_rate_alerts"]
        for speed, alert in burn.items():
            for slo in ("Availability", "Latency"):
                expr = rules[f"SLO{slo}{alert['name']}"]["expr"]
                found = set()
                for branch in expr.split("\nor\n"):
                    windows = re.findall(r"ratio_rate(\w+) > (?:\((\S+) \*|[\d.]+)", branch)
                    (long, factor), (short, _) = windows
                    found.add((float(factor or 1), seconds(long), seconds(short)))
                ours = {(float(w["factor"]), seconds(w["long"]), seconds(w["short"])) for w in alert["windows"]}
                assert ours == found, (strategy, slo, speed)


def test_every_burn_rate_pair_is_guarded_by_traffic_above_a_tenth_per_second(projects):
    for strategy, pair in projects.items():
        project = pair["datadog"]
        assert guard_errors(project / MODULE / "burn-rates.tf") == [], strategy
        variables = merged(load_hcl(project / MODULE / "variables.tf")["variable"])
        assert variables["min_request_rate"]["default"] == 0.1
        for env in recorded(project)["environments"]:
            assert "min_request_rate" not in module_call(project, env), (strategy, env)
        rules = prometheus_alerts(pair["prometheus-grafana"])
        assert all(rule["expr"].count("> 0.1\n") == 2 for name, rule in rules.items() if name.startswith("SLO"))


def test_slo_targets_come_from_the_answers(projects):
    for strategy, pair in projects.items():
        project = pair["datadog"]
        answers = recorded(project)
        slos = module_locals(project, "slos.tf")["slos"]
        assert slos["availability"]["target"] == "${var.slo_availability}"
        assert slos["latency"]["target"] == 99
        assert "upper_bound:${local.latency_bound}" in slos["latency"]["good"]
        slo = merged(
            [entry["datadog_service_level_objective"] for entry in load_hcl(project / MODULE / "slos.tf")["resource"]]
        )["this"]
        assert slo["type"] == "metric"
        assert {(t["timeframe"], t["target"]) for t in slo["thresholds"]} == {
            ("30d", "${each.value.target}"),
            ("7d", "${each.value.target}"),
        }
        for env in answers["environments"]:
            values = tfvars(project, env)
            assert values["slo_availability"] == answers["slo_availability"], (strategy, env)
            assert values["slo_latency_ms"] == answers["slo_latency_ms"], (strategy, env)
            call = module_call(project, env)
            assert (
                call["slo_availability"] == "${var.slo_availability}"
                and call["slo_latency_ms"] == "${var.slo_latency_ms}"
            )
            assert call["slo_latency_bucket"] == latency_le(answers), (strategy, env)


def test_p1_pages_and_p4_is_an_email(projects):
    for strategy, pair in projects.items():
        project = pair["datadog"]
        answers = recorded(project)
        routing = module_locals(project, "main.tf")["routing"]
        assert {level: route["handles"] for level, route in routing.items()} == {
            "P0": "${var.page_handles}",
            "P1": "${var.page_handles}",
            "P2": "${var.chat_handles}",
            "P3": "${var.chat_handles}",
            "P4": "${var.ticket_handles}",
        }
        assert [routing[f"P{n}"]["priority"] for n in range(5)] == [1, 1, 2, 3, 4]
        production = answers["environments"][-1]
        for env in answers["environments"]:
            values, call = tfvars(project, env), module_call(project, env)
            assert (
                call["page_handles"] == "${var.datadog_page_handles}"
                and call["ticket_handles"] == "${var.datadog_ticket_handles}"
            )
            assert values["datadog_ticket_handles"] == [f"@{answers['alert_email']}"], env
            pages = values["datadog_page_handles"]
            assert (f"@pagerduty-{answers['project_slug']}" in pages) == (env == production), (strategy, env)
            assert all(handle.startswith("@slack-") for handle in values["datadog_chat_handles"]), env
        # the notifying monitors name their handles by severity
        for resource in (
            monitors(project, "burn-rates.tf")["burn_rate_alert"],
            monitors(project, "symptoms.tf")["symptom"],
        ):
            assert "{{#is_alert}}" in resource["message"] and "{{#is_recovery}}" in resource["message"]
            assert '${join(" ", local.routing[' in resource["message"]


def test_every_monitor_links_a_runbook_of_the_render(projects):
    for strategy, pair in projects.items():
        project = pair["datadog"]
        answers = recorded(project)
        runbooks = project / "docs" / "runbooks"
        call = module_call(project, "prod")
        assert call["runbook_url"] == f"https://github.com/{answers['repository']}/blob/main/docs/runbooks"
        symptoms = module_locals(project, "symptoms.tf")
        kind = call["deployment_kind"]
        linked = [by_kind(symptoms, s["runbook"], kind) for s in symptoms["symptoms"].values()]
        assert (
            "Runbook: ${var.runbook_url}/${each.value.runbook}.md"
            in monitors(project, "symptoms.tf")["symptom"]["message"]
        )
        burn = monitors(project, "burn-rates.tf")["burn_rate_alert"]
        assert "Runbook: ${var.runbook_url}/slo-${each.value.slo}-${each.value.speed}-burn.md" in burn["message"]
        linked += [f"slo-{slo}-{speed}-burn" for slo in ("availability", "latency") for speed in ("fast", "slow")]
        missing = [name for name in linked if not (runbooks / f"{name}.md").is_file()]
        assert not missing, (strategy, missing)


def test_analysis_and_slo_count_the_same_latency_bucket(projects):
    project = projects["canary"]["datadog"]
    values = yaml.safe_load((project / "deploy/chart/values.yaml").read_text())
    main = load_hcl(project / "terraform/environments/prod/main.tf")
    (module,) = [block["datadog"] for block in main["module"] if "datadog" in block]
    # the Agent writes every runtime's le (1 or 1.0) as the canonical float, upper_bound:1.0
    assert values["analysis"]["latencyObjectiveSeconds"] == module["slo_latency_bucket"] == "1.0"


def test_same_alerts_and_severities_as_prometheus(projects):
    for strategy, pair in projects.items():
        expected = {
            name: rule["labels"]["severity"] for name, rule in prometheus_alerts(pair["prometheus-grafana"]).items()
        }
        assert datadog_alerts(pair["datadog"]) == expected, strategy


def test_deployment_kind_follows_the_strategy(projects):
    for strategy, pair in projects.items():
        for env in recorded(pair["datadog"])["environments"]:
            assert module_call(pair["datadog"], env)["deployment_kind"] == (
                "deployment" if strategy == "rolling" else "rollout"
            )


def test_dashboard_is_valid_json_with_every_placeholder_supplied(projects):
    project = projects["canary"]["datadog"]
    text = (project / MODULE / "dashboards" / "service.json").read_text()
    placeholders = set(re.findall(r"\$\{(\w+)\}", text))
    dashboard = merged(
        [entry["datadog_dashboard_json"] for entry in load_hcl(project / MODULE / "dashboards.tf")["resource"]]
    )
    supplied = re.search(
        r"templatefile\(\"\$\{path.module\}/dashboards/service.json\", \{(.*)\}\)", dashboard["service"]["dashboard"]
    )
    assert supplied, dashboard["service"]["dashboard"]
    assert placeholders == set(re.findall(r"(\w+) = ", supplied.group(1)))
    model = json.loads(re.sub(r"\$\{\w+\}", "x", text))
    titles = [w["definition"]["title"] for group in model["widgets"] for w in group["definition"]["widgets"]]
    assert {"Requests per second by route", "Error ratio (5xx), percent", "Memory used / limit, percent"} <= set(titles)
    assert [w["definition"]["type"] for w in model["widgets"][0]["definition"]["widgets"][:2]] == ["slo", "slo"]


def test_prometheus_repositories_have_no_datadog(projects):
    for strategy, pair in projects.items():
        project = pair["prometheus-grafana"]
        assert not (project / MODULE).exists(), strategy
        for path in (project / "terraform" / "environments").rglob("*.tf*"):
            assert "datadog" not in path.read_text().lower(), path


@pytest.mark.parametrize("slo_availability", [None, 92.0])
def test_module_evaluates_every_pair_it_can_page_on(projects, tmp_path, slo_availability):
    """Evaluated, not parsed: both SLOs get the four pairs, the 72h pair (beyond Datadog's 48h burn-rate
    look-back) becomes metric monitors, and a pair that would need more than every request to fail is
    dropped (14.4x of a 92% objective's 8% budget)."""
    project = projects["canary"]["datadog"]
    arguments = resolved_arguments(project, "prod", "datadog")
    if slo_availability:
        arguments["slo_availability"] = slo_availability
    windows, routing, names = evaluate(
        project / MODULE,
        tmp_path,
        arguments,
        ["local.burn_rate_windows", "local.routing", "keys(local.symptoms)"],
    )
    assert len(windows) == 8
    native = {key for key, window in windows.items() if window["native"] and window["possible"]}
    metric = {key for key, window in windows.items() if not window["native"] and window["possible"]}
    assert metric == {"availability-slow-72h", "latency-slow-72h"}
    dropped = {"availability-fast-1h"} if slo_availability else set()
    assert native == set(windows) - metric - dropped
    assert routing["P1"]["handles"] == arguments["page_handles"] and routing["P1"]["priority"] == 1
    assert routing["P4"]["handles"] == arguments["ticket_handles"] == [f"@{recorded(project)['alert_email']}"]
    assert "RolloutReplicasUnavailable" in names and "DeploymentReplicasUnavailable" not in names
    assert "RolloutDegraded" in names and "DeploymentRolloutFailed" not in names


# -- the checkers catch a broken module


def broken_copy(projects, tmp_path: Path, original: str, broken: str) -> Path:
    """burn-rates.tf of a render with `original` replaced by `broken`."""
    text = (projects["canary"]["datadog"] / MODULE / "burn-rates.tf").read_text()
    assert text.count(original) == 1, f"the module changed: {original!r} is not in it once"
    path = tmp_path / "burn-rates.tf"
    path.write_text(text.replace(original, broken))
    return path


@pytest.mark.parametrize(
    ("original", "broken"),
    [
        ('{ factor = 14.4, long = "1h", short = "5m" }', '{ factor = 1.44, long = "1h", short = "5m" }'),
        ('{ factor = 1, long = "72h", short = "360m" }', '{ factor = 1, long = "48h", short = "360m" }'),
        ('severity = "P4"', 'severity = "P3"'),
    ],
)
def test_burn_rate_checker_catches_a_wrong_pair(projects, tmp_path, original, broken):
    assert burn_rate_errors(broken_copy(projects, tmp_path, original, broken))


@pytest.mark.parametrize(
    ("original", "broken"),
    [
        (" && ${datadog_monitor.traffic[window.long].id})", ")"),
        ("as_rate() > ${var.min_request_rate}", "as_rate() > 0"),
    ],
)
def test_guard_checker_catches_an_unguarded_pair(projects, tmp_path, original, broken):
    assert guard_errors(broken_copy(projects, tmp_path, original, broken))


# -- a failed release that nobody rolled back


def failed_release_errors(symptoms: dict, kind: str, rule: dict) -> list[str]:
    """The monitor of a failed release against the Prometheus rule of the same name: severity,
    window (the rule's `for:`), threshold, and the series it reads."""
    name = FAILED_RELEASE[kind]
    picked = {by_kind(symptoms, key, kind): symptom for key, symptom in symptoms["symptoms"].items()}
    if name not in picked:
        return [f"no {name} monitor"]
    monitor = picked[name]
    query = by_kind(symptoms, monitor["query"], kind)
    errors = []
    if monitor["severity"] != rule["labels"]["severity"]:
        errors.append(f"severity {monitor['severity']}")
    window = re.match(r"min\(last_(\d+[mh])\):", query)
    if not window or seconds(window[1]) != seconds(rule["for"]):
        errors.append(f"window of {query}")
    (threshold,) = re.findall(r">= ([\d.]+)\s*$", rule["expr"])
    if not query.endswith(f">= {threshold}") or float(monitor["critical"]) != float(threshold):
        errors.append(f"threshold of {query}")
    if kind == "deployment":
        if "kubernetes_state.deployment.condition{${local.kube_scope},condition:progressing,status:false}" not in query:
            errors.append(f"series of {query}")
    else:
        phases = re.search(r"phase IN \(([^)]*)\)", query)
        expected = {phase.lower() for phase in re.search(r'phase=~"([^"]*)"', rule["expr"])[1].split("|")}
        if not phases or set(phases[1].split(",")) != expected:
            errors.append(f"phases of {query}")
        if "argo_rollouts.rollout.info{argo_rollouts_namespace:${var.kube_namespace} AND " not in query:
            errors.append(f"series of {query}")
    return errors


def test_a_failed_release_is_the_prometheus_alert(projects):
    for strategy, pair in projects.items():
        kind = module_call(pair["datadog"], "prod")["deployment_kind"]
        rule = prometheus_alerts(pair["prometheus-grafana"])[FAILED_RELEASE[kind]]
        assert (rule["labels"]["severity"], rule["for"]) == ("P2", "5m"), strategy
        symptoms = module_locals(pair["datadog"], "symptoms.tf")
        assert failed_release_errors(symptoms, kind, rule) == [], strategy


def test_the_agent_reads_the_argo_rollouts_controller(projects):
    for strategy, pair in projects.items():
        path = pair["datadog"] / "deploy/argo-rollouts/values.yaml"
        if strategy == "rolling":
            assert not path.exists()
            continue
        annotations = yaml.safe_load(path.read_text())["controller"]["podAnnotations"]
        # the chart's controller container is named argo-rollouts and serves /metrics on 8090
        check = json.loads(annotations["ad.datadoghq.com/argo-rollouts.checks"])
        assert check["argo_rollouts"]["instances"] == [{"openmetrics_endpoint": "http://%%host%%:8090/metrics"}]
        runbook = (pair["datadog"] / "docs/runbooks/rollout-degraded.md").read_text()
        assert "argo_rollouts.rollout.info{argo_rollouts_namespace:" in runbook, strategy


@pytest.mark.parametrize(
    ("kind", "original", "broken"),
    [
        ("deployment", "min(last_5m)", "min(last_15m)"),
        ("deployment", "status:false", "status:true"),
        ("rollout", "phase IN (abort,timeout,invalidspec)", "phase IN (abort,invalidspec)"),
        ("rollout", ") >= 1", ") >= 2"),
    ],
)
def test_failed_release_checker_catches_a_wrong_monitor(projects, kind, original, broken):
    strategy = "rolling" if kind == "deployment" else "canary"
    pair = projects[strategy]
    symptoms = module_locals(pair["datadog"], "symptoms.tf")
    monitor = symptoms["release_monitor"][kind]
    assert monitor["query"].count(original) == 1, monitor["query"]
    monitor["query"] = monitor["query"].replace(original, broken)
    rule = prometheus_alerts(pair["prometheus-grafana"])[FAILED_RELEASE[kind]]
    assert failed_release_errors(symptoms, kind, rule)
