"""monitoring: cloud-native on AWS with ECS on Fargate: the service's objectives as CloudWatch
metric-math alarms on its load balancer, ANDed in pairs by composite alarms, with the same pairs,
targets, traffic guard and severities as the prometheus-grafana repository of the same answers; a
runbook for every alarm and no other; refused by name everywhere else. Every validator runs on the
render in the harness (render matrix member aws-serverless-cloud-native)."""

import re
from pathlib import Path

import pytest
import yaml
from copier import run_copy
from helpers import ROOT, answers, blocks, evaluate, load_hcl
from test_monitoring import ALARMS, kebab
from vendor_stacks import (
    WORKBOOK_PAIRS,
    module_call,
    prometheus_alerts,
    recorded,
    render_beside_prometheus,
    resolved_arguments,
)

from extensions import validation

pytestmark = pytest.mark.xdist_group("cloud-native")

STRATEGIES = {
    "rolling": {"orchestrator": "serverless", "slo_availability": 99.5, "slo_latency_ms": 250},
    "canary": {"orchestrator": "serverless", "runtime": "node", "domain_name": "payments.example.com"},
}
MODULE = Path("terraform/modules/cloudwatch-slo")
SECONDS = {"5m": 300, "30m": 1800, "1h": 3600, "2h": 7200, "6h": 21600, "1d": 86400, "3d": 259200}
# the prometheus rules' burn-rate comparisons: `<level>:<ratio>:ratio_rate<window> > (<factor> * <budget>)`
RULE_PAIR = re.compile(r":(\w+):ratio_rate(\w+) > \(?(?:([\d.]+) \* )?([\d.]+)\)?")
REFUSAL = "monitoring: cloud-native is offered on aws with orchestrator serverless so far"
GUARD = re.compile(r":http_requests:rate(\w+) > ([\d.]+)")


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """For each strategy, a cloud-native repository and the prometheus-grafana one it replaces."""
    return render_beside_prometheus(tmp_path_factory.mktemp("cloud-native"), "cloud-native", STRATEGIES)


@pytest.fixture(scope="module")
def evaluated(projects, tmp_path_factory) -> dict[str, dict]:
    """The module's windows, alarm names, routing and runbooks, evaluated by terraform console
    with the production environment's arguments."""
    out = {}
    for strategy, pair in projects.items():
        project = pair["cloud-native"]
        # what the environment passes from other modules and locals, given here
        arguments = {k: v for k, v in resolved_arguments(project, "prod", "slo").items() if "${" not in str(v)}
        arguments.update(
            name=f"{recorded(project)['project_slug']}-prod",
            load_balancer_arn_suffix="app/x/0123abcd",
            cluster_name="c",
            service_name="s",
        )
        arguments["topic_arns"] = {level: f"arn:aws:sns:us-east-1:210987654321:{level}" for level in catalog_levels()}
        names = ["local.windows", "local.alarm_name", "local.routing", "local.runbook", "local.latency_statistic"]
        values = evaluate(project / MODULE, tmp_path_factory.mktemp(strategy), arguments, names)
        out[strategy] = dict(zip(("windows", "names", "routing", "runbook", "statistic"), values, strict=True))
    return out


def catalog_levels() -> tuple[str, ...]:
    return ("page", "notify", "ticket")


# -- checkers: each returns what is wrong, so that the negative tests can show they catch it


def pair_errors(windows: dict, routing: dict, slo_availability: float) -> list[str]:
    """The 16 window alarms against the SRE workbook's pairs, the budgets, the guard and severities."""
    errors = []
    budgets = {"availability": round((100 - slo_availability) / 100, 10), "latency": 0.01}
    for slo, budget in budgets.items():
        for speed, expected in WORKBOOK_PAIRS.items():
            mine = [w for w in windows.values() if w["slo"] == slo and w["speed"] == speed]
            pairs = {}
            for w in mine:
                pairs.setdefault(w["pair"], {})[w["role"]] = w
            found = {
                (float(p["long"]["factor"]), SECONDS[p["long"]["window"]], SECONDS[p["short"]["window"]])
                for p in pairs.values()
            }
            if found != expected:
                errors.append(f"{slo} {speed}: pairs {sorted(found)}")
            for w in mine:
                if w["period"] != SECONDS[w["window"]]:
                    errors.append(f"{slo} {w['window']}: period {w['period']}")
                if abs(w["threshold"] - w["factor"] * budget) > 1e-12:
                    errors.append(f"{slo} {w['window']}: threshold {w['threshold']} for {w['factor']}x of {budget}")
                guard = 0.1 * w["period"] if w["role"] == "long" else 0
                if abs(w["min_requests"] - guard) > 1e-9:
                    errors.append(f"{slo} {w['window']} ({w['role']}): guard {w['min_requests']} requests")
    severities = {speed: (route["severity"], route["level"]) for speed, route in routing.items()}
    if severities != {"fast": ("P1", "page"), "slow": ("P4", "ticket")}:
        errors.append(f"routing {severities}")
    return errors


def composite_errors(path: Path) -> list[str]:
    """Each composite ANDs the long and short alarm of each pair and ORs the pairs; the slow one is
    suppressed by the fast one of its objective; leaf alarms notify nobody."""
    parsed = blocks(load_hcl(path), "resource")
    resources = {
        name.split(".")[1]: body for name, body in parsed.items() if name.startswith("aws_cloudwatch_composite_alarm.")
    }
    leaves = {
        name.split(".")[1]: body for name, body in parsed.items() if name.startswith("aws_cloudwatch_metric_alarm.")
    }
    errors = []
    for speed in ("fast", "slow"):
        rule = resources[f"{speed}_burn"]["alarm_rule"]
        window = f'ALARM(\\"${{local.alarm_name["${{each.key}}-{speed}-${{pair.factor}}x-${{pair.%s}}"]}}\\")'
        pair = f"({window % 'long'} AND {window % 'short'})"
        if pair not in rule or 'join(" OR "' not in rule or f"local.burn_pairs.{speed}" not in rule:
            errors.append(f"{speed}: {rule}")
        if resources[f"{speed}_burn"]["alarm_actions"] != [f"${{var.topic_arns[local.routing.{speed}.level]}}"]:
            errors.append(f"{speed} actions: {resources[f'{speed}_burn']['alarm_actions']}")
    suppressor = resources["slow_burn"].get("actions_suppressor", [{}])[0]
    if suppressor.get("alarm") != "${aws_cloudwatch_composite_alarm.fast_burn[each.key].alarm_name}":
        errors.append(f"slow burn suppressor: {suppressor}")
    if any(key in leaves["burn"] for key in ("alarm_actions", "ok_actions")):
        errors.append("a window alarm notifies")
    if leaves["burn"]["treat_missing_data"] != "notBreaching":
        errors.append("missing data breaches")
    return errors


def prometheus_pairs(project: Path) -> dict[tuple[str, str], set]:
    """(slo ratio, speed) -> {(factor, window seconds, budget)} and the guards of the prometheus rules."""
    out = {}
    for name, rule in prometheus_alerts(project).items():
        if not name.startswith("SLO"):
            continue
        speed = "fast" if name.endswith("FastBurn") else "slow"
        slo = "availability" if "Availability" in name else "latency"
        comparisons = {(float(f or 1), SECONDS[w], float(b)) for _, w, f, b in RULE_PAIR.findall(rule["expr"])}
        guards = {(SECONDS[w], float(rate)) for w, rate in GUARD.findall(rule["expr"])}
        out[(slo, speed)] = (comparisons, guards)
    return out


# -- tests


def test_burn_rate_alarms_are_the_workbook_pairs_with_the_answered_targets(projects, evaluated):
    for strategy, values in evaluated.items():
        given = recorded(projects[strategy]["cloud-native"])
        assert len(values["windows"]) == 16, strategy
        assert pair_errors(values["windows"], values["routing"], given["slo_availability"]) == [], strategy
        assert values["statistic"] == f"PR(:{given['slo_latency_ms'] / 1000})", strategy


def test_same_pairs_budgets_and_guard_as_prometheus(projects, evaluated):
    """Each alarm window has the factor, window and budget of a prometheus comparison, and each long
    window the same guard (0.1 requests per second)."""
    for strategy, pair in projects.items():
        rules = prometheus_pairs(pair["prometheus-grafana"])
        windows = evaluated[strategy]["windows"].values()
        for (slo, speed), (comparisons, guards) in rules.items():
            mine = {
                (float(w["factor"]), w["period"], round(w["threshold"] / w["factor"], 10))
                for w in windows
                if w["slo"] == slo and w["speed"] == speed
            }
            assert mine == comparisons, (strategy, slo, speed)
            long = {
                (w["period"], w["min_requests"] / w["period"])
                for w in windows
                if w["slo"] == slo and w["speed"] == speed and w["role"] == "long"
            }
            assert long == guards, (strategy, slo, speed)


def test_targets_come_from_each_environments_tfvars(projects):
    for strategy, pair in projects.items():
        project = pair["cloud-native"]
        given = recorded(project)
        for env in given["environments"]:
            arguments = resolved_arguments(project, env, "slo")
            assert arguments["slo_availability"] == given["slo_availability"], (strategy, env)
            assert arguments["slo_latency_ms"] == given["slo_latency_ms"], (strategy, env)
            assert arguments["topic_arns"] == "${module.alerting.topic_arns}", (strategy, env)


def test_composites_and_each_pair_and_the_ticket_waits_for_the_page(projects):
    for pair in projects.values():
        assert composite_errors(pair["cloud-native"] / MODULE / "main.tf") == []


def test_every_alarm_has_a_runbook_and_nothing_else_does(projects, evaluated):
    for strategy, pair in projects.items():
        project = pair["cloud-native"]
        runbooks = project / "docs" / "runbooks"
        slo = {url.rsplit("/", 1)[-1] for urls in evaluated[strategy]["runbook"].values() for url in urls.values()}
        expected = slo | {f"{kebab(alarm)}.md" for alarm in ALARMS}
        assert {path.name for path in runbooks.glob("*.md")} == expected, strategy
        for name in slo:
            text = (runbooks / name).read_text()
            alert = "SLO" + "".join(part.title() for part in name.removesuffix(".md").split("-")[1:])
            assert text.startswith(f"# {alert}\n"), name
            assert "promql" not in text.lower() and "grafana" not in text.lower(), name
            assert f"{recorded(project)['project_slug']}-<env>-{alert}" in text, name
        # the same runbooks as the prometheus-grafana repository, but the Prometheus-only alerts'
        prometheus = {path.name for path in (pair["prometheus-grafana"] / "docs" / "runbooks").glob("*.md")}
        assert prometheus - expected == {"service-down.md", "target-down.md"}, strategy


def test_every_alarm_names_its_runbook_in_its_description(projects):
    for pair in projects.values():
        alarms = blocks(load_hcl(pair["cloud-native"] / MODULE / "main.tf"), "resource")
        assert len(alarms) == 3
        for name, alarm in alarms.items():
            assert "Runbook: ${local.runbook[" in alarm["alarm_description"], name


def test_no_prometheus_is_left(projects):
    """No workspace, rules or alert manager; the collector exports to CloudWatch and X-Ray."""
    for pair in projects.values():
        project = pair["cloud-native"]
        assert not (project / "monitoring" / "prometheus").exists()
        assert not (project / "monitoring" / "alertmanager").exists()
        for env in recorded(project)["environments"]:
            arguments = resolved_arguments(project, env, "alerting")
            assert "alert_rules" not in arguments and "alertmanager_config" not in arguments
            service = module_call(project, env, "service")
            assert "prometheus_workspace_arn" not in service and service["metric_namespace"]
        text = (project / "terraform/modules/service/main.tf").read_text()
        assert "awsxray = {" in text and "awsemf = {" in text


def test_dashboard_shows_the_four_signals_and_both_budgets(projects):
    for pair in projects.values():
        text = (pair["cloud-native"] / MODULE / "dashboard.tf").read_text()
        for metric in ("RequestCount", "HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count", "TargetResponseTime"):
            assert f'"{metric}"' in text, metric
        for metric in (
            '"CPUUtilization"',
            '"MemoryUtilization"',
            '"p99"',
            "availability error budget left",
            "latency error budget left",
        ):
            assert metric in text, metric


@pytest.mark.parametrize(
    ("cloud", "orchestrator"),
    [("gcp", "serverless"), ("azure", "serverless"), ("aws", "kubernetes"), ("gcp", "kubernetes")],
)
def test_refused_elsewhere_by_name(cloud, orchestrator):
    message = validation.monitoring_error("cloud-native", orchestrator, cloud)
    assert message == f"{REFUSAL}, not {cloud} with orchestrator {orchestrator}"
    assert validation.monitoring_error("cloud-native", "serverless", "aws") == ""
    # the other stacks keep their message
    assert (
        validation.monitoring_error("datadog", "serverless", cloud)
        == "monitoring: datadog is offered with orchestrator kubernetes so far, not serverless"
    )


def test_copier_refuses_it_elsewhere(tmp_path):
    region = {"gcp": "us-central1"}
    with pytest.raises(
        Exception,
        match=f"{REFUSAL}, not gcp with orchestrator serverless",
    ):
        run_copy(
            str(ROOT),
            str(tmp_path / "out"),
            data=answers(cloud="gcp", region=region["gcp"], orchestrator="serverless", monitoring="cloud-native"),
            defaults=True,
            unsafe=True,
            quiet=True,
            vcs_ref="HEAD",
        )
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


# -- the checkers catch a broken module


def broken(projects, tmp_path: Path, original: str, replacement: str) -> Path:
    text = (projects["rolling"]["cloud-native"] / MODULE / "main.tf").read_text()
    assert text.count(original) == 1, f"the module changed: {original!r} is not in it once"
    path = tmp_path / "main.tf"
    path.write_text(text.replace(original, replacement))
    return path


@pytest.mark.parametrize(
    ("original", "replacement"),
    [
        ("aws_cloudwatch_composite_alarm.fast_burn[each.key].alarm_name", '"nothing"'),
        (
            '"(ALARM(\\"${local.alarm_name["${each.key}-fast-${pair.factor}x-${pair.long}"]}\\") AND',
            '"(ALARM(\\"${local.alarm_name["${each.key}-fast-${pair.factor}x-${pair.long}"]}\\") OR',
        ),
        ('treat_missing_data = "notBreaching"', 'treat_missing_data = "breaching"'),
    ],
)
def test_composite_checker_catches_a_broken_module(projects, tmp_path, original, replacement):
    assert composite_errors(broken(projects, tmp_path, original, replacement))


@pytest.mark.parametrize(
    ("key", "field", "value"),
    [
        ("availability-fast-14.4x-1h", "factor", 1.44),
        ("latency-slow-1x-3d", "window", "2d"),
        ("availability-fast-6x-6h", "min_requests", 0),
        ("latency-fast-14.4x-5m", "threshold", 0.0144),
    ],
)
def test_pair_checker_catches_a_wrong_window(evaluated, key, field, value):
    windows = {k: dict(v) for k, v in evaluated["rolling"]["windows"].items()}
    windows[key][field] = value
    if field == "window":
        windows[key]["period"] = 172800
        SECONDS.setdefault("2d", 172800)
    assert pair_errors(windows, evaluated["rolling"]["routing"], 99.5)


def test_pair_checker_catches_a_wrong_severity(evaluated):
    routing = yaml.safe_load(yaml.safe_dump(evaluated["rolling"]["routing"]))
    routing["slow"]["severity"] = "P3"
    assert pair_errors(evaluated["rolling"]["windows"], routing, 99.5)
