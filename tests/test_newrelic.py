"""`monitoring: newrelic` in Terraform: terraform/modules/newrelic and its module call in every
environment. A repository that differs only in `monitoring` from a prometheus-grafana one has the
same alerts (names, severities, thresholds, durations), the same burn-rate windows and traffic
guard, the same objectives and routing, and a runbook behind every condition. Asserted on the
parsed HCL of the renders; the negative tests feed the checkers a broken module."""

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

pytestmark = pytest.mark.xdist_group("newrelic")

STRATEGIES = {
    "rolling": {"cloud": "aws", "region": "us-east-1"},
    "canary": {"cloud": "gcp", "region": "us-central1"},
    "blue-green": {"cloud": "azure", "region": "eastus"},
}
MODULE = Path("terraform/modules/newrelic")


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """For each strategy, a newrelic repository and the prometheus-grafana one it replaces."""
    return render_beside_prometheus(tmp_path_factory.mktemp("newrelic"), "newrelic", STRATEGIES)


def module_locals(project: Path, file: str) -> dict:
    return merged(load_hcl(project / MODULE / file)["locals"])


def resources(path: Path, kind: str) -> dict:
    return merged([entry[kind] for entry in load_hcl(path)["resource"] if kind in entry])


def module_call(project: Path, env: str) -> dict:
    return vendor_stacks.module_call(project, env, "newrelic")


# -- checkers: each returns what is wrong, so that the negative tests can show they catch it


def burn_rate_errors(path: Path) -> list[str]:
    """The burn-rate alerts of a module's burn-rates.tf against the SRE workbook's pairs, the
    severities and the `for:` of the Prometheus rules."""
    module = merged(load_hcl(path)["locals"])
    errors = []
    for speed, alert in module["burn_rate_alerts"].items():
        pairs = {(float(w["factor"]), seconds(w["long"]), seconds(w["short"])) for w in alert["windows"]}
        if pairs != WORKBOOK_PAIRS.get(speed):
            errors.append(f"{speed}: {sorted(pairs)}")
    found = {speed: (alert["severity"], alert["for"]) for speed, alert in module["burn_rate_alerts"].items()}
    if found != {"fast": ("P1", 120), "slow": ("P4", 900)}:
        errors.append(f"severities and durations {found}")
    compound = resources(path, "newrelic_alert_compound_condition")["burn_rate_alert"]
    if compound["threshold_duration"] != "${each.value.alert.for}":
        errors.append(f"compound threshold_duration {compound['threshold_duration']}")
    if "AND" not in compound["trigger_expression"] or '" OR "' not in compound["trigger_expression"]:
        errors.append(f"trigger expression {compound['trigger_expression']}")
    return errors


def guard_errors(path: Path) -> list[str]:
    """The long window of every pair counts as no burn while traffic is at most min_request_rate."""
    condition = resources(path, "newrelic_nrql_alert_condition")["burn_rate"]
    query = condition["nrql"][0]["query"]
    guard = "* clamp_max(floor(${local.slos[each.value.slo].traffic} / ${var.min_request_rate}), 1)"
    errors = []
    if f'each.value.part == "long" ? "{guard}"' not in query:
        errors.append(f"the long window is not guarded by traffic: {query}")
    if condition["critical"][0]["threshold"] != "${each.value.factor}":
        errors.append(f"threshold {condition['critical'][0]['threshold']}")
    return errors


# -- tests


def test_burn_rate_alerts_are_the_workbook_pairs_for_both_slos(projects):
    for strategy, pair in projects.items():
        project = pair["newrelic"]
        assert burn_rate_errors(project / MODULE / "burn-rates.tf") == [], strategy
        assert set(module_locals(project, "service-levels.tf")["slos"]) == {"availability", "latency"}


def test_burn_rate_windows_match_the_prometheus_rules(projects):
    for strategy, pair in projects.items():
        rules = prometheus_alerts(pair["prometheus-grafana"])
        burn = module_locals(pair["newrelic"], "burn-rates.tf")["burn_rate_alerts"]
        for speed, alert in burn.items():
            for slo in ("Availability", "Latency"):
                rule = rules[f"SLO{slo}{alert['name']}"]
                assert rule["labels"]["severity"] == alert["severity"]
                assert seconds(rule["for"]) == alert["for"], (strategy, slo, speed)
                found = set()
                for branch in rule["expr"].split("\nor\n"):
                    windows = re.findall(r"ratio_rate(\w+) > (?:\((\S+) \*|[\d.]+)", branch)
                    (long, factor), (short, _) = windows
                    found.add((float(factor or 1), seconds(long), seconds(short)))
                ours = {(float(w["factor"]), seconds(w["long"]), seconds(w["short"])) for w in alert["windows"]}
                assert ours == found, (strategy, slo, speed)


def test_every_burn_rate_pair_is_guarded_by_traffic_above_a_tenth_per_second(projects):
    for strategy, pair in projects.items():
        project = pair["newrelic"]
        assert guard_errors(project / MODULE / "burn-rates.tf") == [], strategy
        variables = merged(load_hcl(project / MODULE / "variables.tf")["variable"])
        assert variables["min_request_rate"]["default"] == 0.1
        for env in recorded(project)["environments"]:
            assert "min_request_rate" not in module_call(project, env), (strategy, env)


def test_windows_fit_what_a_nrql_condition_allows(projects):
    """Aggregation windows of at most 6 hours, threshold durations of at most 24 hours and a
    multiple of the window: longer windows become 6-hour windows that all burn for 24 hours."""
    condition = resources(projects["canary"]["newrelic"] / MODULE / "burn-rates.tf", "newrelic_nrql_alert_condition")
    burn = condition["burn_rate"]
    assert burn["aggregation_window"] == "${min(each.value.seconds, 21600)}"
    assert burn["critical"][0]["threshold_duration"] == "${each.value.seconds > 21600 ? 86400 : each.value.seconds}"
    assert burn["policy_id"].startswith("${var.compound_conditions ? newrelic_alert_policy.signals.id : ")


@pytest.mark.parametrize("compound", [False, True])
def test_module_evaluates_the_pairs_with_and_without_compound_conditions(projects, tmp_path, compound):
    """Evaluated, not parsed: with compound conditions every pair has a long and a short window
    joined by a compound condition; without (the default: a preview of New Relic), each pair alerts
    on its guarded long window alone, in its severity's policy."""
    project = projects["canary"]["newrelic"]
    arguments = resolved_arguments(project, "prod", "newrelic")
    arguments["compound_conditions"] = compound
    signals, compounds = evaluate(
        project / MODULE,
        tmp_path,
        arguments,
        ["local.burn_rate_signals", "keys(local.burn_rate_compounds)"],
    )
    expected_parts = {"long", "short"} if compound else {"long"}
    workbook = ((14.4, "1h", "5m"), (6, "6h", "30m"), (3, "24h", "120m"), (1, "72h", "360m"))
    pairs = {(s["slo"], s["factor"], s["long"], s["short"]) for s in signals.values()}
    assert pairs == {(slo, *pair) for slo in ("availability", "latency") for pair in workbook}
    assert {s["part"] for s in signals.values()} == expected_parts
    assert sorted(compounds) == (
        sorted(f"{slo}-{speed}" for slo in ("availability", "latency") for speed in ("fast", "slow"))
        if compound
        else []
    )


def test_slo_targets_come_from_the_answers(projects):
    for strategy, pair in projects.items():
        project = pair["newrelic"]
        answers = recorded(project)
        slos = module_locals(project, "service-levels.tf")["slos"]
        assert slos["availability"]["target"] == "${var.slo_availability}"
        assert slos["latency"]["target"] == 99
        levels = resources(project / MODULE / "service-levels.tf", "newrelic_service_level")
        for level in levels.values():
            assert level["objective"][0]["time_window"][0]["rolling"] == [{"count": 28, "unit": "DAY"}]
        for env in answers["environments"]:
            values = tfvars(project, env)
            assert values["slo_availability"] == answers["slo_availability"], (strategy, env)
            assert values["slo_latency_ms"] == answers["slo_latency_ms"], (strategy, env)


def test_every_query_is_scoped_to_the_cluster_and_namespace_without_probes(projects):
    main = module_locals(projects["canary"]["newrelic"], "main.tf")
    assert main["metric_scope"] == "cluster_name = '${var.kube_cluster_name}' AND namespace = '${var.kube_namespace}'"
    assert main["sli_scope"].endswith("AND route NOT IN ('/healthz', '/readyz', '/metrics')")
    assert main["kube_scope"] == "clusterName = '${var.kube_cluster_name}' AND namespaceName = '${var.kube_namespace}'"
    symptoms = module_locals(projects["canary"]["newrelic"], "symptoms.tf")
    queries = [s["query"] for s in symptoms["symptoms"].values()] + [
        w["query"] for w in symptoms["workload_condition"].values()
    ]
    queries += [symptoms["release_condition"]["deployment"]["query"]]
    assert all(
        "${local.kube_scope}" in q or "${local.metric_scope}" in q for q in queries if "deployment_kind" not in q
    )
    # the Argo Rollouts controller's series: its own namespace label, the Rollout's kept as exported_namespace
    rollout = symptoms["release_condition"]["rollout"]["query"]
    assert "cluster_name = '${var.kube_cluster_name}' AND exported_namespace = '${var.kube_namespace}'" in rollout


def test_p1_pages_and_p4_is_an_email(projects):
    for strategy, pair in projects.items():
        project = pair["newrelic"]
        answers = recorded(project)
        assert module_locals(project, "main.tf")["routing"] == {
            "P0": "page",
            "P1": "page",
            "P2": "chat",
            "P3": "chat",
            "P4": "ticket",
        }
        routing = module_locals(project, "routing.tf")
        channels = routing["route_channels"]
        assert "newrelic_notification_channel.pagerduty" in channels["page"]
        assert "local.chat_channels" in channels["page"]
        assert channels["chat"] == "${local.chat_channels}"
        assert channels["ticket"] == ["${newrelic_notification_channel.email.id}"]
        # chat is Slack once connected, the ticket e-mail until then: a fresh repository plans
        fallback = routing["chat_channels"]
        assert "var.slack_destination_id == null" in fallback and "newrelic_notification_channel.email.id" in fallback
        for env in answers["environments"]:
            values = tfvars(project, env)
            assert values["newrelic_ticket_emails"] == [answers["alert_email"]], env
            assert values["newrelic_slack_destination_id"] is None, (strategy, env)
            assert values["newrelic_pagerduty_destination_id"] is None, (strategy, env)


def test_every_condition_links_a_runbook_of_the_render(projects):
    for strategy, pair in projects.items():
        project = pair["newrelic"]
        answers = recorded(project)
        call = module_call(project, "prod")
        assert call["runbook_url"] == f"https://github.com/{answers['repository']}/blob/main/docs/runbooks"
        symptoms = module_locals(project, "symptoms.tf")
        kind = call["deployment_kind"]
        linked = [by_kind(symptoms, s["runbook"], kind) for s in symptoms["symptoms"].values()]
        symptom = resources(project / MODULE / "symptoms.tf", "newrelic_nrql_alert_condition")["symptom"]
        assert symptom["runbook_url"] == "${var.runbook_url}/${each.value.runbook}.md"
        compound = resources(project / MODULE / "burn-rates.tf", "newrelic_alert_compound_condition")
        assert (
            compound["burn_rate_alert"]["runbook_url"]
            == "${var.runbook_url}/slo-${each.value.slo}-${each.value.speed}-burn.md"
        )
        linked += [f"slo-{slo}-{speed}-burn" for slo in ("availability", "latency") for speed in ("fast", "slow")]
        missing = [name for name in linked if not (project / "docs" / "runbooks" / f"{name}.md").is_file()]
        assert not missing, (strategy, missing)


def test_same_alerts_severities_thresholds_and_durations_as_prometheus(projects):
    for strategy, pair in projects.items():
        rules = prometheus_alerts(pair["prometheus-grafana"])
        project = pair["newrelic"]
        kind = module_call(project, "prod")["deployment_kind"]
        symptoms = module_locals(project, "symptoms.tf")
        ours = {}
        for key, symptom in symptoms["symptoms"].items():
            ours[by_kind(symptoms, key, kind)] = symptom
        burn = module_locals(project, "burn-rates.tf")["burn_rate_alerts"]
        names = set(ours) | {
            f"SLO{slo.title()}{a['name']}" for slo in ("availability", "latency") for a in burn.values()
        }
        assert names == set(rules), strategy
        for name, symptom in ours.items():
            rule = rules[name]
            assert symptom["severity"] == rule["labels"]["severity"], name
            # ServiceDown and TargetDown read `up` below 1 (Prometheus: == 0); HPAAtMaxReplicas compares series
            if name not in ("ServiceDown", "TargetDown", "HPAAtMaxReplicas"):
                threshold = re.findall(r">=? ([\d.]+)\s*$", rule["expr"].strip())
                assert float(symptom["threshold"]) == float(threshold[0]), name
            expected = seconds(rule["for"]) if "for" in rule else seconds(re.search(r"\[(\w+)\]", rule["expr"])[1])
            assert symptom["duration"] == expected, name


def test_deployment_kind_follows_the_strategy(projects):
    for strategy, pair in projects.items():
        for env in recorded(pair["newrelic"])["environments"]:
            assert module_call(pair["newrelic"], env)["deployment_kind"] == (
                "deployment" if strategy == "rolling" else "rollout"
            )


def test_dashboard_has_the_grafana_panels(projects):
    pair = projects["canary"]
    grafana = yaml.safe_load((pair["prometheus-grafana"] / "monitoring/grafana/dashboards/service.json").read_text())
    grafana_titles = {p["title"] for p in grafana["panels"] if p["type"] != "row"}
    widgets = module_locals(pair["newrelic"], "dashboards.tf")["dashboard_widgets"]
    ours = {re.sub(r" \(.*\)$", "", w["title"]) for w in widgets}
    ours = {t.replace("${var.slo_latency_ms}", str(recorded(pair["newrelic"])["slo_latency_ms"])) for t in ours}
    missing = {t for t in grafana_titles if not any(t in o or o in t for o in ours)}
    assert not missing, missing


def test_prometheus_repositories_have_no_newrelic(projects):
    for strategy, pair in projects.items():
        project = pair["prometheus-grafana"]
        assert not (project / MODULE).exists(), strategy
        for path in (project / "terraform" / "environments").rglob("*.tf*"):
            assert "newrelic" not in path.read_text().lower(), path


# -- the checkers catch a broken module


def broken_copy(projects, tmp_path: Path, original: str, broken: str) -> Path:
    text = (projects["canary"]["newrelic"] / MODULE / "burn-rates.tf").read_text()
    assert text.count(original) == 1, f"the module changed: {original!r} is not in it once"
    path = tmp_path / "burn-rates.tf"
    path.write_text(text.replace(original, broken))
    return path


@pytest.mark.parametrize(
    ("original", "broken"),
    [
        ('{ factor = 14.4, long = "1h", short = "5m" }', '{ factor = 1.44, long = "1h", short = "5m" }'),
        ('{ factor = 1, long = "72h", short = "360m" }', '{ factor = 1, long = "24h", short = "360m" }'),
        ('severity = "P4"', 'severity = "P3"'),
        ("for      = 900", "for      = 60"),
    ],
)
def test_burn_rate_checker_catches_a_wrong_pair(projects, tmp_path, original, broken):
    assert burn_rate_errors(broken_copy(projects, tmp_path, original, broken))


def test_guard_checker_catches_an_unguarded_long_window(projects, tmp_path):
    original = 'each.value.part == "long" ? "* clamp_max('
    assert guard_errors(broken_copy(projects, tmp_path, original, 'each.value.part == "never" ? "* clamp_max('))


# -- a failed release that nobody rolled back


def test_a_failed_release_reads_what_the_prometheus_alert_reads(projects):
    """Name, severity, threshold and duration are the Prometheus rule's (the test above); here the
    series: the Deployment's Progressing condition, or the Rollout phases of the controller."""
    for strategy, pair in projects.items():
        kind = module_call(pair["newrelic"], "prod")["deployment_kind"]
        rule = prometheus_alerts(pair["prometheus-grafana"])[FAILED_RELEASE[kind]]
        assert (rule["labels"]["severity"], rule["for"]) == ("P2", "5m"), strategy
        symptoms = module_locals(pair["newrelic"], "symptoms.tf")
        condition = symptoms["release_condition"][kind]
        if kind == "deployment":
            assert "FROM K8sDeploymentSample" in condition["query"]
            assert "AND conditionProgressing = 'false' FACET deploymentName" in condition["query"]
        else:
            phases = re.search(r"phase IN \(([^)]*)\)", condition["query"])[1]
            assert phases.replace("'", "").split(", ") == re.search(r'phase=~"([^"]*)"', rule["expr"])[1].split("|")
            assert condition["query"].startswith("SELECT max(rollout_info) FROM Metric WHERE ")
            values = yaml.safe_load((pair["newrelic"] / "deploy/argo-rollouts/values.yaml").read_text())
            # the Prometheus agent's `newrelic` job scrapes pods with this annotation, on the controller's port
            assert values["controller"]["podAnnotations"] == {
                "newrelic.io/scrape": "true",
                "prometheus.io/port": "8090",
                "prometheus.io/path": "/metrics",
            }
        runbook = (pair["newrelic"] / "docs/runbooks" / f"{condition['runbook']}.md").read_text()
        assert runbook.startswith(f"# {FAILED_RELEASE[kind]}\n") and "Severity **P2**" in runbook, strategy
