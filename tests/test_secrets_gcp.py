"""Google Cloud, both orchestrators: one Secret Manager store per environment (CMEK, delayed
destruction, deletion protection), seeded by terraform/bootstrap with write-only values, read only
by the environment's workload by reference (Cloud Run secret env/volumes; GKE's Secret Manager
add-on and the chart's SecretProviderClass), never by a CI identity, and every other read alerted.

The checks run on parsed output; the `value_reads` and `accessor_grants` scanners are also run on a
copy with a planted violation, so that they are known to catch one.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from helpers import load_hcl, render, unavailable

GCP = {"cloud": "gcp", "region": "us-central1"}
ENVIRONMENTS = ("dev", "staging", "prod")


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("secrets-gcp")
    return {
        "kubernetes": render(root / "kubernetes", orchestrator="kubernetes", **GCP),
        "serverless": render(root / "serverless", orchestrator="serverless", **GCP),
        "domain": render(root / "domain", orchestrator="serverless", domain_name="payments.example.com", **GCP),
    }


def answers(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def blocks(path: Path, kind: str, type_: str) -> dict:
    """`resource`/`data`/`module` blocks of one type in a .tf file, by name."""
    parsed = load_hcl(path)
    if kind == "module":
        return {name: body for entry in parsed.get("module", []) for name, body in entry.items()}
    return {name: body for entry in parsed.get(kind, []) if type_ in entry for name, body in entry[type_].items()}


def tf_files(project: Path):
    return sorted((project / "terraform").rglob("*.tf"))


def value_reads(project: Path) -> list[str]:
    """Everything in the environments' roots that would read a secret's value during a plan."""
    found = []
    for path in sorted((project / "terraform" / "environments").rglob("*.tf")):
        parsed = load_hcl(path)
        for entry in parsed.get("data", []):
            found += [f"{path}: data {t}" for t in entry if t.startswith("google_secret_manager_secret_version")]
        for entry in parsed.get("resource", []):
            found += [f"{path}: resource {t}" for t in entry if t == "google_secret_manager_secret_version"]
        found += [f"{path}: ephemeral {t}" for entry in parsed.get("ephemeral", []) for t in entry]
    return found


def accessor_grants(project: Path) -> dict[str, list[str]]:
    """Members given roles/secretmanager.secretAccessor (or a wider Secret Manager role), by file."""
    grants: dict[str, list[str]] = {}
    for path in tf_files(project):
        for entry in load_hcl(path).get("resource", []):
            for type_, named in entry.items():
                if not type_.endswith(("iam_member", "iam_binding")):
                    continue
                for body in named.values():
                    if body.get("role") in ("roles/secretmanager.secretAccessor", "roles/secretmanager.admin"):
                        members = body.get("members") or [body.get("member")]
                        # a conditional grant is named with its condition's title
                        if condition := body.get("condition"):
                            members = [f"{m} if {condition[0]['title']}" for m in members]
                        grants.setdefault(str(path.relative_to(project)), []).extend(members)
    return grants


# ---------------------------------------------------------------- the store, per environment


@pytest.mark.parametrize("orchestrator", ["kubernetes", "serverless"])
def test_each_environment_has_its_own_encrypted_protected_store(projects, orchestrator):
    project = projects[orchestrator]
    bootstrap = project / "terraform" / "bootstrap"
    secrets_tf = bootstrap / "secrets.tf"
    (secret,) = blocks(secrets_tf, "resource", "google_secret_manager_secret").values()
    assert secret["secret_id"] == "${each.value.secret_id}"
    assert secret["deletion_protection"] is True
    assert secret["version_destroy_ttl"] == "${each.value.destroy_ttl}"
    (replicas,) = secret["replication"][0]["user_managed"][0]["replicas"]
    assert replicas["location"] == "${var.region}"
    cmek = replicas["customer_managed_encryption"][0]["kms_key_name"]
    assert cmek == "${module.secrets_key[each.value.environment].key_id}"
    assert "environment" in secret["labels"]
    key = blocks(secrets_tf, "module", "")["secrets_key"]
    assert key["for_each"] == "${var.environments}"
    assert key["name"] == "${each.value.resource_prefix}-secrets"
    assert key["encrypter_decrypter_members"] == ['${google_project_service_identity.agent["secretmanager"].member}']

    # the secrets of every environment: signing-key, versions recoverable 90 days in production
    variables = {n: b for e in load_hcl(bootstrap / "variables.tf")["variable"] for n, b in e.items()}
    default = variables["secret_stores"]["default"]
    assert set(default) == set(ENVIRONMENTS)
    for env in ENVIRONMENTS:
        assert default[env]["secrets"] == {"signing-key": 1}, env
        assert default[env]["version_destroy_days"] == (90 if env == "prod" else 7), env
    prefixes = {env: variables["environments"]["default"][env]["resource_prefix"] for env in ENVIRONMENTS}
    assert prefixes == {env: f"{answers(project)['project_slug']}-{env}" for env in ENVIRONMENTS}

    main = load_hcl(bootstrap / "main.tf")
    services = next(entry["services"] for entry in main["locals"] if "services" in entry)
    assert "secretmanager.googleapis.com" in services
    agents = next(entry["service_agents"] for entry in main["locals"] if "service_agents" in entry)
    assert "secretmanager" in agents
    audit = next(entry["data_access_audit"] for entry in main["locals"] if "data_access_audit" in entry)
    assert "DATA_READ" in audit["secretmanager.googleapis.com"]


@pytest.mark.parametrize("orchestrator", ["kubernetes", "serverless"])
def test_bootstrap_seeds_with_write_only_values_never_in_state(projects, orchestrator):
    bootstrap = projects[orchestrator] / "terraform" / "bootstrap"
    (version,) = blocks(bootstrap / "secrets.tf", "resource", "google_secret_manager_secret_version").values()
    assert "secret_data" not in version
    assert "uuid()" in version["secret_data_wo"]
    assert version["secret_data_wo_version"] == "${each.value.version}"  # raised to write a new value
    assert version["lifecycle"][0]["ignore_changes"] == ["enabled"]  # a disabled first version stays so
    versions = load_hcl(bootstrap / "versions.tf")["terraform"][0]
    assert versions["required_version"] == ">= 1.11"  # write-only arguments
    # no output, anywhere, carries a value
    outputs = (bootstrap / "outputs.tf").read_text()
    assert "secret_data" not in outputs and "google_secret_manager_secret_version" not in outputs


# ---------------------------------------------------------------- who may read


@pytest.mark.parametrize("orchestrator", ["kubernetes", "serverless"])
def test_no_plan_or_deploy_identity_can_read_a_value(projects, orchestrator):
    project = projects[orchestrator]
    assert value_reads(project) == []
    grants = accessor_grants(project)
    if orchestrator == "serverless":
        # the environment's runtime service account: its secrets, and the collector's configuration
        assert grants == {
            "terraform/bootstrap/secrets.tf": ["${google_service_account.runtime[each.value.environment].member}"],
            "terraform/modules/service/main.tf": ["serviceAccount:${var.service_account_email}"],
            # the deploy account manages the collector's configuration only (asserted below)
            "terraform/bootstrap/iam.tf": ["${local.deploy_members[each.key]} if own-collector-config"],
        }
    else:
        assert grants == {
            **{
                f"terraform/environments/{env}/main.tf": ["${module.cluster.workload_principal}"]
                for env in ENVIRONMENTS
            }
        }
    iam = load_hcl(project / "terraform" / "bootstrap" / "iam.tf")
    plan_roles = next(entry["plan_project_roles"] for entry in iam["locals"] if "plan_project_roles" in entry)
    assert [r for r in plan_roles if "secretmanager" in r] == ["roles/secretmanager.viewer"]
    deploy_roles = next(entry["deploy_project_roles"] for entry in iam["locals"] if "deploy_project_roles" in entry)
    assert not [r for r in deploy_roles if "secretmanager" in r]
    project_grants = blocks(project / "terraform" / "bootstrap" / "iam.tf", "resource", "google_project_iam_member")
    if orchestrator == "serverless":
        # the deploy account's Secret Manager admin is limited to the collector's configuration
        condition = project_grants["deploy_secrets"]["condition"][0]["expression"]
        # that secret and its versions exactly: a prefix would reach collector-config-<x> of secret_stores
        secret = "projects/${var.project_number}/secrets/${each.value.resource_prefix}-collector-config"
        assert condition.endswith(f'|| resource.name == "{secret}" || resource.name.startsWith("{secret}/")'), condition
        assert condition.count("collector-config") == 2, condition
    else:
        role = blocks(project / "terraform/bootstrap/secrets.tf", "resource", "google_project_iam_custom_role")
        permissions = role["secret_access_admin"]["permissions"]
        assert not [p for p in permissions if "versions" in p], permissions  # never a value
        grant = blocks(project / "terraform/bootstrap/secrets.tf", "resource", "google_project_iam_member")
        expression = grant["deploy_secret_access"]["condition"][0]["expression"]
        assert "/secrets/${each.value.resource_prefix}-" in expression


def test_the_scanners_catch_a_planted_value_read(projects, tmp_path):
    copy = shutil.copytree(projects["serverless"], tmp_path / "copy")
    main = copy / "terraform" / "environments" / "dev" / "main.tf"
    main.write_text(
        main.read_text()
        + '\ndata "google_secret_manager_secret_version" "leak" {\n  secret = "x"\n}\n'
        + 'resource "google_secret_manager_secret_iam_member" "leak" {\n  secret_id = "x"\n'
        + '  role      = "roles/secretmanager.secretAccessor"\n'
        + '  member    = "serviceAccount:plan@p.iam.gserviceaccount.com"\n}\n'
    )
    assert value_reads(copy) == [f"{main}: data google_secret_manager_secret_version"]
    assert accessor_grants(copy)["terraform/environments/dev/main.tf"] == [
        "serviceAccount:plan@p.iam.gserviceaccount.com"
    ]


# ---------------------------------------------------------------- Cloud Run: by reference


@pytest.mark.parametrize("variant", ["serverless", "domain"])
def test_cloud_run_gets_the_secret_only_by_reference(projects, variant):
    project = projects[variant]
    module = project / "terraform" / "modules" / "service" / "main.tf"
    (service,) = blocks(module, "resource", "google_cloud_run_v2_service").values()
    template = service["template"][0]
    app = next(c for c in template["containers"] if c["name"] == "app")
    dynamic_env = [d["env"] for d in app["dynamic"] if "env" in d]
    refs = [d for d in dynamic_env if "value_source" in str(d)]
    assert len(refs) == 1
    ref = refs[0]["content"][0]["value_source"][0]["secret_key_ref"][0]
    assert ref == {"secret": "${env.value.secret}", "version": "${env.value.version}"}
    assert "value" not in refs[0]["content"][0]
    mounts = next(d["volume_mounts"] for d in app["dynamic"] if "volume_mounts" in d)
    assert mounts["content"][0]["mount_path"] == "${local.template_settings.secrets_mount}/${volume_mounts.key}"
    volumes = next(d["volumes"] for d in template["dynamic"] if "volumes" in d)
    items = volumes["content"][0]["secret"][0]["items"][0]
    assert items == {"path": "value", "version": "${volumes.value.version}"}
    # the revision's name hashes the secrets it reads
    text = module.read_text()
    inputs = text[text.index("revision_inputs = {") : text.index("revision_name = ")]
    assert "secrets               = var.secrets" in inputs
    assert 'secrets_mount         = "/mnt/secrets"' in text
    variables = {n: b for e in load_hcl(module.parent / "variables.tf")["variable"] for n, b in e.items()}
    assert "latest" in variables["secrets"]["type"]

    for env in ENVIRONMENTS:
        main = project / "terraform" / "environments" / env / "main.tf"
        arguments = blocks(main, "module", "")["service"]
        assert arguments["secrets"] == {
            "signing-key": {"secret": "${local.name}-signing-key", "env_name": "SIGNING_KEY"}
        }, env
        assert "SIGNING_KEY" not in arguments["environment_variables"], env


# ---------------------------------------------------------------- GKE: add-on, SecretProviderClass


def helm_template(project: Path, env: str) -> list[dict]:
    import harness

    helm = harness.find_tool("helm")
    if not helm:
        unavailable("helm is not installed (scripts/install-tools)")
    run = subprocess.run(
        [helm, "template", "svc", "deploy/chart", "-n", "ns", "-f", f"deploy/values-{env}.yaml"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return [doc for doc in yaml.safe_load_all(run.stdout) if doc]


def test_gke_mounts_the_secrets_through_the_secret_manager_add_on(projects):
    project = projects["kubernetes"]
    given = answers(project)
    cluster = project / "terraform" / "modules" / "cluster" / "main.tf"
    (resource,) = blocks(cluster, "resource", "google_container_cluster").values()
    config = resource["secret_manager_config"][0]
    assert config["enabled"] is True
    assert config["rotation_config"][0]["enabled"] is True
    for env in ENVIRONMENTS:
        docs = helm_template(project, env)
        (spc,) = [d for d in docs if d["kind"] == "SecretProviderClass"]
        assert spc["apiVersion"] == "secrets-store.csi.x-k8s.io/v1"
        assert spc["spec"]["provider"] == "gke"
        entries = yaml.safe_load(spc["spec"]["parameters"]["secrets"])
        secret_id = f"{given['project_slug']}-{env}-signing-key"
        assert entries == [
            {
                "resourceName": f"projects/{given['gcp_project_id']}/secrets/{secret_id}/versions/latest",
                "path": "signing-key",
            }
        ], env
        (workload,) = [d for d in docs if d["kind"] in ("Deployment", "Rollout")]
        pod = workload["spec"]["template"]["spec"]
        (volume,) = [v for v in pod["volumes"] if v["name"] == "secrets"]
        assert volume["csi"] == {
            "driver": "secrets-store-gke.csi.k8s.io",
            "readOnly": True,
            "volumeAttributes": {"secretProviderClass": spc["metadata"]["name"]},
        }
        (container,) = pod["containers"]
        (mount,) = [m for m in container["volumeMounts"] if m["name"] == "secrets"]
        assert mount == {"name": "secrets", "mountPath": "/mnt/secrets", "readOnly": True}
        assert not [e for e in container["env"] if "valueFrom" in e], env  # no Kubernetes Secret
        assert not [d for d in docs if d["kind"] == "Secret"], env
        # granted to this pod's service account's Workload Identity principal
        assert pod["serviceAccountName"] == given["project_slug"]
        main = project / "terraform" / "environments" / env / "main.tf"
        grant = blocks(main, "resource", "google_secret_manager_secret_iam_member")["workload"]
        assert grant["for_each"] == '${toset(["signing-key"])}'
        assert grant["secret_id"] == f"projects/{given['gcp_project_id']}/secrets/${{local.name}}-${{each.key}}"
        cluster_args = blocks(main, "module", "")["cluster"]
        assert cluster_args["workload_service_account"] == given["project_slug"]


# ---------------------------------------------------------------- audit and alert


@pytest.mark.parametrize("orchestrator", ["kubernetes", "serverless"])
def test_reads_by_anyone_but_the_workload_alert(projects, orchestrator):
    project = projects[orchestrator]
    module = project / "terraform" / "modules" / "secret-access-alert" / "main.tf"
    parsed = load_hcl(module)
    filters = next(entry for entry in parsed["locals"] if "filter" in entry)
    read, change = filters["read"], filters["change"]
    assert 'log_id("cloudaudit.googleapis.com/data_access")' in read
    assert read.endswith('SecretManagerService.AccessSecretVersion" AND NOT (${local.workload})')
    # The workload under each of its names: the principal and its aliases.
    assert "concat([var.workload_principal], var.workload_principal_aliases)" in filters["workload"]
    assert 'protoPayload.authenticationInfo.${var.principal_field}=\\"${p}\\"' in filters["workload"]
    assert 'log_id("cloudaudit.googleapis.com/activity")' in change
    for method in ("AddSecretVersion", "DestroySecretVersion", "DeleteSecret", "SetIamPolicy"):
        assert method in change, method
    assert "NOT" not in change  # a change by anyone alerts
    assert "${var.secret_prefix}" in str(filters["filter"])
    assert "((${local.read}) OR (${local.change}))" in filters["filter"]
    assert 'NOT protoPayload.resourceName=~\\"/secrets/(${join("|", var.ignored_secret_ids)})' in filters["filter"]
    metric = blocks(module, "resource", "google_logging_metric")["this"]
    assert metric["filter"] == "${local.filter}"
    policy = blocks(module, "resource", "google_monitoring_alert_policy")["this"]
    assert "google_logging_metric.this.name" in policy["conditions"][0]["condition_threshold"][0]["filter"]
    assert policy["notification_channels"] == "${var.notification_channels}"
    runbook = project / "docs" / "runbooks" / "unexpected-secret-access.md"
    assert runbook.read_text().startswith("# UnexpectedSecretAccess\n\nSeverity **P3**")
    for env in ENVIRONMENTS:
        arguments = blocks(project / "terraform" / "environments" / env / "main.tf", "module", "")[
            "secret_access_alert"
        ]
        assert arguments["secret_prefix"] == "${local.name}-"
        assert arguments["runbook_url"].endswith("/docs/runbooks/unexpected-secret-access.md")
        if orchestrator == "serverless":
            assert arguments["workload_principal"] == "${local.runtime_service_account}"
            # The collector's configuration changes with each deploy that changes it: no alert.
            assert arguments["ignored_secret_ids"] == ["${local.name}-collector-config"]
            service = blocks(project / "terraform" / "environments" / env / "main.tf", "module", "")["service"]
            assert service["name"] == "${local.name}"
            assert arguments["notification_channels"] == '${module.alerting.notification_channels["notify"]}'
        else:
            assert arguments["workload_principal"] == "${module.cluster.workload_principal}"
            assert arguments["principal_field"] == "principalSubject"
            # The pods' reads (every rotation interval) must not alert whichever form the audit
            # log names their Kubernetes service account in.
            cluster = blocks(project / "terraform" / "environments" / env / "main.tf", "module", "")["cluster"]
            pod = f"{cluster['workload_namespace']}/{cluster['workload_service_account']}"
            alias = f"serviceAccount:${{module.cluster.workload_pool}}[{pod}]"
            assert arguments["workload_principal_aliases"] == [alias]
            assert arguments["notification_channels"] == ["${google_monitoring_notification_channel.secret_access.id}"]
    iam = load_hcl(project / "terraform" / "bootstrap" / "iam.tf")
    deploy_roles = next(entry["deploy_project_roles"] for entry in iam["locals"] if "deploy_project_roles" in entry)
    assert {"roles/logging.configWriter", "roles/monitoring.alertPolicyEditor"} <= set(deploy_roles)


@pytest.mark.parametrize("orchestrator", ["kubernetes", "serverless"])
def test_docs_say_how_to_add_rotate_and_grant(projects, orchestrator):
    text = (projects[orchestrator] / "docs" / "secrets.md").read_text()
    for heading in ("## Add a secret", "## Rotate a secret", "## Grant a new workload access"):
        assert heading in text, heading
    assert "gcloud secrets versions add" in text
    assert "{{" not in text and "{%" not in text
    assert re.search(r"VPC Service Controls", text)
    assert json.dumps(text)  # plain text
