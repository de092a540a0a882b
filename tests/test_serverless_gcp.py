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
        assert template["vpc_access"][0]["egress"] == "${local.template_settings.egress}", strategy
        settings = next(
            entry["template_settings"] for entry in load_hcl(module)["locals"] if "template_settings" in entry
        )
        assert settings["egress"] == "ALL_TRAFFIC", strategy
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
        "    set_traffic(api, target, {previous: 100}, tags={ROLLED_BACK_TAG: revision})\n",
        "",
    ),
    "rollback-is-not-tagged": (
        "set_traffic(api, target, {previous: 100}, tags={ROLLED_BACK_TAG: revision})",
        "set_traffic(api, target, {previous: 100})",
    ),
    "status-hides-the-rollback": ("if rolled_back and not tagged:", "if False:"),
    "latest-stays-unpinned": (
        "            set_traffic(api, target, {revision: 100})\n        say(",
        "            pass\n        say(",
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


def test_first_traffic_is_pinned_to_the_module_revision_by_name(projects):
    """LATEST would give every revision terraform registers all the traffic, skipping the release."""
    for strategy, project in projects.items():
        module = project / "terraform" / "modules" / "service" / "main.tf"
        service = resources(module, "google_cloud_run_v2_service")["this"]
        assert service["traffic"] == [
            {"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", "revision": "${local.revision_name}", "percent": 100}
        ], strategy
        assert "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST" not in module.read_text(), strategy


def test_revision_name_hashes_everything_in_the_template(projects):
    module = projects["canary"] / "terraform" / "modules" / "service" / "main.tf"
    text = module.read_text()
    inputs_text = text[text.index("revision_inputs = {") : text.index("revision_name = ")]
    (template,) = resources(module, "google_cloud_run_v2_service")["this"]["template"]
    # every variable and local the template reads is one of the hashed inputs
    read = set(re.findall(r"\b(var\.[a-z_]+|local\.[a-z_]+)", str(template))) - {"local.revision_name"}
    read |= {"var.labels"}
    # derived from var.cpu_units, which is hashed
    read -= {"local.app_cpu", "local.collector_cpu"}
    assert "cpu_units             = var.cpu_units" in inputs_text
    for reference in sorted(read):
        assert reference in inputs_text or reference.startswith("local.template_settings"), reference
    assert "labels                = var.labels" in inputs_text
    assert "settings              = local.template_settings" in inputs_text
    assert template["labels"] == "${var.labels}"
    # the fixed settings come from the hashed local, not literals
    assert template["timeout"] == "${local.template_settings.timeout}"


def test_collector_secret_version_is_write_only(projects):
    """A plan's service account may view secrets but not read payloads: nothing reads it back."""
    module = projects["canary"] / "terraform" / "modules" / "service" / "main.tf"
    version = resources(module, "google_secret_manager_secret_version")["collector"]
    assert "secret_data" not in version
    assert version["secret_data_wo"] == "${local.collector_config}"
    assert version["secret_data_wo_version"] == "${substr(sha256(local.collector_config), 0, 16)}"


def test_alert_policies_select_only_their_environment(projects):
    project = projects["canary"]
    alerting = project / "terraform" / "modules" / "alerting" / "main.tf"
    text = alerting.read_text()
    assert 'queries = { for name, query in local.inlined : name => replace(query, "{", "{${local.scope},") }' in text
    assert 'scope   = "namespace=\\"${var.namespace}\\""' in text
    constants = release_constants(project)
    for env in ("dev", "staging", "prod"):
        arguments = module_arguments(project, env, "alerting")
        assert (
            arguments["namespace"]
            == constants["SERVICES"][env]
            == module_arguments(project, env, "service")["service_name"]
        )
    # every selector of the rule file has braces, so each one gets the namespace
    rules = yaml.safe_load((project / "monitoring" / "prometheus" / "alerts.yml").read_text())
    selector = re.compile(
        r"\b(?!by\b|without\b|and\b|or\b|unless\b|on\b|ignoring\b)([a-zA-Z_][a-zA-Z0-9_:]*)\s*(\{|\[)"
    )
    for group in rules["groups"]:
        for rule in group["rules"]:
            for _name, opening in selector.findall(rule["expr"]):
                assert opening == "{", rule["expr"]
    readme = (project / "monitoring" / "README.md").read_text()
    assert '{namespace="payments-api-prod",job="payments-api"}' in readme
