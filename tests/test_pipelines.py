"""The pipelines of every CI platform, parsed: the same stages in the same order, production behind an
approval, AWS reached only through OIDC with the trust terraform/bootstrap creates for that platform,
pinned actions and images, and no static cloud key anywhere in the generated repository."""

import re
from pathlib import Path

import pytest
import yaml
from combinations import choices
from helpers import answers, load_hcl, render

ENVIRONMENTS = ["dev", "staging", "prod"]
OVERRIDES = {"gitlab": {"repository": "acme/payments/api"}}
SHA_PINNED = re.compile(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}")
PINNED_IMAGE = re.compile(r"[\w./-]+:\d+(\.\d+)+[\w.-]*(@sha256:[0-9a-f]{64})?")
# names under which a static AWS key would travel: none may appear in any generated file
STATIC_KEY = re.compile(r"AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|AWS_SESSION_TOKEN|aws-(secret-)?access-key", re.I)


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    """One repository per `ci` choice, with the default answers otherwise."""
    root = tmp_path_factory.mktemp("pipelines")
    return {ci: render(root / ci, ci=ci, **OVERRIDES.get(ci, {})) for ci in choices()["ci"]}


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def role_arn(name: str) -> str:
    return f"arn:aws:iam::{answers()['aws_account_id']}:role/payments-api-{name}"


def predecessors(graph: dict[str, list[str]], job: str) -> set[str]:
    """Every job that must finish before `job` (transitively)."""
    seen, stack = set(), list(graph.get(job, []))
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack += graph.get(name, [])
    return seen


def test_every_platform_is_rendered(projects):
    assert set(projects) == {"github", "gitlab", "circleci"}


def test_no_static_cloud_key_anywhere(projects):
    for ci, project in projects.items():
        for path in project.rglob("*"):
            if path.is_file() and ".git" not in path.parts:
                match = STATIC_KEY.search(path.read_text(errors="replace"))
                assert match is None, f"{ci}: {path.relative_to(project)} names {match.group(0)}"


def test_every_platform_has_a_change_request_template(projects):
    templates = {
        "github": ".github/pull_request_template.md",
        "gitlab": ".gitlab/merge_request_templates/Default.md",
        "circleci": ".github/pull_request_template.md",
    }
    for ci, project in projects.items():
        text = (project / templates[ci]).read_text()
        for heading in ("Change type", "Changes made", "Files modified", "Validation", "Environment"):
            assert f"## {heading}" in text, (ci, heading)
        for item in ("Pipeline", "Deployment", "Monitoring", "Infrastructure", "Rollback", "Dashboard"):
            assert item in text, (ci, item)


# ------------------------------------------------------------------------------------------ GitHub
def github_jobs(project: Path) -> dict[str, dict]:
    jobs = {}
    for workflow in sorted((project / ".github" / "workflows").glob("*.yml")):
        for name, job in load(workflow)["jobs"].items():
            jobs[name] = {**job, "workflow": workflow.name}
    return jobs


def test_github_stages_and_approval(projects):
    jobs = github_jobs(projects["github"])
    steps = {name: " ".join(str(step.get("run", "")) for step in job.get("steps", [])) for name, job in jobs.items()}
    assert "make validate" in steps["validate"] and "make test" in steps["test"]
    assert "terraform" in steps["plan"] and jobs["plan"]["workflow"] == "terraform-plan.yml"
    graph = {name: job.get("needs", []) for name, job in jobs.items()}
    graph = {name: [needs] if isinstance(needs, str) else needs for name, needs in graph.items()}
    for i, env in enumerate(ENVIRONMENTS):
        before = predecessors(graph, f"deploy-{env}")
        assert {"publish", *(f"deploy-{e}" for e in ENVIRONMENTS[:i])} <= before
        assert jobs[f"deploy-{env}"]["environment"] == env  # required reviewers guard prod
        assert jobs[f"deploy-{env}"]["concurrency"]["cancel-in-progress"] is False


def test_github_actions_pinned_and_credentials_only_through_oidc(projects):
    project = projects["github"]
    for workflow in (project / ".github" / "workflows").glob("*.yml"):
        doc = load(workflow)
        assert doc["permissions"] == {}, workflow.name
        text = workflow.read_text()
        for line in text.splitlines():
            if "uses:" in line and "uses: ./" not in line:  # a workflow of this repository needs no pin
                assert SHA_PINNED.search(line) and re.search(r"# v\d", line), f"{workflow.name}: {line.strip()}"
        for name, job in doc["jobs"].items():
            uses = [step.get("uses", "") for step in job.get("steps", [])]
            if any(u.startswith("aws-actions/configure-aws-credentials@") for u in uses):
                assert job["permissions"].get("id-token") == "write", name
                step = next(s for s in job["steps"] if s.get("uses", "").startswith("aws-actions/configure-aws"))
                assert "role-to-assume" in step["with"], name


def test_github_publishes_only_after_the_checks(projects):
    deploy = load(projects["github"] / ".github" / "workflows" / "deploy.yml")
    assert deploy["jobs"]["checks"]["uses"] == "./.github/workflows/ci.yml"
    assert "checks" in deploy["jobs"]["publish"]["needs"]
    ci = load(projects["github"] / ".github" / "workflows" / "ci.yml")
    assert "workflow_call" in ci[True]  # `on:` parses as the YAML boolean


# ------------------------------------------------------------------------------------------ GitLab
def test_gitlab_stages_approval_and_oidc(projects):
    pipeline = load(projects["gitlab"] / ".gitlab-ci.yml")
    deploys = [f"deploy-{env}" for env in ENVIRONMENTS]
    assert pipeline["stages"] == ["validate", "test", "build", "plan", "publish", *deploys]
    jobs = {name: job for name, job in pipeline.items() if isinstance(job, dict) and "stage" in job}
    scripts = {name: " ".join(job.get("script", [])) for name, job in jobs.items()}
    assert "make validate" in scripts["validate"] and "make test" in scripts["test"]
    assert "ci/image.sh check" in scripts["build-image"] and "ci/image.sh publish" in scripts["publish"]
    assert jobs["plan"]["rules"][1]["if"] == '$CI_PIPELINE_SOURCE == "merge_request_event"'
    default_branch = "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"
    for i, env in enumerate(ENVIRONMENTS):
        job = jobs[f"deploy-{env}"]
        assert job["stage"] == f"deploy-{env}" and job["resource_group"] == f"deploy-{env}"
        assert job["environment"]["name"] == env
        assert [rule["if"] for rule in job["rules"][1:]] == [default_branch], "deploys run on main only"
        needs = {need["job"] for need in job["needs"]}
        assert needs == {"publish", *([f"deploy-{ENVIRONMENTS[i - 1]}"] if i else [])}
        gated = job["rules"][-1].get("when") == "manual" and job.get("allow_failure") is False
        assert gated == (env == "prod"), f"only production waits for a person: {env}"
    assert jobs["deploy-prod"]["environment"]["deployment_tier"] == "production"
    assert [rule["if"] for rule in jobs["publish"]["rules"][1:]] == [default_branch]
    # every job that assumes a role asks for a token whose audience is exactly that role
    roles = {}
    for name, job in jobs.items():
        arn = job.get("variables", {}).get("AWS_ROLE_ARN")
        tokens = job.get("id_tokens", {})
        if arn:
            assert tokens["AWS_ID_TOKEN"]["aud"] == arn, name
            roles[name] = arn
        else:
            assert "AWS_ID_TOKEN" not in tokens, name
    assert roles == {
        "plan": role_arn("plan"),
        "publish": role_arn("publish"),
        **{f"deploy-{env}": role_arn(f"{env}-deploy") for env in ENVIRONMENTS},
    }
    images = [pipeline["default"]["image"], pipeline[".docker"]["image"], pipeline[".docker"]["services"][0]["name"]]
    assert all(PINNED_IMAGE.fullmatch(image) for image in images), images


TEMPLATE_UPDATE = '$CI_PIPELINE_SOURCE == "schedule" && $TEMPLATE_UPDATE == "true"'


def test_gitlab_template_update_runs_alone_in_its_schedule(projects):
    pipeline = load(projects["gitlab"] / ".gitlab-ci.yml")
    assert pipeline["workflow"]["rules"][0] == {"if": TEMPLATE_UPDATE}
    jobs = {name: job for name, job in pipeline.items() if isinstance(job, dict) and "stage" in job}
    updates = {"template-update", "template-update-request"}
    for name, job in jobs.items():
        if name in updates:
            assert job["rules"] == [{"if": TEMPLATE_UPDATE}], name
        else:  # every other job is excluded from that pipeline by its first rule
            assert job["rules"][0] == {"if": TEMPLATE_UPDATE, "when": "never"}, name
    assert "ci/template-update.sh update" in " ".join(jobs["template-update"]["script"])
    request = jobs["template-update-request"]
    assert request["needs"] == ["template-update"] and "propose .template-update gitlab" in " ".join(request["script"])
    # the token is scoped to this job's environment: the job running the template's code has none
    assert request["environment"]["name"] == "template-update" and "environment" not in jobs["template-update"]
    script = projects["gitlab"] / "ci" / "template-update.sh"
    assert "sh ci/no-conflicts.sh" in script.read_text()
    assert "copier==" in (projects["gitlab"] / "ci" / "requirements-copier.txt").read_text()


# ------------------------------------------------------------------------------------------ CircleCI
def test_circleci_stages_approval_and_oidc(projects):
    config = load(projects["circleci"] / ".circleci" / "config.yml")
    workflow = config["workflows"]["delivery"]["jobs"]
    entries = {}
    for entry in workflow:
        (job, params) = next(iter(entry.items())) if isinstance(entry, dict) else (entry, {})
        params = params or {}
        entries[params.get("name", job)] = {"job": job, **params}
    graph = {name: entry.get("requires", []) for name, entry in entries.items()}
    assert {"validate", "test", "build-image"} <= predecessors(graph, "publish")
    assert entries["publish"]["filters"]["branches"]["only"] == "main"
    assert entries["plan-<< matrix.environment >>"]["matrix"]["parameters"]["environment"] == ENVIRONMENTS
    for i, env in enumerate(ENVIRONMENTS):
        entry = entries[f"deploy-{env}"]
        assert {"publish", *(f"deploy-{e}" for e in ENVIRONMENTS[:i])} <= predecessors(graph, f"deploy-{env}")
        assert entry["filters"]["branches"]["only"] == "main"
        assert entry["context"] == f"payments-api-{env}"
        assert entry["serial-group"].endswith(f"/deploy-{env}")
        assert entry["role"] == role_arn(f"{env}-deploy")
    approval = entries["approve-prod"]
    assert approval["type"] == "approval" and entries["deploy-prod"]["requires"] == ["approve-prod"]
    assert approval["requires"] == ["deploy-staging"]
    assert not any(entries[f"deploy-{env}"]["requires"][0].startswith("approve") for env in ENVIRONMENTS[:-1])
    # a job that names a role runs in a context (CircleCI issues its OIDC token there)
    for name, job in config["jobs"].items():
        if "AWS_ROLE_ARN" in job.get("environment", {}):
            users = [entry for entry in entries.values() if entry["job"] == name]
            assert users and all(entry.get("context") for entry in users), name
    assert config["jobs"]["plan"]["environment"]["AWS_ROLE_ARN"] == role_arn("plan")
    assert config["jobs"]["publish"]["environment"]["AWS_ROLE_ARN"] == role_arn("publish")
    images = [docker["image"] for executor in config["executors"].values() for docker in executor["docker"]]
    assert all(PINNED_IMAGE.fullmatch(image) for image in images), images
    assert all("@" in orb for orb in config.get("orbs", {}).values())


def test_circleci_template_update_runs_alone_when_asked(projects):
    config = load(projects["circleci"] / ".circleci" / "config.yml")
    assert config["parameters"]["run-template-update"] == {"type": "boolean", "default": False}
    workflows = config["workflows"]
    flag = "<< pipeline.parameters.run-template-update >>"
    assert workflows["template-update"]["when"] == flag
    for name, workflow in workflows.items():
        if name != "template-update":  # every other workflow is skipped in that pipeline
            assert workflow["when"] == {"not": flag}, name
    entries = [next(iter(e.items())) if isinstance(e, dict) else (e, {}) for e in workflows["template-update"]["jobs"]]
    entries = {job: params or {} for job, params in entries}
    assert set(entries) == {"template-update", "template-update-request"}
    assert "context" not in entries["template-update"], "the template's code runs without the token"
    assert entries["template-update-request"]["context"] == "template-update"
    assert entries["template-update-request"]["requires"] == ["template-update"]
    commands = {
        job: " ".join(step["run"]["command"] for step in config["jobs"][job]["steps"] if "run" in step)
        for job in entries
    }
    assert "ci/template-update.sh update" in commands["template-update"]
    assert "ci/template-update.sh propose /tmp/template-update github" in commands["template-update-request"]


# ------------------------------------------------------------------------------------------ trust
def bootstrap(project: Path) -> dict:
    """The bootstrap root module's blocks, merged over its files."""
    merged: dict = {}
    for path in sorted((project / "terraform" / "bootstrap").glob("*.tf")):
        for kind, blocks in load_hcl(path).items():
            merged.setdefault(kind, []).extend(blocks)
    return merged


ISSUERS = {
    "github": ("https://token.actions.githubusercontent.com", "token.actions.githubusercontent.com"),
    "gitlab": ("https://${var.gitlab_host}", "var.gitlab_host"),
    "circleci": ("https://${local.ci_issuer}", "oidc.circleci.com/org/${var.circleci_org_id}"),
}


WILDCARDS = {  # the only wildcards in each platform's trust: what its subject format needs
    "github": [],
    "gitlab": ['"plan" ? "*"'],  # the read-only plan role: any branch of the project
    "circleci": ["*/vcs-ref/*/vcs-ref/*", "vcs-origin/*", "${local.project}*"],  # user IDs, plan role
}


@pytest.mark.parametrize("ci", ["github", "gitlab", "circleci"])
def test_bootstrap_trusts_only_the_chosen_platform(projects, ci):
    tf = bootstrap(projects[ci])
    providers = [r["aws_iam_openid_connect_provider"] for r in tf["resource"] if "aws_iam_openid_connect_provider" in r]
    assert len(providers) == 1 and list(providers[0]) == ["ci"], "one OIDC provider, the chosen platform's"
    url, issuer = ISSUERS[ci]
    assert providers[0]["ci"]["url"] == url
    locals_ = {k: v for block in tf["locals"] for k, v in block.items()}
    assert issuer in locals_["ci_issuer"]
    trust = str(locals_["ci_trust"])
    for allowed in WILDCARDS[ci]:
        trust_without = trust.replace(allowed, "")
        assert trust_without != trust, allowed
        trust = trust_without
    assert "*" not in trust, "wildcards only where the platform's subject needs them"
    trust = str(locals_["ci_trust"])
    variables = {name: spec for block in tf["variable"] for name, spec in block.items()}
    if ci == "circleci":
        assert variables["circleci_org_id"]["default"] == answers()["circleci_org_id"]
        assert variables["circleci_project_id"]["default"] == answers()["circleci_project_id"]
        assert "${local.project}*/vcs-origin/*/vcs-ref/refs/heads/main" in trust
    else:
        assert variables["repository"]["default"] == {**answers(), **OVERRIDES.get(ci, {})}["repository"]
    if ci == "gitlab":
        assert variables["gitlab_host"]["default"] == "gitlab.com"
        assert "project_path:${var.repository}:ref_type:branch:ref:" in trust
        assert "${local.iam_arn}:role/${name}" in trust  # one audience per role
    if ci == "github":
        assert "repo:${var.repository}:environment:" in trust
