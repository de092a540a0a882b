"""Secrets on AWS, both orchestrators: one Secrets Manager store per environment, values written by
terraform/bootstrap only (write-only, never in state), read by the workload only and by reference.

Parsed from the rendered Terraform (python-hcl2) and, for EKS, from `helm template`. The render
matrix runs the validators over the same files; these tests check what validators cannot.
"""

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from helpers import ROOT, blocks, load_hcl, render, root_blocks, unavailable

HELM = ROOT / ".tools" / "bin" / "helm"
DIGEST = "sha256:" + "0" * 64
ENVIRONMENTS = ("dev", "staging", "prod")
SLUG = "payments-api"

pytestmark = pytest.mark.xdist_group("secrets-aws")


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("secrets-aws")
    return {
        orchestrator: render(root / orchestrator, cloud="aws", region="us-east-1", orchestrator=orchestrator)
        for orchestrator in ("kubernetes", "serverless")
    }


def statements(policy_block: dict) -> dict[str, dict]:
    return {s["sid"]: s for s in policy_block["statement"]}


def bootstrap(project: Path, kind: str) -> dict[str, dict]:
    return root_blocks(project / "terraform" / "bootstrap", kind)


def secret_stores(project: Path) -> dict:
    return bootstrap(project, "variable")["secret_stores"]["default"]


@pytest.mark.parametrize("orchestrator", ["kubernetes", "serverless"])
def test_every_environment_has_its_store_with_its_own_key(projects, orchestrator):
    project = projects[orchestrator]
    stores = secret_stores(project)
    assert sorted(stores) == sorted(ENVIRONMENTS)
    for env, store in stores.items():
        assert store["secrets"] == {"signing-key": 1}
        assert store["recovery_window_days"] == (30 if env == "prod" else 7)
        role = f"{SLUG}-{env}-" + ("workload" if orchestrator == "kubernetes" else "task-execution")
        assert store["workload_role_names"] == [role]
    resources = bootstrap(project, "resource")
    secret = resources["aws_secretsmanager_secret.this"]
    assert secret["name"] == "${local.secret_path}/${each.value.environment}/${each.value.name}"
    assert bootstrap(project, "locals")["secret_path"] == SLUG
    assert secret["kms_key_id"] == "${module.secrets_key[each.value.environment].key_arn}"
    assert secret["recovery_window_in_days"] == "${var.secret_stores[each.value.environment].recovery_window_days}"
    key = bootstrap(project, "module")["secrets_key"]
    assert key["source"] == "../modules/kms-key" and key["for_each"] == "${var.secret_stores}"


@pytest.mark.parametrize("orchestrator", ["kubernetes", "serverless"])
def test_bootstrap_seeds_with_write_only_values(projects, orchestrator):
    project = projects[orchestrator]
    resources = bootstrap(project, "resource")
    versions = [body for name, body in resources.items() if name.startswith("aws_secretsmanager_secret_version.")]
    assert versions, "the bootstrap writes the first values"
    for version in versions:
        assert "secret_string" not in version and "secret_binary" not in version, "a value would be in state"
        assert "uuid()" in version["secret_string_wo"]
        assert version["secret_string_wo_version"] == "${each.value.version}"
    # nothing makes a random value that Terraform would keep in state
    assert not [name for name in resources if name.startswith(("random_password.", "random_string."))]
    (terraform,) = load_hcl(project / "terraform" / "bootstrap" / "versions.tf")["terraform"]
    assert terraform["required_version"] == ">= 1.11", "write-only arguments need Terraform 1.11"


@pytest.mark.parametrize("orchestrator", ["kubernetes", "serverless"])
def test_only_the_workload_and_administrators_read_values(projects, orchestrator):
    policy = statements(bootstrap(projects[orchestrator], "data")["aws_iam_policy_document.secret"])
    read = policy["DenyReadingValuesButWorkloadAndAdministrators"]
    assert read["effect"] == "Deny" and read["actions"] == ["secretsmanager:GetSecretValue"]
    (condition,) = read["condition"]
    assert condition["test"] == "ArnNotLike" and condition["variable"] == "aws:PrincipalArn"
    assert "each.value.workload_role_names" in condition["values"]
    assert "var.secret_admin_principal_arns" in condition["values"]
    write = policy["DenyWritingValuesButAdministrators"]
    assert "secretsmanager:PutSecretValue" in write["actions"]
    assert write["condition"][0]["values"] == "${var.secret_admin_principal_arns}"


@pytest.mark.parametrize("orchestrator", ["kubernetes", "serverless"])
def test_no_ci_role_reads_or_writes_a_value(projects, orchestrator):
    data = bootstrap(projects[orchestrator], "data")
    iam = load_hcl(projects[orchestrator] / "terraform" / "bootstrap" / "iam.tf")
    (local_values,) = [block for block in iam["locals"] if "secret_value_actions" in block]
    for action in (
        "secretsmanager:GetSecretValue",
        "secretsmanager:BatchGetSecretValue",
        "secretsmanager:PutSecretValue",
    ):
        assert action in local_values["secret_value_actions"]
    for role in ("aws_iam_policy_document.deploy", "aws_iam_policy_document.plan"):
        deny = statements(data[role])["DenySecretValues"]
        assert deny["effect"] == "Deny" and deny["resources"] == ["*"]
        assert deny["actions"] == "${local.secret_value_actions}"
    # the publish role has no secret right at all, and no managed policy that could grant one
    publish = json.dumps(data["aws_iam_policy_document.publish"])
    assert "secretsmanager" not in publish and "kms" not in publish


@pytest.mark.parametrize("orchestrator", ["kubernetes", "serverless"])
def test_environment_roots_never_read_a_value(projects, orchestrator):
    for env in ENVIRONMENTS:
        directory = projects[orchestrator] / "terraform" / "environments" / env
        text = "\n".join(path.read_text() for path in directory.glob("*.tf"))
        for kind in ("resource", "data"):
            names = root_blocks(directory, kind)
            assert not [n for n in names if n.startswith("aws_secretsmanager_secret_version.")], (env, kind)
        assert "aws_secretsmanager_secret_version" not in text
        assert not re.search(r"\bsecret_string\b", text)
        audit = root_blocks(directory, "module")["secrets_audit"]
        assert audit["secret_name_prefix"] == "${local.secret_name_prefix}"
        assert f'"{SLUG}/{env}/"' in text


def test_ecs_gets_the_secret_by_reference(projects):
    project = projects["serverless"]
    for env in ENVIRONMENTS:
        directory = project / "terraform" / "environments" / env
        service = root_blocks(directory, "module")["service"]
        assert (
            service["secrets"]
            == "${{for variable, secret in data.aws_secretsmanager_secret.this : variable => secret.arn}}"
        )
        assert "SIGNING_KEY" not in json.dumps(service["environment_variables"]), "a value in plain text"
        lookup = root_blocks(directory, "data")["aws_secretsmanager_secret.this"]
        assert lookup["name"] == "${local.secret_name_prefix}${each.value}"
        tfvars = load_hcl(directory / "terraform.tfvars")
        assert tfvars["secret_environment_variables"] == {"SIGNING_KEY": "signing-key"}
    module = project / "terraform" / "modules" / "service" / "main.tf"
    source = module.read_text()
    assert re.search(
        r"secrets\s+= \[for key in sort\(keys\(var\.secrets\)\) : \{ name = key, valueFrom = var\.secrets\[key\] \}\]",
        source,
    )
    execution = statements(blocks(load_hcl(module), "data")["aws_iam_policy_document.execution"])
    assert "ReadSecrets" not in execution  # the statements are dynamic: present only with secrets
    dynamic = blocks(load_hcl(module), "data")["aws_iam_policy_document.execution"]["dynamic"]
    contents = [content for d in dynamic for content in d["statement"]["content"]]
    assert {c["sid"] for c in contents} == {"ReadSecrets", "DecryptSecrets"}
    (read,) = [c for c in contents if c["sid"] == "ReadSecrets"]
    assert read["actions"] == ["secretsmanager:GetSecretValue"]


def test_ecs_unexpected_access_goes_to_the_notify_topic(projects):
    main = root_blocks(projects["serverless"] / "terraform" / "environments" / "prod", "module")
    assert main["secrets_audit"]["topic_arn"] == '${module.alerting.topic_arns["notify"]}'
    assert main["secrets_audit"]["workload_role_names"] == [f"{SLUG}-prod-task-execution"]


def test_ecs_rotation_replaces_the_tasks(projects):
    """ECS reads a secret only when a task starts, and `make deploy` of an unchanged task definition
    only verifies the service (deploy/release.py): after a rotation the docs force new tasks."""
    docs = projects["serverless"] / "docs"
    force = f'aws ecs update-service --cluster "{SLUG}-$ENV" --service {SLUG} --force-new-deployment'
    for page in (docs / "runbooks" / "secret-accessed.md", docs / "secrets.md"):
        text = " ".join(page.read_text().split())
        assert "--force-new-deployment" in text, page
        assert "then replace the tasks (`make deploy" not in text, page
    assert force in " ".join((docs / "runbooks" / "secret-accessed.md").read_text().split())
    release = (projects["serverless"] / "deploy" / "release.py").read_text()
    assert "if running == task_definition:" in release  # the reason `make deploy` is not enough


def audit_rule(project: Path) -> dict:
    return root_blocks(project / "terraform" / "modules" / "secrets-audit", "resource")[
        "aws_cloudwatch_event_rule.this"
    ]


@pytest.mark.parametrize("orchestrator", ["kubernetes", "serverless"])
def test_the_audit_rule_sees_read_only_events(projects, orchestrator):
    rule = audit_rule(projects[orchestrator])
    assert rule["state"] == "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
    assert rule["name"].endswith("-SecretAccessed}") or rule["name"] == "${var.name}-SecretAccessed"
    assert (projects[orchestrator] / "docs" / "runbooks" / "secret-accessed.md").is_file()
    watched = root_blocks(projects[orchestrator] / "terraform" / "modules" / "secrets-audit", "variable")
    assert "GetSecretValue" in watched["watched_actions"]["default"]


def helm_objects(project: Path, env: str) -> list[dict]:
    if not HELM.is_file():
        unavailable("helm is not installed (scripts/install-tools)")
    out = subprocess.run(
        [str(HELM), "template", SLUG, str(project / "deploy" / "chart"), "--namespace", SLUG,
         "--values", str(project / "deploy" / f"values-{env}.yaml"), "--set", f"image.digest={DIGEST}"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return [doc for doc in yaml.safe_load_all(out) if doc]


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_eks_pods_mount_the_secret_read_only_through_the_csi_driver(projects, env):
    objects = helm_objects(projects["kubernetes"], env)
    (spc,) = [o for o in objects if o["kind"] == "SecretProviderClass"]
    assert spc["apiVersion"] == "secrets-store.csi.x-k8s.io/v1" and spc["spec"]["provider"] == "aws"
    parameters = spc["spec"]["parameters"]
    assert parameters["usePodIdentity"] == "true"
    (secret,) = yaml.safe_load(parameters["objects"])
    assert secret == {
        "objectName": f"{SLUG}/{env}/signing-key",
        "objectType": "secretsmanager",
        "objectAlias": "signing-key",
    }
    (workload,) = [o for o in objects if o["kind"] in ("Deployment", "Rollout")]
    pod = workload["spec"]["template"]["spec"]
    (volume,) = [v for v in pod["volumes"] if v["name"] == "secrets"]
    assert volume["csi"]["driver"] == "secrets-store.csi.k8s.io" and volume["csi"]["readOnly"] is True
    assert volume["csi"]["volumeAttributes"]["secretProviderClass"] == spc["metadata"]["name"]
    (container,) = pod["containers"]
    (mount,) = [m for m in container["volumeMounts"] if m["name"] == "secrets"]
    assert mount["readOnly"] is True and mount["mountPath"] == "/mnt/secrets"
    assert not [e for e in container["env"] if "valueFrom" in e and "secretKeyRef" in e["valueFrom"]]


def test_eks_has_the_driver_and_the_pods_role_may_read(projects):
    project = projects["kubernetes"]
    cluster = root_blocks(project / "terraform" / "modules" / "cluster", "resource")
    addon = cluster["aws_eks_addon.secrets_store"]
    assert addon["addon_name"] == "${local.secrets_store_addon}"
    assert '"aws-secrets-store-csi-driver-provider"' in (project / "terraform/modules/cluster/main.tf").read_text()
    for env in ENVIRONMENTS:
        directory = project / "terraform" / "environments" / env
        policy = statements(root_blocks(directory, "data")["aws_iam_policy_document.workload_secrets"])
        assert policy["ReadSecrets"]["resources"] == ["${local.secret_arns}"]
        assert policy["DecryptSecrets"]["condition"][0]["variable"] == "kms:ViaService"
        attached = root_blocks(directory, "resource")["aws_iam_role_policy.workload_secrets"]
        assert attached["role"] == "${module.cluster.workload_role_name}"
        audit = root_blocks(directory, "module")["secrets_audit"]
        assert "topic_arn" not in audit and audit["alert_emails"] == "${var.budget_notification_emails}"
        assert f':secret:{SLUG}/{env}/*"' in (directory / "main.tf").read_text()


def test_other_clouds_render_nothing_of_it(tmp_path):
    project = render(tmp_path / "gcp", cloud="gcp", region="us-central1")
    assert not (project / "terraform" / "modules" / "secrets-audit").exists()
    chart = "\n".join(path.read_text() for path in (project / "deploy" / "chart").rglob("*") if path.is_file())
    assert "secretsmanager" not in chart and "usePodIdentity" not in chart
