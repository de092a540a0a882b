"""Secrets on Azure, both orchestrators: one Key Vault per environment, made and seeded by
terraform/bootstrap only (write-only values, never in state), read by the workload only and by
reference (Container Apps Key Vault references; AKS's Key Vault Secrets Provider).

Parsed from the rendered Terraform (python-hcl2) and, for AKS, from `helm template`. The render
matrix runs the validators over the same files; these tests check what validators cannot.
"""

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from helpers import ROOT, answers, load_hcl, render, root_blocks, unavailable

from extensions import context

HELM = ROOT / ".tools" / "bin" / "helm"
DIGEST = "sha256:" + "0" * 64
ENVIRONMENTS = ("dev", "staging", "prod")
SLUG = "payments-api"
AZURE = {"cloud": "azure", "region": "eastus"}

pytestmark = pytest.mark.xdist_group("secrets-azure")


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("secrets-azure")
    return {
        orchestrator: render(root / orchestrator, orchestrator=orchestrator, **AZURE)
        for orchestrator in ("kubernetes", "serverless")
    }


@pytest.fixture(scope="module")
def vault_names(projects) -> dict[str, str]:
    """Each environment's key vault, as extensions/context.py derives it from the recorded answers."""
    recorded = yaml.safe_load((projects["serverless"] / ".copier-answers.yml").read_text())
    values = {key: recorded.get(key) for key in context.ANSWERS}
    infra = context.derive({**values, "domain_name": ""})
    return {env: infra["environments"][env]["key_vault_name"] for env in ENVIRONMENTS}


def dynamic(body: dict, name: str) -> dict:
    """The content of `dynamic "<name>"` in a parsed block, with its for_each."""
    found = [d[name] for d in body.get("dynamic", []) if name in d]
    assert len(found) == 1, f"dynamic {name}: {found}"
    return {"for_each": found[0]["for_each"], **found[0]["content"][0]}


def bootstrap(project: Path, kind: str) -> dict[str, dict]:
    return root_blocks(project / "terraform" / "bootstrap", kind)


def environment(project: Path, env: str, kind: str) -> dict[str, dict]:
    return root_blocks(project / "terraform" / "environments" / env, kind)


def module(project: Path, name: str, kind: str) -> dict[str, dict]:
    return root_blocks(project / "terraform" / "modules" / name, kind)


# ---------------------------------------------------------------- one vault per environment


@pytest.mark.parametrize("orchestrator", ["kubernetes", "serverless"])
def test_every_environment_has_its_vault_with_rbac_and_purge_protection(projects, vault_names, orchestrator):
    project = projects[orchestrator]
    stores = bootstrap(project, "variable")["secret_stores"]["default"]
    assert set(stores) == set(ENVIRONMENTS)
    for env in ENVIRONMENTS:
        store = stores[env]
        assert store["key_vault_name"] == vault_names[env]
        assert store["soft_delete_retention_days"] == (90 if env == "prod" else 7)
        assert store["private"] is (env == "prod")
        assert store["secrets"] == ["signing-key"]
    assert len(set(vault_names.values())) == len(ENVIRONMENTS)

    vault = bootstrap(project, "resource")["azurerm_key_vault.secrets"]
    assert vault["for_each"] == "${var.secret_stores}"
    assert vault["name"] == "${each.value.key_vault_name}"
    assert vault["resource_group_name"] == "${azurerm_resource_group.environment[each.key].name}"
    assert vault["rbac_authorization_enabled"] is True
    assert vault["purge_protection_enabled"] is True
    assert vault["soft_delete_retention_days"] == "${each.value.soft_delete_retention_days}"
    assert "access_policy" not in vault
    # private stores: public access only while admin addresses are listed, and then only for them
    assert (
        vault["public_network_access_enabled"] == "${each.value.private ? length(var.key_vault_admin_cidrs) > 0 : true}"
    )
    acls = vault["network_acls"][0]
    assert acls["default_action"] == '${each.value.private ? "Deny" : "Allow"}'
    assert acls["ip_rules"] == "${each.value.private ? var.key_vault_admin_cidrs : []}"
    assert acls["bypass"] == "None"
    assert bootstrap(project, "variable")["key_vault_admin_cidrs"]["default"] == []

    # the vault's audit log, from the start (bootstrap) and in the environment's workspace
    audit = bootstrap(project, "resource")["azurerm_monitor_diagnostic_setting.secrets"]
    assert audit["enabled_log"] == [{"category": "AuditEvent"}]
    diagnostics = module(project, "secrets", "resource")["azurerm_monitor_diagnostic_setting.this"]
    assert diagnostics["enabled_log"] == [{"category": "AuditEvent"}]
    assert diagnostics["log_analytics_workspace_id"] == "${var.log_analytics_workspace_id}"
    for env in ENVIRONMENTS:
        secrets = environment(project, env, "module")["secrets"]
        assert secrets["key_vault_name"] == vault_names[env]
        assert secrets["log_analytics_workspace_id"] == "${module.log_analytics.id}"


@pytest.mark.parametrize("orchestrator", ["kubernetes", "serverless"])
def test_production_reaches_its_vault_only_through_a_private_endpoint(projects, orchestrator):
    project = projects[orchestrator]
    for env in ENVIRONMENTS:
        secrets = environment(project, env, "module")["secrets"]
        if env == "prod":
            assert secrets["private_endpoint"] is True
            assert secrets["vnet_id"] == "${module.network.vnet_id}"
            assert secrets["endpoints_subnet_id"] == "${module.network.endpoints_subnet_id}"
        else:
            assert "private_endpoint" not in secrets, env
    resources = module(project, "secrets", "resource")
    endpoint = resources["azurerm_private_endpoint.this"]
    assert endpoint["subnet_id"] == "${var.endpoints_subnet_id}"
    connection = endpoint["private_service_connection"][0]
    assert connection["subresource_names"] == ["vault"]
    assert connection["is_manual_connection"] is False
    assert connection["private_connection_resource_id"] == "${data.azurerm_key_vault.this.id}"
    assert resources["azurerm_private_dns_zone.this"]["name"] == "privatelink.vaultcore.azure.net"
    link = resources["azurerm_private_dns_zone_virtual_network_link.this"]
    assert link["virtual_network_id"] == "${var.vnet_id}"
    assert endpoint["private_dns_zone_group"][0]["private_dns_zone_ids"] == ["${azurerm_private_dns_zone.this[0].id}"]
    for name in ("azurerm_private_endpoint.this", "azurerm_private_dns_zone.this"):
        assert resources[name]["count"] == "${var.private_endpoint ? 1 : 0}"


# ---------------------------------------------------------------- no value outside the store


@pytest.mark.parametrize("orchestrator", ["kubernetes", "serverless"])
def test_environment_roots_and_their_modules_never_read_a_secret_value(projects, orchestrator):
    project = projects[orchestrator]
    directories = [project / "terraform" / "environments" / env for env in ENVIRONMENTS]
    directories += sorted(path for path in (project / "terraform" / "modules").iterdir() if path.is_dir())
    for directory in directories:
        for kind in ("resource", "data", "ephemeral"):
            found = [name for name in root_blocks(directory, kind) if name.startswith("azurerm_key_vault_secret")]
            assert found == [], f"{directory.name}: {found}"
    # the workload's references are versionless IDs built from the vault's URI, never a version
    parsed = load_hcl(project / "terraform" / "modules" / "secrets" / "main.tf")
    secret_ids = parsed["locals"][0]["secret_ids"]
    assert "data.azurerm_key_vault.this.vault_uri" in secret_ids and "/secrets/${name}" in secret_ids
    assert module(project, "secrets", "data")["azurerm_key_vault.this"]["name"] == "${var.key_vault_name}"


@pytest.mark.parametrize("orchestrator", ["kubernetes", "serverless"])
def test_bootstrap_seeds_each_secret_with_a_write_only_random_value(projects, orchestrator):
    project = projects[orchestrator]
    resources = bootstrap(project, "resource")
    seed = resources["azurerm_key_vault_secret.seed"]
    assert seed["for_each"] == "${local.seeded_secrets}"
    assert seed["key_vault_id"] == "${azurerm_key_vault.secrets[each.value.environment].id}"
    assert "value" not in seed  # the stored attribute: it would put the value in the state
    assert "uuid()" in seed["value_wo"]  # random at apply time, in no file
    assert seed["value_wo_version"] == 1
    assert not [
        name
        for name in resources
        if name.startswith(("random_", "azurerm_key_vault_secret.")) and name != "azurerm_key_vault_secret.seed"
    ]
    versions = load_hcl(project / "terraform" / "bootstrap" / "versions.tf")
    assert versions["terraform"][0]["required_version"] == ">= 1.11"
    # whoever applies it may write secrets; nobody else but the listed administrators
    officer = resources["azurerm_role_assignment.secret_administrator"]
    assert officer["role_definition_name"] == "Key Vault Secrets Officer"
    assert officer["scope"] == "${azurerm_key_vault.secrets[each.value.environment].id}"


@pytest.mark.parametrize("orchestrator", ["kubernetes", "serverless"])
def test_no_ci_identity_gets_a_secret_data_role(projects, orchestrator):
    project = projects[orchestrator]
    granted = {}
    for directory in [project / "terraform" / "bootstrap"] + [
        project / "terraform" / "environments" / e for e in ENVIRONMENTS
    ]:
        for name, body in root_blocks(directory, "resource").items():
            if name.startswith("azurerm_role_assignment."):
                granted[f"{directory.name}:{name}"] = body
    data_roles = {
        name: body
        for name, body in granted.items()
        if "Secrets" in str(body.get("role_definition_name", ""))
        or "Key Vault Administrator" in str(body.get("role_definition_name", ""))
    }
    expected = {"bootstrap:azurerm_role_assignment.secret_administrator"}
    if orchestrator == "serverless":
        expected.add("bootstrap:azurerm_role_assignment.app_secrets")
    assert set(data_roles) == expected
    for name, body in granted.items():
        assert "local.plan_principal" not in str(body.get("principal_id")) or "Secret" not in str(body), name
        assert "deploy_principals" not in str(body.get("principal_id")) or "Secrets" not in str(
            body.get("role_definition_name")
        ), name
    roles = bootstrap(project, "variable")["deploy_assignable_roles"]["default"]
    assert ("Key Vault Secrets User" in roles) is (orchestrator == "kubernetes")
    assert not {"Key Vault Secrets Officer", "Key Vault Administrator"} & set(roles)


@pytest.mark.parametrize("orchestrator", ["kubernetes", "serverless"])
def test_deploy_identity_assigns_no_role_to_a_ci_identity(projects, orchestrator):
    """Key Vault Secrets User is assignable in the group that holds the vault (AKS): without a
    principal condition a deploy identity could give it to itself, or to the plan identity."""
    iam = load_hcl(projects[orchestrator] / "terraform" / "bootstrap" / "iam.tf")
    local_values = {k: v for block in iam["locals"] for k, v in block.items()}
    ci_ids = local_values["ci_principal_ids"]
    assert "azurerm_user_assigned_identity.ci" in ci_ids and "principal_id" in ci_ids
    write_branch = local_values["deploy_rbac_condition"].split("roleAssignments/delete")[0]
    assert (
        "@Request[Microsoft.Authorization/roleAssignments:PrincipalId] ForAnyOfAllValues:GuidNotEquals"
        " {${local.ci_principal_ids}}" in write_branch
    )
    rbac = bootstrap(projects[orchestrator], "resource")["azurerm_role_assignment.deploy_access"]
    assert rbac["condition"] == "${local.deploy_rbac_condition}"


# ---------------------------------------------------------------- the workload, by reference


def test_container_app_gets_the_secret_by_reference_with_its_identity(projects):
    project = projects["serverless"]
    for env in ENVIRONMENTS:
        service = environment(project, env, "module")["service"]
        assert service["secrets"] == {
            "signing-key": {
                "key_vault_secret_id": '${module.secrets.secret_ids["signing-key"]}',
                "environment_variable": "SIGNING_KEY",
            }
        }
        secrets = environment(project, env, "module")["secrets"]
        assert secrets["reader_principal_ids"] == {"app": "${data.azurerm_user_assigned_identity.app.principal_id}"}
    app = module(project, "service", "resource")["azurerm_container_app.this"]
    secret = dynamic(app, "secret")
    assert secret["for_each"] == "${var.secrets}"
    assert secret["key_vault_secret_id"] == "${secret.value.key_vault_secret_id}"
    assert secret["identity"] == "${var.identity_id}"
    assert "value" not in secret
    container = next(c for c in app["template"][0]["container"] if c["name"] == "app")
    env_from_secret = [d["env"]["content"][0] for d in container["dynamic"] if "env" in d]
    assert {"name": "${env.key}", "secret_name": "${env.value}"} in env_from_secret
    mount = dynamic(container, "volume_mounts")
    assert mount["name"] == "secrets" and mount["path"] == "${var.secrets_path}"
    volume = dynamic(app["template"][0], "volume")
    assert volume["name"] == "secrets" and volume["storage_type"] == "Secret"
    # the service's identity may read its own environment's vault, before the app exists
    grant = bootstrap(project, "resource")["azurerm_role_assignment.app_secrets"]
    assert grant["role_definition_name"] == "Key Vault Secrets User"
    assert grant["scope"] == "${azurerm_key_vault.secrets[each.key].id}"
    assert grant["principal_id"] == "${azurerm_user_assigned_identity.app[each.key].principal_id}"
    assert module(project, "service", "variable")["secrets_path"]["default"] == "/mnt/secrets"


def helm_template(project: Path, env: str) -> list[dict]:
    if not HELM.exists():
        unavailable(f"helm not found at {HELM} (scripts/install-tools)")
    command = [
        str(HELM),
        "template",
        SLUG,
        "deploy/chart",
        "--namespace",
        SLUG,
        "--values",
        f"deploy/values-{env}.yaml",
    ]
    command += [
        "--set",
        f"image.digest={DIGEST}",
        "--set-string",
        "secrets.clientId=11111111-2222-3333-4444-555555555555",
    ]
    done = subprocess.run(command, cwd=project, capture_output=True, text=True, check=True)
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_aks_pods_mount_the_secret_through_the_secrets_provider_and_workload_identity(projects, vault_names, env):
    project = projects["kubernetes"]
    documents = helm_template(project, env)
    classes = [doc for doc in documents if doc["kind"] == "SecretProviderClass"]
    assert len(classes) == 1
    spc = classes[0]
    assert spc["apiVersion"] == "secrets-store.csi.x-k8s.io/v1"
    parameters = spc["spec"]["parameters"]
    assert spc["spec"]["provider"] == "azure"
    assert parameters["usePodIdentity"] == "false"
    assert parameters["clientID"] == "11111111-2222-3333-4444-555555555555"
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert parameters["tenantId"] == recorded["azure_tenant_id"]
    assert parameters["keyvaultName"] == vault_names[env]
    objects = [yaml.safe_load(item) for item in yaml.safe_load(parameters["objects"])["array"]]
    assert objects == [{"objectName": "signing-key", "objectType": "secret"}]
    assert "secretObjects" not in spc["spec"]  # no copy of the value as a Kubernetes Secret

    workload = next(doc for doc in documents if doc["kind"] in ("Deployment", "Rollout"))
    pod = workload["spec"]["template"]["spec"]
    volume = next(v for v in pod["volumes"] if v["name"] == "secrets")
    assert volume["csi"] == {
        "driver": "secrets-store.csi.k8s.io",
        "readOnly": True,
        "volumeAttributes": {"secretProviderClass": spc["metadata"]["name"]},
    }
    mount = next(m for c in pod["containers"] for m in c.get("volumeMounts", []) if m["name"] == "secrets")
    assert mount == {"name": "secrets", "mountPath": "/mnt/secrets", "readOnly": True}
    assert pod["serviceAccountName"] == SLUG  # the name the workload identity's federated credential trusts


def test_aks_workload_identity_reads_its_own_vault_with_rotation_on(projects):
    project = projects["kubernetes"]
    for env in ENVIRONMENTS:
        secrets = environment(project, env, "module")["secrets"]
        assert secrets["granted_reader_principal_ids"] == {"workload": "${module.cluster.workload_principal_id}"}
        assert secrets["reader_principal_ids"] == {"workload": "${module.cluster.workload_principal_id}"}
    reader = module(project, "secrets", "resource")["azurerm_role_assignment.reader"]
    assert reader["role_definition_name"] == "Key Vault Secrets User"
    assert reader["scope"] == "${data.azurerm_key_vault.this.id}"
    cluster = module(project, "cluster", "resource")["azurerm_kubernetes_cluster.this"]
    assert cluster["workload_identity_enabled"] is True
    assert cluster["key_vault_secrets_provider"][0]["secret_rotation_enabled"] is True
    credential = module(project, "cluster", "resource")["azurerm_federated_identity_credential.workload"]
    assert credential["subject"] == "system:serviceaccount:${var.workload_namespace}:${var.workload_service_account}"
    makefile = (project / "Makefile").read_text()
    assert "HELM_CLOUD_VALUES = --set-string secrets.clientId=$(WORKLOAD_CLIENT_ID)" in makefile
    helm = next(line for line in makefile.splitlines() if "--set image.digest=$(DIGEST)" in line)
    assert "$(HELM_CLOUD_VALUES)" in helm, "the deploy passes the workload's client ID to the chart"


# ---------------------------------------------------------------- audit and alert


@pytest.mark.parametrize("orchestrator", ["kubernetes", "serverless"])
def test_unusual_access_alerts_through_the_environments_routing(projects, orchestrator):
    project = projects[orchestrator]
    rule = module(project, "secrets", "resource")["azurerm_monitor_scheduled_query_rules_alert_v2.access"]
    assert rule["scopes"] == ["${var.log_analytics_workspace_id}"]
    assert rule["severity"] == 3
    query = rule["criteria"][0]["query"]
    assert "httpStatusCode_d == 403" in query and '"SecretGet"' in query and "var.reader_principal_ids" in query
    assert rule["action"][0]["action_groups"] == "${var.action_group_ids}"
    for env in ENVIRONMENTS:
        secrets = environment(project, env, "module")["secrets"]
        assert secrets["runbook_url"].endswith("/docs/runbooks/secret-access.md")
        if orchestrator == "serverless":
            assert secrets["action_group_ids"] == ["${module.alerting.action_group_ids.notify}"]
        else:
            assert secrets["action_group_ids"] == ["${azurerm_monitor_action_group.secrets.id}"]
            group = environment(project, env, "resource")["azurerm_monitor_action_group.secrets"]
            assert group["email_receiver"][0]["email_address"] == "${var.secret_alert_email}"
            assert environment(project, env, "variable")["secret_alert_email"]["default"] == answers()["alert_email"]
    assert (project / "docs" / "runbooks" / "secret-access.md").read_text().startswith("# SecretAccess\n")
    docs = (project / "docs" / "secrets.md").read_text()
    for heading in (
        "## Add a secret",
        "## Rotate a secret",
        "## Grant a new workload access",
        "## Production's network",
    ):
        assert heading in docs
    assert "--output none" in docs  # a rotation never prints the value


def test_other_clouds_get_no_key_vault(tmp_path):
    project = render(tmp_path / "aws", cloud="aws", region="us-east-1", orchestrator="serverless")
    assert not (project / "docs" / "runbooks" / "secret-access.md").exists()
    assert "azurerm_key_vault" not in json.dumps([p.read_text() for p in (project / "terraform").rglob("*.tf")])
