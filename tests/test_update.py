"""`copier update` with real Copier and real git: an owner's edits survive, migrations carry renamed and
dropped answers, Terraform moves ship `moved` blocks, and updated repositories pass every validator.

The fixtures build a template repository with three tagged releases:
  v0.1.0  this working tree
  v0.2.0  realistic changes (release_0_2_0): a changed workflow, a changed file the owner deleted,
          changed owner-owned files, a new question with a default and a new file using it, a removed
          file, the answer `alert_email` renamed `alerts_email` with its migration, and a Terraform
          module renamed with a `moved` block
  v0.3.0  Kubernetes 1.33 leaves the choices (1.35 becomes the default), with a migration to 1.34
Repositories are generated at v0.1.0 and updated straight to v0.3.0 (skipping v0.2.0) unless a test
says otherwise.
"""

from __future__ import annotations

import filecmp
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from fnmatch import fnmatch
from functools import cache
from pathlib import Path

import pytest
import yaml
from combinations import choices
from copier import run_copy, run_update
from harness import validate
from helpers import GIT, ROOT, answers, load_hcl, render, snapshot
from packaging.version import InvalidVersion, Version

from extensions import migrations
from extensions.validation import network_cidr_error

pytestmark = pytest.mark.xdist_group("update")

CI_WORKFLOW = ".github/workflows/ci.yml"
UPDATE_WORKFLOW = ".github/workflows/template-update.yml"
CONFLICT_MARKER = re.compile(rb"^(<{7}|>{7})( |$)", re.M)
SKIP_IF_EXISTS = yaml.safe_load((ROOT / "copier.yml").read_text())["_skip_if_exists"]

# The default combination and two others that change the shape of the output.
COMBINATIONS = {
    "default": {},
    "one-environment": {
        "environments": ["prod"],
        "network_cidr": "10.8.0.0/16",
        "region": "eu-west-1",
        "kubernetes_version": "1.33",
    },
    "four-environments": {
        "environments": ["dev", "test", "staging", "prod"],
        "network_cidr": "172.16.0.0/12",
        "region": "us-west-2",
        "monthly_budget_usd": 2500,
    },
}


def answer_change(name: str) -> dict:
    """The answers an owner changes on a later update: add or drop an environment, or go canary."""
    if name == "one-environment" and "canary" in choices()["deploy_strategy"]:
        return {"deploy_strategy": "canary"}
    environments = {
        "default": ["dev", "staging", "qa", "prod"],
        "one-environment": ["staging", "prod"],
        "four-environments": ["dev", "staging", "prod"],
    }[name]
    assert not network_cidr_error(COMBINATIONS[name].get("network_cidr", "10.40.0.0/14"))
    return {"environments": environments}


# ---------------------------------------------------------------------------------------------- git
def git(cwd: Path, *args: str, check: bool = True) -> str:
    result = subprocess.run([*GIT, *args], cwd=cwd, capture_output=True, text=True, check=False)
    if check and result.returncode:
        raise AssertionError(f"git {' '.join(args)} failed in {cwd}:\n{result.stdout}{result.stderr}")
    return result.stdout


def commit(cwd: Path, message: str) -> None:
    git(cwd, "add", "-A")
    git(cwd, "commit", "-q", "--allow-empty", "-m", message)


def status(cwd: Path) -> str:
    return git(cwd, "status", "--porcelain", "--untracked-files=all")


# ------------------------------------------------------------------------------------ the releases
def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path}: {old!r} not found; the update tests' release changes need adjusting"
    path.write_text(text.replace(old, new))


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def add_migration(tree: Path, code: str) -> None:
    edit(tree / "extensions/migrations.py", '\nif __name__ == "__main__":', f'{code}\n\nif __name__ == "__main__":')


TEMPLATE_DIRS = {
    "ci": "template/{% if ci == 'github' %}.github{% endif %}/workflows",
    "env": "template/terraform/{% if cloud == 'aws' %}environments{% endif %}/{% yield env from environments %}"
    "{{ env }}{% endyield %}",
    "values": "template/{% if orchestrator == 'kubernetes' %}deploy{% endif %}/"
    "values-{% yield env from environments %}{{ env }}{% endyield %}.yaml.jinja",
}


def release_0_2_0(tree: Path) -> None:
    edit(tree / TEMPLATE_DIRS["ci"] / "ci.yml.jinja", 'PYTHON_VERSION: "3.12"', 'PYTHON_VERSION: "3.13"')
    append(tree / "template/docs/disaster-recovery.md.jinja", "\nRestore drills run every quarter.\n")
    # owner-owned files change in the template; owners' copies must not
    append(tree / "template/CHANGELOG.md.jinja", "\n- Template 0.2.0.\n")
    append(tree / TEMPLATE_DIRS["env"] / "terraform.tfvars.jinja", "\n# Tags: see main.tf.\n")
    append(tree / TEMPLATE_DIRS["values"], "\n# Chart defaults: deploy/chart/values.yaml\n")
    (tree / "template/.editorconfig").unlink()
    # a renamed answer, and its migration
    sources = [
        tree / "copier.yml",
        *(path for d in ("template", "includes", "extensions") for path in (tree / d).rglob("*")),
    ]
    for path in sources:
        if path.is_file() and path.name != "migrations.py" and "alert_email" in path.read_text():
            path.write_text(re.sub(r"\balert_email\b", "alerts_email", path.read_text()))
    add_migration(
        tree,
        '@migration("0.2.0")\ndef v0_2_0(repo: Repo) -> None:\n'
        '    """`alert_email` became `alerts_email`: keep the address the owner gave."""\n'
        '    repo.rename_answer("alert_email", "alerts_email")\n',
    )
    # a new question with a default, and a new file that uses it
    append(
        tree / "copier.yml",
        "\nsecurity_contact:\n  type: str\n  help: Address that receives vulnerability reports\n"
        '  default: "{{ alerts_email }}"\n',
    )
    security = "# Security\n\nReport vulnerabilities to {{ security_contact }}.\n"
    (tree / "template/SECURITY.md.jinja").write_text(security)
    # a Terraform module renamed, with the moved block that keeps its state
    edit(
        tree / TEMPLATE_DIRS["env"] / "main.tf.jinja",
        'module "budget" {',
        'moved {\n  from = module.budget\n  to   = module.cost_budget\n}\n\nmodule "cost_budget" {',
    )


def release_0_3_0(tree: Path) -> None:
    choices = '    - "{}"\n    - "{}"\n  default: "{}"'
    edit(tree / "copier.yml", choices.format("1.33", "1.34", "1.34"), choices.format("1.34", "1.35", "1.35"))
    add_migration(
        tree,
        '@migration("0.3.0")\ndef v0_3_0(repo: Repo) -> None:\n'
        '    """Kubernetes 1.33 left the choices. EKS upgrades one minor version at a time, so 1.33 becomes\n'
        '    1.34, not the new default."""\n'
        '    repo.map_choice("kubernetes_version", {"1.33": "1.34"})\n',
    )


def release(tree: Path, tag: str, change) -> None:
    change(tree)
    commit(tree, f"release {tag}")
    git(tree, "tag", tag)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    tree = snapshot(tmp_path_factory.mktemp("update") / "template", tag="v0.1.0")
    release(tree, "v0.2.0", release_0_2_0)
    release(tree, "v0.3.0", release_0_3_0)
    return tree


# ------------------------------------------------------------------------------- generate, update
def generate(template: Path, destination: Path, version: str = "v0.1.0", data: dict | None = None) -> Path:
    """A repository generated at `version` and committed, as its owner would start it."""
    run_copy(str(template), str(destination), data=data or answers(), defaults=True, unsafe=True, quiet=True,
             vcs_ref=version)  # fmt: skip
    git(destination, "init", "-q", "-b", "main")
    commit(destination, f"generated from the template {version}")
    return destination


def update(project: Path, **options) -> Path:
    run_update(str(project), defaults=True, overwrite=True, unsafe=True, quiet=True, **options)
    return project


def recorded(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def given(project: Path) -> dict:
    """The recorded answers, as data for another copy."""
    return {key: value for key, value in recorded(project).items() if not key.startswith("_")}


def files_of(project: Path) -> set[str]:
    return {
        str(path.relative_to(project))
        for path in project.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(project).parts
    }


def owner_owned(path: str) -> bool:
    return any(fnmatch(path, pattern) for pattern in SKIP_IF_EXISTS)


def differing(left: Path, right: Path, paths) -> list[str]:
    _, mismatch, errors = filecmp.cmpfiles(left, right, sorted(paths), shallow=False)
    return sorted(mismatch + errors)


# ------------------------------------------------------------------------------------ owner edits
def production(project: Path) -> str:
    return recorded(project)["environments"][-1]


NEW_STEP = "      - name: List the make targets\n        run: make help\n"
ADMIN_ROLE = 'cluster_admin_role_arns = ["arn:aws:iam::210987654321:role/platform-admins"]'


def edit_as_owner(project: Path) -> dict[str, str]:
    """Non-conflicting edits of an owner; returns {path: text the path must still contain}."""
    prod = production(project)
    tfvars = f"terraform/environments/{prod}/terraform.tfvars"
    edit(project / tfvars, "cluster_admin_role_arns = []", ADMIN_ROLE)
    values = f"deploy/values-{prod}.yaml"
    append(project / values, "logLevel: warning\n")
    edit(project / CI_WORKFLOW, "        run: make test\n", "        run: make test\n\n" + NEW_STEP)
    append(project / "CHANGELOG.md", "\n- Admins of production listed in terraform.tfvars.\n")
    (project / "docs/disaster-recovery.md").unlink()
    commit(project, "owner edits")
    return {tfvars: ADMIN_ROLE, values: "logLevel: warning\n", CI_WORKFLOW: NEW_STEP, "CHANGELOG.md": "Admins of"}


# ------------------------------------------------------------------ the repositories, built in two processes
@dataclass
class Journey:
    """One owner's repository from generation to an answer change, with what each step left behind."""

    name: str
    generated: Path  # the v0.1.0 repository as generated
    edited: Path  # after the owner's edits
    updated: Path  # right after `copier update` to v0.3.0 (committed)
    reference: Path  # a fresh v0.3.0 copy with the same answers
    kept: dict[str, str]  # the owner's edits: path -> text it must keep
    second_update: tuple[str, str, str]  # after updating again: git status, tree before, tree after
    changed: Path  # after `copier update --data <answer change>` (committed)
    changed_reference: Path  # a fresh v0.3.0 copy with the changed answers


def keep(project: Path, destination: Path) -> Path:
    shutil.copytree(project, destination, ignore=shutil.ignore_patterns(".git"))
    return destination


def travel(name: str, template: Path, work: Path) -> Journey:
    project = generate(template, work / name, data=answers(**COMBINATIONS[name]))
    generated = keep(project, work / "generated")
    kept = edit_as_owner(project)
    edited = keep(project, work / "edited")
    update(project)
    commit(project, "template update to v0.3.0")
    updated = keep(project, work / "updated")
    tree_before = git(project, "rev-parse", "HEAD^{tree}").strip()
    update(project)  # the same version again: nothing to do
    second_update = (status(project), tree_before, git(project, "write-tree").strip())
    change = answer_change(name)
    update(project, data=change)
    commit(project, f"answers changed: {change}")
    reference = generate(template, work / "reference", "v0.3.0", given(updated))
    changed_reference = generate(template, work / "changed-reference", "v0.3.0", {**given(updated), **change})
    return Journey(
        name, generated, edited, updated, reference, kept, second_update, project, changed_reference
    )  # fmt: skip


PYTHON_LINE = 'PYTHON_VERSION: "3.12"'


def conflicting(name: str, template: Path, work: Path, conflict: str = "inline") -> tuple[Path, str]:
    """A repository whose owner changed the line v0.2.0 changes, then updated; and its HEAD."""
    project = generate(template, work / name, data=answers(**COMBINATIONS[name]))
    edit(project / CI_WORKFLOW, PYTHON_LINE, 'PYTHON_VERSION: "3.11"')
    commit(project, "owner pins Python 3.11")
    head = git(project, "rev-parse", "HEAD").strip()
    return update(project, conflict=conflict), head


def stepwise(template: Path, work: Path) -> Path:
    """The default repository with the owner's edits, updated v0.1.0 -> v0.2.0 -> v0.3.0."""
    project = generate(template, work / "stepwise")
    edit_as_owner(project)
    update(project, vcs_ref="v0.2.0")
    assert recorded(project)["_commit"] == "v0.2.0" and "alerts_email" in recorded(project)
    commit(project, "template update to v0.2.0")
    return update(project)


def skipping_answered(template: Path, work: Path) -> Path:
    project = generate(template, work / "skip-answered", data=answers(kubernetes_version="1.33"))
    return update(project, skip_answered=True)


FAKE_GH = """#!/usr/bin/env bash
# stands in for the GitHub CLI: records its arguments, keeps the body of the pull request
echo "$*" >> "$GH_LOG"
if [ "$1 $2" = "pr create" ]; then cat "${@: -1}" > "$GH_LOG.body"; fi
"""


def workflow_run(template: Path, work: Path) -> dict:
    """The template-update workflow's scripts, run locally: its `copier update` step in a repository
    whose owner made a conflicting edit, then its `propose` job in a fresh clone, with a fake `gh`."""
    project = generate(template, work / "workflow", data=answers())
    edit(project / CI_WORKFLOW, PYTHON_LINE, 'PYTHON_VERSION: "3.11"')
    commit(project, "owner pins Python 3.11")
    jobs = yaml.safe_load((project / UPDATE_WORKFLOW).read_text())["jobs"]
    script = {step["name"]: step.get("run") for job in jobs.values() for step in job["steps"]}
    (work / "bin").mkdir()
    (work / "bin/gh").write_text(FAKE_GH)
    (work / "bin/gh").chmod(0o755)
    runner_temp = work / "runner-temp"
    runner_temp.mkdir()
    env = {
        **os.environ,
        "PATH": f"{work / 'bin'}:{Path(sys.executable).parent}:{os.environ['PATH']}",
        "RUNNER_TEMP": str(runner_temp),
        "BRANCH": "template-update",
        "VERSION": "0.3.0",
        "CHANGES": str(runner_temp / "update"),
        "GH_TOKEN": "not-a-token",
        "GH_LOG": str(work / "gh.log"),
    }
    bash = ["bash", "-e", "-c"]
    subprocess.run([*bash, script["copier update"]], cwd=project, env=env, check=True, capture_output=True)
    clone = work / "clone"
    git(work, "clone", "-q", str(project), str(clone))
    propose = subprocess.run(
        [*bash, script["Commit them and open the pull request"]],
        cwd=clone, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return {
        "project": project,
        "clone": clone,
        "changes": runner_temp / "update",
        "propose": (propose.returncode, propose.stdout + propose.stderr),
        "gh": (work / "gh.log").read_text(),
        "body": (work / "gh.log.body").read_text(),
    }


@pytest.fixture(scope="module")
def built(template, tmp_path_factory) -> dict:
    """Every repository the update tests inspect, built in two worker processes (Copier is CPU-bound)."""
    work = tmp_path_factory.mktemp("repositories")
    jobs = {
        **{("journey", name): (travel, name, template, work / f"journey-{name}") for name in COMBINATIONS},
        **{("conflict", name): (conflicting, name, template, work / f"conflict-{name}") for name in COMBINATIONS},
        ("rej", "default"): (conflicting, "default", template, work / "rej", "rej"),
        ("stepwise", "default"): (stepwise, template, work),
        ("skip-answered", "default"): (skipping_answered, template, work),
        ("workflow", "default"): (workflow_run, template, work / "workflow-run"),
    }
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {key: pool.submit(*job) for key, job in jobs.items()}
        return {key: future.result() for key, future in futures.items()}


@pytest.fixture(scope="module")
def journeys(built) -> dict[str, Journey]:
    """Per combination: generated at v0.1.0, edited by its owner, updated to v0.3.0, then an answer changed."""
    return {name: built["journey", name] for name in COMBINATIONS}


@pytest.fixture(params=list(COMBINATIONS))
def journey(request, journeys) -> Journey:
    return journeys[request.param]


# ------------------------------------------------------------------------------ owner's edits survive
@pytest.mark.slow
def test_owner_edits_survive_the_update(journey):
    for path, text in journey.kept.items():
        assert text in (journey.updated / path).read_text(), f"{journey.name}: the owner's edit of {path} was lost"
        assert text in (journey.changed / path).read_text(), f"{journey.name}: {path} lost its edit on answer change"
    # the template's change to the same workflow is merged in beside the owner's new step
    assert 'PYTHON_VERSION: "3.13"' in (journey.updated / CI_WORKFLOW).read_text()


@pytest.mark.slow
def test_update_brings_the_new_version(journey):
    """Apart from the owner's edits, the updated repository is what v0.3.0 renders."""
    owner_touched = set(journey.kept) | {"docs/disaster-recovery.md"}
    template_files = {path for path in files_of(journey.reference) if not owner_owned(path)} - owner_touched
    assert template_files <= files_of(journey.updated)
    assert differing(journey.updated, journey.reference, template_files) == []
    assert "SECURITY.md" in files_of(journey.updated)  # new in v0.2.0
    assert ".editorconfig" not in files_of(journey.updated)  # removed in v0.2.0
    extra = files_of(journey.updated) - files_of(journey.reference)
    assert extra == set(), f"{journey.name}: files the new version does not render: {extra}"


@pytest.mark.slow
def test_deleted_file_stays_deleted_and_owner_files_are_never_overwritten(journey):
    assert (journey.generated / "docs/disaster-recovery.md").is_file()
    assert not (journey.updated / "docs/disaster-recovery.md").exists()
    assert not (journey.changed / "docs/disaster-recovery.md").exists()
    owned = {path for path in files_of(journey.edited) if owner_owned(path)}
    assert {"CHANGELOG.md", f"deploy/values-{production(journey.generated)}.yaml"} <= owned
    # v0.2.0 changed every kind of owner-owned file, yet the owner's copies stay byte for byte
    assert differing(journey.updated, journey.reference, owned)
    assert differing(journey.edited, journey.updated, owned) == []
    assert differing(journey.generated, journey.updated, owned - set(journey.kept)) == []


@pytest.mark.slow
def test_migrations_carry_the_answers(journey):
    before, after = recorded(journey.generated), recorded(journey.updated)
    assert after["_commit"] == "v0.3.0"
    assert "alert_email" not in after
    assert after["alerts_email"] == before["alert_email"] == answers()["alert_email"]
    assert after["security_contact"] == before["alert_email"]  # the new question's default
    # 1.33 left the choices: one minor version up, not the new default 1.35
    expected = {"1.33": "1.34"}.get(before["kubernetes_version"], before["kubernetes_version"])
    assert after["kubernetes_version"] == expected
    assert f"Report vulnerabilities to {before['alert_email']}." in (journey.updated / "SECURITY.md").read_text()


@pytest.mark.slow
def test_updating_again_changes_nothing(journey):
    git_status, tree_before, tree_after = journey.second_update
    assert git_status == ""
    assert tree_before == tree_after


@pytest.mark.slow
def test_answer_change_removes_old_files_and_adds_new_ones(journey):
    change = answer_change(journey.name)
    assert {key: recorded(journey.changed)[key] for key in change} == change
    expected = files_of(journey.changed_reference) - {"docs/disaster-recovery.md"}
    old_only = files_of(journey.updated) - expected
    new_only = expected - files_of(journey.updated)
    assert old_only or new_only, f"{journey.name}: the answer change {change} changed no file"
    assert files_of(journey.changed) == expected
    template_files = {path for path in expected if not owner_owned(path)} - set(journey.kept)
    assert differing(journey.changed, journey.changed_reference, template_files) == []
    if "environments" in change:
        old, new = set(recorded(journey.updated)["environments"]), set(change["environments"])
        for env in old - new:
            assert not (journey.changed / "terraform/environments" / env).exists()
            assert not (journey.changed / f"deploy/values-{env}.yaml").exists()
        for env in new - old:
            assert (journey.changed / "terraform/environments" / env / "terraform.tfvars").is_file()
            assert (journey.changed / f"deploy/values-{env}.yaml").is_file()
        # the environments that stay keep the owner's files as they were
        for env in old & new:
            path = f"terraform/environments/{env}/terraform.tfvars"
            assert (journey.changed / path).read_bytes() == (journey.updated / path).read_bytes()


@pytest.mark.slow
def test_stepwise_update_equals_skipping_versions(built, journeys):
    """v0.1.0 -> v0.2.0 -> v0.3.0 gives what v0.1.0 -> v0.3.0 gives."""
    project, direct = built["stepwise", "default"], journeys["default"].updated
    assert files_of(project) == files_of(direct)
    assert differing(project, direct, files_of(project)) == []


@pytest.mark.slow
def test_skip_answered_still_carries_migrated_answers(built):
    after = recorded(built["skip-answered", "default"])
    assert "alert_email" not in after
    assert after["alerts_email"] == answers()["alert_email"] == after["security_contact"]
    assert after["kubernetes_version"] == "1.34"


# --------------------------------------------------------------------------------------- conflicts
def conflict_check_script(project: Path) -> str:
    """The `run` script of the generated CI's step that refuses unresolved template-update conflicts."""
    workflow = yaml.safe_load(git(project, "show", f"HEAD:{CI_WORKFLOW}"))
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    (script,) = [step["run"] for step in steps if "conflict" in step.get("name", "").lower()]
    return script


def run_ci_check(project: Path, script: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-e", "-c", script], cwd=project, capture_output=True, text=True, check=False)


@pytest.fixture(params=list(COMBINATIONS))
def conflicted(request, built, journeys) -> tuple[Path, str, Journey]:
    return (*built["conflict", request.param], journeys[request.param])


@pytest.mark.slow
def test_conflicting_edit_ends_as_markers_in_that_file_only(conflicted):
    project, head, journey = conflicted
    text = (project / CI_WORKFLOW).read_bytes()
    assert b"<<<<<<< before updating" in text and b">>>>>>> after updating" in text
    assert b'PYTHON_VERSION: "3.11"' in text and b'PYTHON_VERSION: "3.13"' in text
    with_markers = {path for path in files_of(project) if CONFLICT_MARKER.search((project / path).read_bytes())}
    assert with_markers == {CI_WORKFLOW}
    assert not [path for path in files_of(project) if path.endswith(".rej")]
    # Copier records the three versions in the index, so git sees the file as unmerged
    unmerged = git(project, "ls-files", "--unmerged").splitlines()
    assert {line.split("\t")[1] for line in unmerged} == {CI_WORKFLOW}
    assert {line.split()[2] for line in unmerged} == {"1", "2", "3"}
    assert git(project, "diff", "--name-only", "--diff-filter=U").split() == [CI_WORKFLOW]
    assert git(project, "rev-parse", "HEAD").strip() == head  # nothing committed behind the owner's back
    # nothing else is touched: the other files are what v0.3.0 renders, the owner's files are as they were
    assert files_of(project) == files_of(journey.reference)
    template_files = {path for path in files_of(journey.reference) if not owner_owned(path)} - {CI_WORKFLOW}
    assert differing(project, journey.reference, template_files) == []
    owned = sorted(path for path in files_of(project) if owner_owned(path))
    assert git(project, "status", "--porcelain", "--", *owned) == ""


@pytest.mark.slow
def test_ci_and_pre_commit_refuse_markers_and_rej_files(built):
    inline, _ = built["conflict", "default"]
    script = conflict_check_script(inline)
    refused = run_ci_check(inline, script)
    assert refused.returncode != 0
    assert CI_WORKFLOW in refused.stdout
    # `--conflict rej`: the rejected hunk in a .rej file beside the file
    rej, _ = built["rej", "default"]
    rejected = sorted(path for path in files_of(rej) if path.endswith(".rej"))
    assert rejected == [CI_WORKFLOW + ".rej"]
    refused = run_ci_check(rej, script)
    assert refused.returncode != 0
    assert rejected[0] in refused.stdout
    clean = built["journey", "default"].changed
    passed = run_ci_check(clean, script)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    # the pre-commit hooks: markers with --assume-in-merge (Copier's update is no git merge), .rej by name
    hooks = {
        hook["id"]: hook
        for repo in yaml.safe_load((inline / ".pre-commit-config.yaml").read_text())["repos"]
        for hook in repo["hooks"]
    }
    assert "--assume-in-merge" in hooks["check-merge-conflict"]["entry"]
    assert hooks["no-rej-files"]["language"] == "fail"
    assert re.search(hooks["no-rej-files"]["files"], rejected[0])


# --------------------------------------------------------------------------- the template-update workflow
@pytest.mark.slow
def test_workflow_proposes_the_update_and_fails_on_conflicts(built):
    run = built["workflow", "default"]
    assert (run["changes"] / "conflicts.txt").read_text().split() == [CI_WORKFLOW]
    # the propose job, which runs no template code, rebuilds exactly what `copier update` wrote
    assert files_of(run["clone"]) == files_of(run["project"])
    assert differing(run["clone"], run["project"], files_of(run["project"])) == []
    returncode, output = run["propose"]
    assert returncode != 0 and "::error::" in output
    assert "pr create --head template-update" in run["gh"]
    assert f"- {CI_WORKFLOW}" in run["body"] and "0.3.0" in run["body"]
    pushed = git(run["project"], "show", f"template-update:{CI_WORKFLOW}")
    assert "<<<<<<< before updating" in pushed
    assert git(run["project"], "log", "-1", "--format=%s", "template-update").strip() == (
        "Update from the project template to 0.3.0"
    )


# ---------------------------------------------------------------------------------- a failing migration
@pytest.mark.slow
def test_failing_migration_stops_the_update_with_its_reason(template, tmp_path):
    failing = tmp_path / "template"
    git(tmp_path, "clone", "-q", str(template), str(failing))
    release(
        failing,
        "v0.4.0",
        lambda tree: add_migration(
            tree,
            '@migration("0.4.0")\ndef v0_4_0(repo: Repo) -> None:\n'
            '    """The changelog moved under docs/."""\n'
            '    repo.move("CHANGELOG.md", "docs/CHANGELOG.md")\n',
        ),
    )
    project = generate(failing, tmp_path / "project", "v0.3.0", given(generate(failing, tmp_path / "answers")))
    (project / "docs/CHANGELOG.md").write_text("the owner's own notes\n")
    commit(project, "owner notes")
    result = subprocess.run(
        [sys.executable, "-m", "copier", "update", "--trust", "--defaults", "--quiet"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    expected = "migration to 0.4.0 (v0_4_0) failed: cannot move CHANGELOG.md to docs/CHANGELOG.md"
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert status(project) == ""
    assert recorded(project)["_commit"] == "v0.3.0"


# --------------------------------------------------------------------------------- validators
@pytest.mark.slow
def test_updated_repositories_pass_every_validator(journeys):
    """One harness run over every combination's final repository: updated to v0.3.0 with the owner's
    edits, then an answer changed. (Right after the update each equals a fresh v0.3.0 render plus the
    owner's edits, which test_update_brings_the_new_version asserts and these repositories still carry.)"""
    validate(*(journey.changed for journey in journeys.values())).assert_ok()


# --------------------------------------------------------------------------------- Terraform moves
def unwrap(reference: str) -> str:
    """`${module.budget["x"]}` -> `module.budget`: the address without interpolation or instance keys."""
    return re.sub(r"\[[^\]]*\]", "", reference.removeprefix("${").removesuffix("}"))


@cache
def module_documents(directory: Path) -> list[dict]:
    """The parsed .tf files of a directory (each rendered directory is parsed once)."""
    return [load_hcl(path) for path in sorted(directory.glob("*.tf"))]


def addresses(directory: Path, prefix: str = "") -> tuple[set[str], set[str]]:
    """Resource and module addresses of a module and the local modules it calls, and the `from` of
    its `moved` and `removed` blocks (a deliberate removal is declared too)."""
    found, declared = set(), set()
    for document in module_documents(directory):
        for block in document.get("resource", []):
            found |= {f"{prefix}{kind}.{name}" for kind, named in block.items() for name in named}
        for block in document.get("module", []):
            for name, spec in block.items():
                found.add(f"{prefix}module.{name}")
                if str(spec.get("source", "")).startswith("."):
                    inner = addresses((directory / spec["source"]).resolve(), f"{prefix}module.{name}.")
                    found |= inner[0]
                    declared |= inner[1]
        for kind in ("moved", "removed"):
            declared |= {prefix + unwrap(block["from"]) for block in document.get(kind, [])}
    return found, declared


def terraform_roots(project: Path) -> list[Path]:
    """Directories of .tf files that no module block of the repository calls."""
    directories = {path.parent for path in (project / "terraform").rglob("*.tf")}
    called = {
        (directory / spec["source"]).resolve()
        for directory in directories
        for document in module_documents(directory)
        for block in document.get("module", [])
        for spec in block.values()
        if str(spec.get("source", "")).startswith(".")
    }
    return sorted(directory for directory in directories if directory.resolve() not in called)


def unmoved(old: Path, new: Path) -> dict[str, list[str]]:
    """Per root module present in both renders: addresses that disappear without a moved/removed block."""
    result = {}
    for root in terraform_roots(old):
        relative = root.relative_to(old)
        if not (new / relative).is_dir():
            continue  # a whole root module that went away with its environment
        before, _ = addresses(root)
        after, declared = addresses(new / relative)
        missing = [
            address
            for address in sorted(before - after)
            if not any(address == moved or address.startswith(f"{moved}.") for moved in declared)
        ]
        if missing:
            result[str(relative)] = missing
    return result


@pytest.mark.slow
def test_moved_blocks_cover_every_address_that_disappears(journeys):
    for journey in journeys.values():
        assert unmoved(journey.generated, journey.reference) == {}, journey.name
        prod = journey.reference / "terraform/environments" / production(journey.reference)
        found, declared = addresses(prod)
        assert "module.budget" in declared and "module.cost_budget" in found and "module.budget" not in found


@pytest.mark.slow
def test_moved_block_check_fails_without_the_moved_block(journeys, tmp_path):
    journey = journeys["default"]
    new = keep(journey.reference, tmp_path / "without-moved")
    for path in (new / "terraform").rglob("*.tf"):
        path.write_text(re.sub(r"(?ms)^moved \{.*?^\}\n", "", path.read_text()))
    missing = unmoved(journey.generated, new)
    assert set(missing) == {f"terraform/environments/{env}" for env in ("dev", "staging", "prod")}
    for addresses_of_root in missing.values():
        assert "module.budget" in addresses_of_root
        assert "module.budget.aws_budgets_budget.this" in addresses_of_root


def newest_release(repository: Path) -> str:
    """The newest PEP 440 release tag of the template, or its last commit when it has none."""
    tags = []
    for tag in git(repository, "tag", "--list").split():
        try:
            tags.append((Version(tag.removeprefix("v")), tag))
        except InvalidVersion:
            continue
    return max(tags)[1] if tags else git(repository, "rev-parse", "HEAD").strip()


@pytest.mark.slow
def test_moved_blocks_since_the_newest_release(tmp_path):
    """This working tree against the newest release: every moved Terraform address has its moved block."""
    old = tmp_path / "release"
    run_copy(str(ROOT), str(old), data=answers(), defaults=True, unsafe=True, quiet=True, vcs_ref=newest_release(ROOT))
    new = render(tmp_path / "working-tree")
    assert unmoved(old, new) == {}


# ------------------------------------------------------------------------ extensions/migrations.py
@pytest.fixture
def registry(monkeypatch) -> list:
    monkeypatch.setattr(migrations, "REGISTRY", [])
    return migrations.REGISTRY


def answers_file(tmp_path: Path, **values) -> Path:
    path = tmp_path / ".copier-answers.yml"
    path.write_text(yaml.safe_dump({"_commit": "v1.0.0", "_src_path": "gh:acme/copier-infra", **values}))
    return path


def test_pending_runs_each_version_between_old_and_new_in_order(registry):
    def noop(repo):
        """Nothing to do."""

    for version in ("2.0.0", "1.1.0", "1.2.0rc1", "1.0.0", "1.2.0"):
        migrations.migration(version)(noop)
    selected = migrations.pending("before", Version("1.0.0"), Version("1.2.0"))
    assert [str(entry.version) for entry in selected] == ["1.1.0", "1.2.0rc1", "1.2.0"]
    assert migrations.pending("after", Version("1.0.0"), Version("9")) == []
    assert migrations.pending("before", Version("2.0.0"), Version("2.0.0")) == []


def test_migration_needs_a_docstring_and_a_stage(registry):
    with pytest.raises(ValueError, match="docstring"):
        migrations.migration("1.0.0")(lambda repo: None)
    with pytest.raises(ValueError, match="stage"):
        migrations.migration("1.0.0", stage="during")


def test_answer_helpers(registry, tmp_path):
    def v1_1_0(repo):
        """Renamed, remapped and dropped answers."""
        repo.rename_answer("alert_email", "alerts_email")
        repo.rename_answer("team_name", "team")  # `team` already answered: the old key goes
        repo.map_choice("kubernetes_version", {"1.33": "1.34"})
        repo.change_default("slo_latency_ms", 500, 300)
        repo.remove_answer("legacy")
        repo.rename_answer("missing", "anything")

    migrations.migration("1.1.0")(v1_1_0)
    path = answers_file(
        tmp_path, alert_email="a@example.com", team_name="x", team="payments", kubernetes_version="1.33",
        slo_latency_ms=500, legacy=True,
    )  # fmt: skip
    log = migrations.run("before", Version("1.0.0"), Version("1.1.0"), tmp_path, path.name)
    assert yaml.safe_load(path.read_text()) == {
        "_commit": "v1.0.0",
        "_src_path": "gh:acme/copier-infra",
        "team": "payments",
        "kubernetes_version": "1.34",
        "slo_latency_ms": 300,
        "alerts_email": "a@example.com",
    }
    assert all(line.startswith("1.1.0: ") for line in log) and len(log) == 5


def test_move_of_an_owner_file(registry, tmp_path):
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy/values-prod.yaml").write_text("replicas: 3\n")
    repo = migrations.Repo.load(tmp_path, answers_file(tmp_path).name)
    repo.move("deploy/values-prod.yaml", "deploy/values/prod.yaml")
    repo.move("deploy/values-none.yaml", "deploy/values/none.yaml")  # nothing to move
    assert (tmp_path / "deploy/values/prod.yaml").read_text() == "replicas: 3\n"
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.txt").write_text("b")
    with pytest.raises(migrations.MigrationError, match=r"b\.txt exists"):
        repo.move("a.txt", "b.txt")


def test_failure_exits_non_zero_and_keeps_the_answers(registry, tmp_path, monkeypatch, capsys):
    def v1_1_0(repo):
        """Renames an answer."""
        repo.rename_answer("a", "b")

    def v1_2_0(repo):
        """Fails."""
        raise KeyError("team")

    migrations.migration("1.1.0")(v1_1_0)
    migrations.migration("1.2.0")(v1_2_0)
    path = answers_file(tmp_path, a=1)
    before = path.read_text()
    monkeypatch.chdir(tmp_path)
    assert migrations.main(["before", "1.0.0", "1.2.0"]) == 1
    assert path.read_text() == before
    assert "migration to 1.2.0 (v1_2_0) failed unexpectedly: KeyError: 'team'" in capsys.readouterr().err
    assert migrations.main(["before", "1.0.0", "not-a-version"]) == 1
    assert "not a PEP 440 version" in capsys.readouterr().err
    assert migrations.main(["before", "1.0.0", "1.1.0"]) == 0
    assert yaml.safe_load(path.read_text())["b"] == 1
    assert "migrated 1.1.0: answer `a` is now `b`" in capsys.readouterr().err
    (tmp_path / path.name).write_text("- not a mapping\n")
    assert migrations.main(["before", "1.0.0", "1.1.0"]) == 1
    assert "must be a mapping" in capsys.readouterr().err


def test_copier_runs_the_migrations_at_both_stages():
    (entry,) = yaml.safe_load((ROOT / "copier.yml").read_text())["_migrations"]
    assert entry["command"][1] == "{{ _copier_conf.src_path }}/extensions/migrations.py"
    assert entry["command"][2:5] == ["{{ _stage }}", "{{ _version_pep440_from }}", "{{ _version_pep440_to }}"]
    assert "_stage" not in entry["when"]  # both stages
    for registered in migrations.REGISTRY:
        assert registered.why, registered.function.__name__
