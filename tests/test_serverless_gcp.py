"""`orchestrator: serverless` on Google Cloud (Cloud Run): the Terraform registers revisions without
moving traffic, the release script runs the strategy with the environment's steps and thresholds,
and its generated tests catch the promises it breaks.

The generated tests run in a subprocess with google-auth hidden: the script imports it only to talk
to Google Cloud, so its tests need neither google-auth nor a network.
"""

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from helpers import broken_release_tests, generated_release_tests, load_hcl, render

from extensions import context

GCP = {"cloud": "gcp", "region": "us-central1", "orchestrator": "serverless"}


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("cloud-run")
    return {
        strategy: render(root / strategy, deploy_strategy=strategy, **GCP)
        for strategy in ("rolling", "blue-green", "canary")
    }


def resources(path: Path, kind: str) -> dict:
    module = load_hcl(path)
    return {name: body for entry in module.get("resource", []) if kind in entry for name, body in entry[kind].items()}


def module_arguments(project: Path, env: str, name: str) -> dict:
    main = load_hcl(project / "terraform" / "environments" / env / "main.tf")
    return next(entry[name] for entry in main["module"] if name in entry)


def test_terraform_registers_revisions_and_never_moves_traffic(projects):
    for strategy, project in projects.items():
        module = project / "terraform" / "modules" / "service" / "main.tf"
        service = resources(module, "google_cloud_run_v2_service")["this"]
        assert "traffic" in service["lifecycle"][0]["ignore_changes"], strategy
        (template,) = service["template"]
        assert template["revision"] == "${local.revision_name}", strategy
        assert template["service_account"] == "${var.service_account_email}", strategy
        assert template["vpc_access"][0]["egress"] == "ALL_TRAFFIC", strategy
        names = [c["name"] for c in template["containers"]]
        assert names == ["app", "collector"], strategy
        assert service["invoker_iam_disabled"] is False and service["ingress"] == "${var.ingress}", strategy
        outputs = load_hcl(project / "terraform" / "environments" / "dev" / "outputs.tf")
        revision = next(entry["revision_name"] for entry in outputs["output"] if "revision_name" in entry)
        assert revision["value"] == "${module.service.revision_name}", strategy


def test_nobody_invokes_the_service_unauthenticated(projects):
    project = projects["canary"]
    for env in ("dev", "staging", "prod"):
        service = module_arguments(project, env, "service")
        assert service["ingress"] == "INGRESS_TRAFFIC_ALL"
        assert service["invoker_members"] == "${concat([local.deploy_member], var.invoker_members)}"
        main = load_hcl(project / "terraform" / "environments" / env / "main.tf")
        assert main["locals"][0]["deploy_member"].startswith(f"serviceAccount:payments-api-{env}-deploy@")
    public = re.compile(r'members?\s*=\s*\[?[^\n]*"all(Authenticated)?Users"')
    for path in project.glob("terraform/**/*.tf"):
        assert not public.search(path.read_text()), path


def test_alert_rules_come_from_the_repository_rule_file(projects):
    project = projects["canary"]
    alerting = module_arguments(project, "prod", "alerting")
    assert alerting["alert_rules"] == '${file("${path.module}/../../../monitoring/prometheus/alerts.yml")}'
    policies = resources(project / "terraform" / "modules" / "alerting" / "main.tf", "google_monitoring_alert_policy")
    assert policies["rule"]["for_each"] == "${local.alerts}"
    (condition,) = policies["rule"]["conditions"]
    assert "condition_prometheus_query_language" in condition


def release_constants(project: Path) -> dict:
    namespace: dict = {}
    source = (project / "deploy" / "release.py").read_text()
    head = source[: source.index("class ReleaseError")]
    exec(compile(head.split('"""', 2)[2], "release.py", "exec"), namespace)  # our own render
    return namespace


@pytest.mark.parametrize("strategy", ["rolling", "blue-green", "canary"])
def test_release_script_carries_the_strategy_and_thresholds(projects, strategy):
    project = projects[strategy]
    constants = release_constants(project)
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    infra = context.derive(answers)
    assert constants["STRATEGY"] == strategy
    assert constants["ERROR_PERCENT"] == infra["rollback_error_percent"]
    assert constants["LATENCY_MS"] == infra["rollback_latency_ms"]
    for env, e in infra["environments"].items():
        service_name = module_arguments(project, env, "service")["service_name"]
        assert constants["SERVICES"][env] == e["cluster_name"] == service_name
        steps = constants["STEPS"][env]
        assert steps["canary_weights"] == e["canary_weights"] and steps["bake_minutes"] == e["bake_minutes"]
    # production watches longer and in more steps than the first environment
    assert constants["STEPS"]["prod"]["bake_minutes"] > constants["STEPS"]["dev"]["bake_minutes"]
    assert len(constants["STEPS"]["prod"]["canary_weights"]) > len(constants["STEPS"]["dev"]["canary_weights"])


def generated_tests(project: Path) -> subprocess.CompletedProcess:
    return generated_release_tests(project, "gcp")


@pytest.mark.parametrize("strategy", ["rolling", "canary"])
def test_release_script_passes_its_tests(projects, strategy):
    result = generated_tests(projects[strategy])
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout


# Each change breaks one promise of the script; its tests must catch every one.
BREAKAGES = {
    "errors-do-not-roll-back": ("if percent > ERROR_PERCENT:", "if percent > 100:"),
    "slow-revision-is-fine": ("if worst > LATENCY_MS:", "if worst > 10 * LATENCY_MS:"),
    "rollback-keeps-the-traffic": (
        '    set_traffic(api, target, {previous: 100})\n    banner(\n        f"{target.env}: THE RELEASE',
        '    banner(\n        f"{target.env}: THE RELEASE',
    ),
    "smoke-test-ignored": ("if status != 200:", "if status == 0:"),
    "failed-release-succeeds": (
        "return roll_back(api, target, previous, revision, problems)",
        "roll_back(api, target, previous, revision, problems)",
    ),
    # CI's federated credentials cannot mint ID tokens: only IAM's, for the deploy service account
    "id-token-of-the-caller": (
        "if isinstance(self.credentials, (service_account.Credentials, compute_engine.Credentials)):",
        "if True:",
    ),
    "id-token-for-the-tag-url": (
        'status = api.probe(url + path, service.get("uri") or url)',
        "status = api.probe(url + path, url)",
    ),
    "id-token-of-another-environment": (
        "api = api or Api(DEPLOY_ACCOUNTS[options.env])",
        "api = api or Api(DEPLOY_ACCOUNTS[list(DEPLOY_ACCOUNTS)[-1]])",
    ),
}


@pytest.mark.parametrize("name", BREAKAGES)
def test_release_tests_fail_when_the_script_breaks(projects, tmp_path, name):
    result = broken_release_tests(projects["canary"], "gcp", tmp_path, *BREAKAGES[name])
    assert result.returncode == 1, result.stdout + result.stderr


def test_release_script_calls_the_service_as_the_deploy_service_account(projects):
    """The smoke tests and `verify` use ID tokens of the service account the deploy job acts as,
    which the service lets in and which may ask IAM for its own ID tokens, and nothing more."""
    project = projects["canary"]
    constants = release_constants(project)
    workflow = (project / ".github" / "workflows" / "deploy.yml").read_text()
    for env in ("dev", "staging", "prod"):
        account = constants["DEPLOY_ACCOUNTS"][env]
        main = load_hcl(project / "terraform" / "environments" / env / "main.tf")
        assert main["locals"][0]["deploy_member"] == f"serviceAccount:{account}"
        assert f"DEPLOY_SERVICE_ACCOUNT: {account}" in workflow
    iam = project / "terraform" / "bootstrap" / "iam.tf"
    grant = resources(iam, "google_service_account_iam_member")["deploy_id_tokens"]
    assert grant["for_each"] == "${var.environments}"
    assert grant["role"] == "roles/iam.serviceAccountOpenIdTokenCreator"
    assert grant["service_account_id"] == "${google_service_account.ci[each.value.deploy_service_account_id].name}"
    assert grant["member"] == "${local.deploy_members[each.key]}"
    # on its own account only: no project-wide token roles
    for kind in ("google_project_iam_member", "google_project_iam_binding"):
        for name, body in resources(iam, kind).items():
            role = str(body.get("role", "")) + str(body.get("for_each", ""))
            assert "TokenCreator" not in role, name
    project_roles = load_hcl(iam)["locals"]
    assert "TokenCreator" not in str(project_roles)


def test_makefile_deploys_the_revision_terraform_registered(projects):
    project = projects["canary"]
    result = subprocess.run(["make", "--dry-run", "deploy", "ENV=dev"], cwd=project, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "release.py deploy dev --revision" in result.stdout
    assert "output -raw revision_name" in result.stdout
