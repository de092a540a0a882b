"""What the tests of the vendor monitoring stacks (test_datadog.py, test_newrelic.py) share: a
render of each stack beside the prometheus-grafana repository it replaces, the SRE workbook's
burn-rate pairs, and readers of the rendered Terraform and Prometheus rules."""

import re
from pathlib import Path

import yaml
from helpers import load_hcl, render

WORKBOOK_PAIRS = {  # speed -> (factor, long window, short window), in seconds
    "fast": {(14.4, 3600, 300), (6.0, 21600, 1800)},
    "slow": {(3.0, 86400, 7200), (1.0, 259200, 21600)},
}
SECONDS = {"m": 60, "h": 3600, "d": 86400}
# what a module picks by its deployment_kind: local.<map>[var.deployment_kind].<field>
BY_KIND = re.compile(r"local\.(\w+)\[var\.deployment_kind\]\.(\w+)")
# the alert of a release that failed and was not rolled back, by strategy family
FAILED_RELEASE = {"deployment": "DeploymentRolloutFailed", "rollout": "RolloutDegraded"}


def render_beside_prometheus(root: Path, monitoring: str, strategies: dict) -> dict[str, dict[str, Path]]:
    """For each strategy, a `monitoring` repository and the prometheus-grafana one it replaces."""
    return {
        strategy: {
            stack: render(root / f"{strategy}-{stack}", deploy_strategy=strategy, monitoring=stack, **where)
            for stack in (monitoring, "prometheus-grafana")
        }
        for strategy, where in strategies.items()
    }


def seconds(duration: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([mhd])", duration).groups()
    return int(number) * SECONDS[unit]


def recorded(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def merged(blocks: list[dict]) -> dict:
    return {key: value for block in blocks for key, value in block.items()}


def module_call(project: Path, env: str, module: str) -> dict:
    main = load_hcl(project / "terraform" / "environments" / env / "main.tf")
    return next(entry[module] for entry in main["module"] if module in entry)


def tfvars(project: Path, env: str) -> dict:
    return load_hcl(project / "terraform" / "environments" / env / "terraform.tfvars")


def resolved_arguments(project: Path, env: str, module: str) -> dict:
    """The module's arguments in an environment, var.* taken from its terraform.tfvars."""
    values = tfvars(project, env)
    arguments = {}
    for name, value in module_call(project, env, module).items():
        if name == "source":
            continue
        reference = re.fullmatch(r"\$\{var\.(\w+)\}", str(value))
        arguments[name] = values[reference.group(1)] if reference else value
    return arguments


def by_kind(symptoms: dict, value, kind: str):
    """A key or value of a module's symptoms that it picks by deployment_kind, resolved for `kind`
    from the module's locals (`symptoms`); any other value as it is."""
    match = BY_KIND.search(str(value))
    return symptoms[match[1]][kind][match[2]] if match else value


def prometheus_alerts(project: Path) -> dict[str, dict]:
    groups = yaml.safe_load((project / "monitoring/prometheus/alerts.yml").read_text())["groups"]
    return {rule["alert"]: rule for group in groups for rule in group["rules"] if "alert" in rule}
