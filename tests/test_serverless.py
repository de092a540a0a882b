"""`orchestrator: serverless` (ECS on Fargate): what the pipelines and the Makefile run, parsed.

No Helm, kubectl or cluster login anywhere; every pipeline installs the release script's
requirements where it plans or deploys, plans the digest it deploys, and lets deploy/release.py
start and follow the deployment.
"""

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from combinations import choices
from helpers import load_hcl, render

OVERRIDES = {"gitlab": {"repository": "acme/payments/api"}}
DIGEST = "sha256:" + "ab" * 32
KUBERNETES_ONLY = re.compile(r"\b(helm|kubectl|kubeconfig|argo)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    """One serverless repository per `ci` choice (canary, so the longest path is rendered)."""
    root = tmp_path_factory.mktemp("serverless")
    return {
        ci: render(root / ci, ci=ci, orchestrator="serverless", deploy_strategy="canary", **OVERRIDES.get(ci, {}))
        for ci in choices()["ci"]
    }


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def commands(steps: list[dict]) -> str:
    return "\n".join(step.get("run", "") for step in steps)


def test_nothing_of_kubernetes_is_rendered(projects):
    for ci, project in projects.items():
        assert not (project / "deploy" / "chart").exists(), ci
        assert (project / "deploy" / "release.py").is_file(), ci
        assert not (project / "monitoring" / "install.sh").exists(), ci
        patterns = (".github/workflows/*.yml", ".gitlab-ci.yml", ".circleci/config.yml", "ci/*.sh", "Makefile",
                    "README.md", "docs/**/*.md", "monitoring/**/*", "deploy/**/*")  # fmt: skip
        files = [path for pattern in patterns for path in project.glob(pattern) if path.is_file()]
        for path in files:
            found = KUBERNETES_ONLY.findall(path.read_text())
            assert not found, f"{ci}: {path.relative_to(project)} mentions {sorted(set(found))}"


def test_github_deploy_jobs_plan_the_digest_and_let_the_script_deploy(projects):
    workflow = load(projects["github"] / ".github" / "workflows" / "deploy.yml")
    deploy_jobs = {name: job for name, job in workflow["jobs"].items() if name.startswith("deploy-")}
    assert list(deploy_jobs) == ["deploy-dev", "deploy-staging", "deploy-prod"]
    for name, job in deploy_jobs.items():
        run = commands(job["steps"])
        assert "python -m pip install -r deploy/requirements.txt" in run, name
        assert 'make plan ENV="$DEPLOY_ENV" DIGEST="$DIGEST"' in run, name
        assert run.index("make apply") < run.index('make deploy ENV="$DEPLOY_ENV"') < run.index("make verify"), name
        (rollback,) = [step for step in job["steps"] if step.get("id") == "rollback"]
        assert rollback["if"] == "failure() && steps.deploy.outcome == 'success'", name
        assert rollback["run"] == 'make rollback ENV="$DEPLOY_ENV"', name
        record = next(step for step in job["steps"] if step["name"] == "Write the deployment record")
        assert "startsWith(steps.state.outputs.state, 'ROLLBACK_SUCCESSFUL')" in record["env"]["ROLLED_BACK"], name


def test_github_plans_install_the_release_script(projects):
    workflow = load(projects["github"] / ".github" / "workflows" / "terraform-plan.yml")
    run = commands(workflow["jobs"]["plan"]["steps"])
    assert run.index("pip install -r deploy/requirements.txt") < run.index('make plan ENV="$ENVIRONMENT"')


def test_release_tests_run_apart_from_the_validators(projects):
    """checkov pins other versions of boto3's dependencies: the release tests get a Python of their own."""
    checks = load(projects["github"] / ".github" / "workflows" / "ci.yml")
    run = commands(checks["jobs"]["release-test"]["steps"])
    assert run.index("pip install -r deploy/requirements.txt") < run.index("make release-test")
    assert "deploy/requirements.txt" not in commands(checks["jobs"]["validate"]["steps"])
    gitlab = load(projects["gitlab"] / ".gitlab-ci.yml")
    assert gitlab["release-test"]["variables"]["PIP_REQUIREMENTS"] == "deploy/requirements.txt"
    assert gitlab["release-test"]["stage"] == gitlab["test"]["stage"]
    assert "deploy/requirements.txt" not in gitlab["validate"]["variables"]["PIP_REQUIREMENTS"]
    circleci = load(projects["circleci"] / ".circleci" / "config.yml")
    jobs = circleci["workflows"]["delivery"]["jobs"]
    publish = next(job["publish"] for job in jobs if isinstance(job, dict) and "publish" in job)
    assert "release-test" in jobs and "release-test" in publish["requires"]


def test_gitlab_and_circleci_install_the_release_script_where_they_plan_or_deploy(projects):
    gitlab = load(projects["gitlab"] / ".gitlab-ci.yml")
    for job in (".deploy", "plan"):
        assert "deploy/requirements.txt" in gitlab[job]["variables"]["PIP_REQUIREMENTS"].split(), job
    assert gitlab[".deploy"]["variables"]["TOOLS"].split() == ["terraform", "jq"]
    circleci = load(projects["circleci"] / ".circleci" / "config.yml")
    for job in ("deploy", "plan"):
        steps = circleci["jobs"][job]["steps"]
        (setup,) = [step["setup"] for step in steps if isinstance(step, dict) and "setup" in step]
        assert "deploy/requirements.txt" in setup["requirements"].split(), job
        assert "helm" not in setup["tools"].split(), job


def test_ci_deploy_script_plans_the_digest_it_deploys(projects):
    script = (projects["gitlab"] / "ci" / "deploy.sh").read_text()
    assert script.index('make plan ENV="$ENV" DIGEST="$DIGEST"') < script.index('make deploy ENV="$ENV"')
    assert 'make rollback ENV="$ENV" && rolled_back=true' in script


def dry_run(project: Path, *arguments: str) -> str:
    result = subprocess.run(["make", "--dry-run", *arguments], cwd=project, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_makefile_deploys_through_the_release_script(projects):
    project = projects["github"]
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["orchestrator"] == "serverless"
    assert "release.py deploy dev --task-definition" in dry_run(project, "deploy", "ENV=dev")
    assert "terraform -chdir=terraform/environments/dev output -raw task_definition_arn" in dry_run(
        project, "deploy", "ENV=dev"
    )
    assert "release.py rollback prod" in dry_run(project, "rollback", "ENV=prod")
    assert "--to arn:x" in dry_run(project, "rollback", "ENV=prod", "REVISION=arn:x")
    plan = dry_run(project, "plan", "ENV=dev", f"DIGEST={DIGEST}")
    assert f'digest="{DIGEST}"' in plan and '-var "image=' in plan, plan
    assert "release.py digest dev" in plan  # used only when no DIGEST is given
    targets = subprocess.run(["make", "help"], cwd=project, capture_output=True, text=True, check=True).stdout
    names = {line.split()[0] for line in targets.splitlines() if line.startswith("  ") and not line.startswith("  ENV")}
    assert {"plan", "apply", "deploy", "verify", "rollback", "status", "release-test"} <= names
    (validate,) = [line for line in (project / "Makefile").read_text().splitlines() if line.startswith("validate:")]
    assert "release-test" not in validate.split("##")[0]
    assert not names & {"kubeconfig", "monitoring", "platform", "helm-lint"}


def ecs_service(project: Path) -> dict:
    module = load_hcl(project / "terraform" / "modules" / "service" / "main.tf")
    return next(entry["aws_ecs_service"]["this"] for entry in module["resource"] if "aws_ecs_service" in entry)


def service_arguments(project: Path, env: str) -> dict:
    main = load_hcl(project / "terraform" / "environments" / env / "main.tf")
    return next(entry["service"] for entry in main["module"] if "service" in entry)


@pytest.mark.parametrize("strategy", ["rolling", "blue-green", "canary"])
def test_ecs_runs_the_strategy_and_rolls_back_by_itself(tmp_path, strategy):
    project = render(tmp_path / strategy, orchestrator="serverless", deploy_strategy=strategy)
    service = ecs_service(project)
    assert service["deployment_circuit_breaker"] == [{"enable": True, "rollback": True}]
    (alarms,) = service["alarms"]
    assert (alarms["enable"], alarms["rollback"]) == (True, True)
    assert {"task_definition", "desired_count"} <= set(service["lifecycle"][0]["ignore_changes"])
    assert service["deployment_configuration"][0]["strategy"] == "${var.deployment_strategy}"
    for env, weights in (("dev", [50]), ("prod", [10, 25, 50])):
        arguments = service_arguments(project, env)
        assert arguments["deployment_strategy"] == strategy.upper().replace("-", "_")
        if strategy == "rolling":
            assert "canary_percent" not in arguments and "bake_time_minutes" not in arguments
            continue
        # the new version is watched by the alarms for a while after it takes all traffic
        assert arguments["bake_time_minutes"] >= 3
        if strategy == "canary":
            assert arguments["canary_percent"] == weights[0] and 0 < arguments["canary_percent"] < 100
            assert 1 <= arguments["canary_bake_time_minutes"] <= arguments["bake_time_minutes"]
    # outside production every task but the first runs on Fargate Spot
    assert service["capacity_provider_strategy"][0] == {
        "capacity_provider": "FARGATE",
        "base": 1,
        "weight": "${var.spot ? 0 : 1}",
    }
    for env, spot in (("dev", True), ("prod", False)):
        assert service_arguments(project, env)["spot"] == "${var.fargate_spot}"
        tfvars = load_hcl(project / "terraform" / "environments" / env / "terraform.tfvars")
        assert tfvars["fargate_spot"] is spot, env
    # production watches longer than the first environment
    if strategy != "rolling":
        bake = {env: service_arguments(project, env)["bake_time_minutes"] for env in ("dev", "prod")}
        assert bake["prod"] > bake["dev"]
