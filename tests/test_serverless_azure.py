"""`orchestrator: serverless` on Azure (Container Apps): the Terraform makes revisions and never
moves traffic, the release script runs the strategy and rolls back, parsed and run.

Terraform is read as parsed HCL; the generated release tests run in a subprocess with
azure-identity and requests hidden (the script imports them only to talk to Azure).
"""

import ipaddress
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import broken_release_tests, generated_release_tests, load_hcl, render

AZURE = {"cloud": "azure", "region": "eastus", "orchestrator": "serverless"}
# one CI platform per strategy, so that each is rendered once
STRATEGIES = {"rolling": "gitlab", "blue-green": "circleci", "canary": "github"}
OVERRIDES = {"gitlab": {"repository": "acme/payments/api"}}


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("serverless-azure")
    return {
        strategy: render(root / strategy, **AZURE, deploy_strategy=strategy, ci=ci, **OVERRIDES.get(ci, {}))
        for strategy, ci in STRATEGIES.items()
    }


def resources(path: Path, kind: str) -> dict:
    module = load_hcl(path)
    return {name: body for entry in module["resource"] if kind in entry for name, body in entry[kind].items()}


def service_module(project: Path) -> Path:
    return project / "terraform" / "modules" / "service" / "main.tf"


def root_module(project: Path, env: str, name: str) -> dict:
    main = load_hcl(project / "terraform" / "environments" / env / "main.tf")
    return next(entry[name] for entry in main["module"] if name in entry)


def test_terraform_makes_revisions_without_traffic(projects):
    for strategy, project in projects.items():
        app = resources(service_module(project), "azurerm_container_app")["this"]
        assert app["revision_mode"] == "Multiple", strategy
        # the release script owns the traffic, as ECS's service ignores its task definition
        assert "ingress[0].traffic_weight" in str(app["lifecycle"][0]["ignore_changes"]), strategy
        assert app["max_inactive_revisions"] == "${var.max_inactive_revisions}", strategy
        (ingress,) = app["ingress"]
        assert ingress["allow_insecure_connections"] is False and ingress["target_port"] == "${var.port}"
        # only the app's first revision takes traffic by itself
        assert ingress["traffic_weight"] == [{"latest_revision": True, "percentage": 100}]
        outputs = load_hcl(project / "terraform" / "environments" / "prod" / "outputs.tf")
        revision = next(entry["revision_name"] for entry in outputs["output"] if "revision_name" in entry)
        assert revision["value"] == "${module.service.revision_name}"


def test_the_service_is_private_and_needs_no_secret(projects):
    project = projects["canary"]
    environment = resources(service_module(project), "azurerm_container_app_environment")["this"]
    assert environment["internal_load_balancer_enabled"] is True
    assert environment["public_network_access"] == "Disabled"
    assert environment["infrastructure_subnet_id"] == "${var.subnet_id}"
    (profile,) = environment["workload_profile"]
    assert profile["workload_profile_type"] == "Consumption"
    app = resources(service_module(project), "azurerm_container_app")["this"]
    assert app["identity"] == [{"type": "UserAssigned", "identity_ids": ["${var.identity_id}"]}]
    assert app["registry"] == [{"server": "${var.registry_server}", "identity": "${var.identity_id}"}]
    assert "secret" not in app
    (template,) = app["template"]
    app_container, collector = template["container"]
    assert (app_container["name"], collector["name"]) == ("app", "collector")
    assert app_container["startup_probe"][0]["path"] == "/healthz"
    assert app_container["liveness_probe"][0]["path"] == "/healthz"
    assert app_container["readiness_probe"][0]["path"] == "/readyz"
    assert template["http_scale_rule"][0]["name"] == "http-concurrency"
    for env in ("dev", "prod"):
        tfvars = load_hcl(project / "terraform" / "environments" / env / "terraform.tfvars")
        service = root_module(project, env, "service")
        assert service["min_replicas"] == "${var.replicas_min}" and tfvars["replicas_min"] >= 1
        assert tfvars["replicas_max"] >= tfvars["replicas_min"]


def test_bootstrap_gives_the_deploy_identity_its_group_and_the_app_identity(projects):
    bootstrap = projects["canary"] / "terraform" / "bootstrap"
    iam = load_hcl(bootstrap / "iam.tf")
    locals_ = {key: value for entry in iam["locals"] for key, value in entry.items()}
    assert locals_["deploy_group_roles"] == ["Contributor"]  # no cluster, no key vault
    assignments = resources(bootstrap / "iam.tf", "azurerm_role_assignment")
    assert assignments["deploy_app_identity"]["role_definition_name"] == "Managed Identity Operator"
    assert assignments["deploy_access"]["condition_version"] == "2.0"  # assigns only the listed roles
    assert not {"deploy_cluster_identities", "plan_group", "cluster_group"} & set(assignments)
    identities = resources(bootstrap / "iam.tf", "azurerm_user_assigned_identity")
    assert set(identities) == {"ci", "app"}
    variables = load_hcl(bootstrap / "variables.tf")
    roles = next(entry[name] for entry in variables["variable"] for name in entry if name == "deploy_assignable_roles")
    assert roles["default"] == ["Monitoring Metrics Publisher"]
    main = (bootstrap / "main.tf").read_text()
    assert "azurerm_user_assigned_identity.app[env].principal_id" in main  # AcrPull for the service


def test_the_plan_identity_may_list_the_container_apps_secrets_and_nothing_more(projects):
    # azurerm_container_app's Read calls listSecrets, which Reader lacks: plans would fail
    iam = projects["canary"] / "terraform" / "bootstrap" / "iam.tf"
    role = resources(iam, "azurerm_role_definition")["plan_app_secrets"]
    (permissions,) = role["permissions"]
    assert permissions["actions"] == ["Microsoft.App/containerApps/listSecrets/action"]
    assert not {"not_actions", "data_actions", "not_data_actions"} & set(permissions)
    assert role["assignable_scopes"] == "${[for group in azurerm_resource_group.environment : group.id]}"
    assignment = resources(iam, "azurerm_role_assignment")["plan_app_secrets"]
    assert assignment["for_each"] == "${var.environments}"
    assert assignment["scope"] == "${azurerm_resource_group.environment[each.key].id}"
    assert assignment["role_definition_id"] == "${azurerm_role_definition.plan_app_secrets.role_definition_resource_id}"
    assert assignment["principal_id"] == "${local.plan_principal}"


def test_the_collectors_health_check_answers_the_liveness_probe(projects):
    # Container Apps probes the replica's IP: a listener on the loopback never answers it
    source = service_module(projects["canary"]).read_text()
    config = source.split("collector_config = yamlencode(", 1)[1]
    assert 'health_check = { endpoint = "0.0.0.0:13133" }' in config
    app = resources(service_module(projects["canary"]), "azurerm_container_app")["this"]
    _, collector = app["template"][0]["container"]
    (probe,) = collector["liveness_probe"]
    assert probe["port"] == 13133
    # the app's probes hit its port, where it listens on every interface unless HOST says otherwise
    service = root_module(projects["canary"], "prod", "service")
    assert "HOST" not in service["environment_variables"]
    server = (projects["canary"] / "app" / "service" / "server.py").read_text()
    assert 'os.environ.get("HOST", "0.0.0.0")' in server


def test_the_readme_says_where_a_deploy_runner_goes(projects):
    for strategy, project in projects.items():
        readme = (project / "README.md").read_text()
        section = readme.split("## Reaching the service", 1)[1].split("\n## ", 1)[0]
        assert "A runner for the deploy jobs" in section, strategy
        assert "azurerm_private_dns_zone_virtual_network_link" in section
        for env in ("dev", "prod"):
            tfvars = load_hcl(project / "terraform" / "environments" / env / "terraform.tfvars")
            vnet = ipaddress.ip_network(tfvars["vnet_cidr"])
            taken = [ipaddress.ip_network(tfvars[name]) for name in ("nodes_cidr", "endpoints_cidr")]
            row = next(line for line in section.splitlines() if line.startswith(f"| `{env}` |"))
            runner = ipaddress.ip_network(row.rsplit("`", 2)[1])
            assert runner.subnet_of(vnet) and not any(runner.overlaps(net) for net in taken), (env, runner)
        # the Container Apps subnet is delegated: no runner can join it
        outputs = (project / "terraform" / "environments" / "prod" / "outputs.tf").read_text()
        assert "can join it" not in outputs


def test_alert_rules_come_from_the_repository_and_route_by_severity(projects):
    project = projects["canary"]
    alerting = project / "terraform" / "modules" / "alerting" / "main.tf"
    groups = resources(alerting, "azurerm_monitor_alert_prometheus_rule_group")["this"]
    assert groups["scopes"] == ["${azurerm_monitor_workspace.this.id}"]
    source = alerting.read_text()
    assert "chunklist(group.rules, 20)" in source  # Azure's limit of rules per group
    for severity, level in (("P0", "page"), ("P1", "page"), ("P2", "notify"), ("P3", "notify"), ("P4", "ticket")):
        assert f'{severity} = "{level}"' in source
    root = root_module(project, "prod", "alerting")
    assert root["alert_rules"] == '${file("${path.module}/../../../monitoring/prometheus/alerts.yml")}'
    rules = yaml.safe_load((project / "monitoring" / "prometheus" / "alerts.yml").read_text())
    alerts = [rule for group in rules["groups"] for rule in group["rules"] if "alert" in rule]
    assert alerts and all(rule["labels"]["severity"] in {"P0", "P1", "P2", "P3", "P4"} for rule in alerts)
    assert max(len(group["rules"]) for group in rules["groups"]) > 20  # the split is needed


def test_platform_alerts_link_their_runbooks(projects):
    project = projects["canary"]
    source = service_module(project).read_text()
    runbooks = project / "docs" / "runbooks"
    for name in ("replicas-below-minimum", "container-app-cpu-saturation", "container-app-memory-saturation",
                 "edge-5xx-errors", "revision-failed"):  # fmt: skip
        assert f"{name}" in source, name
        assert (runbooks / f"{name}.md").is_file(), name
    service = root_module(project, "prod", "service")
    assert service["runbook_url"] == "https://github.com/acme/payments-api/blob/main/docs/runbooks"


def release_module(project: Path):
    sys.path.insert(0, str(project / "deploy"))
    try:
        sys.modules.pop("release", None)
        import release

        return release
    finally:
        sys.path.pop(0)
        sys.modules.pop("release", None)


def test_release_script_runs_each_strategy_with_the_environments_times(projects):
    for strategy, project in projects.items():
        release = release_module(project)
        assert strategy == release.STRATEGY
        dev, prod = release.steps("dev"), release.steps("prod")
        if strategy == "rolling":
            assert dev == prod == [(100, 0, "all traffic")]
        elif strategy == "blue-green":
            assert [step[0] for step in prod] == [100] and prod[0][1] >= 3
        else:
            assert [step[0] for step in dev] == [50, 100]
            assert [step[0] for step in prod] == [10, 25, 50, 100]
            assert prod[-1][1] > dev[-1][1] >= 3  # production bakes longer
        assert 0 < release.ERROR_PERCENT <= 50
        makefile = subprocess.run(
            ["make", "--dry-run", "deploy", "ENV=dev"], cwd=project, capture_output=True, text=True, check=True
        ).stdout
        assert "release.py deploy dev --revision" in makefile
        assert "output -raw revision_name" in makefile


def generated_tests(project: Path) -> subprocess.CompletedProcess:
    return generated_release_tests(project, "azure")


@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_release_script_passes_its_tests(projects, strategy):
    result = generated_tests(projects[strategy])
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout


# Each change breaks one promise of the script; its tests must catch every one.
BREAKAGES = {
    "errors-ignored": ("if percent > ERROR_PERCENT:", "if percent > 100:"),
    "no-rollback": (
        "set_traffic(clients, target, {previous: 100}, {ROLLED_BACK: new}, options)",
        "set_traffic(clients, target, {new: 100}, {}, options)",
    ),
    "smoke-test-ignored": ('raise CheckFailed("the smoke test failed: "', 'print("the smoke test failed: "'),
    "rolled-back-release-succeeds": (
        "return roll_back(clients, target, new, previous, str(failure), options)",
        "roll_back(clients, target, new, previous, str(failure), options); return 0",
    ),
    "status-hides-the-rollback": ('say(f"ROLLBACK_SUCCESSFUL: ', 'say(f"SUCCESSFUL: '),
    "unreachable-rolls-back": ("class Unreachable(ReleaseError):", "class Unreachable(CheckFailed):"),
    "no-reachability-check": (
        "    clients.http(f\"https://{app['properties']",
        "    print(f\"https://{app['properties']",
    ),
}


@pytest.mark.parametrize("name", BREAKAGES)
def test_release_tests_fail_when_the_script_breaks(projects, tmp_path, name):
    result = broken_release_tests(projects["canary"], "azure", tmp_path, *BREAKAGES[name])
    assert result.returncode == 1, result.stdout + result.stderr
