"""Rendering: every combination renders, deterministically, with no Jinja left behind, and
passes the validators its owner's CI would run."""

import filecmp
import re
import sys
from pathlib import Path

import pytest
import yaml
from combinations import AXES, choices, pairwise
from harness import validate
from helpers import load_hcl, render, snapshot

JINJA_LEFTOVER = re.compile(r"{%-?\s|\s-?%}|{#\s|\.jinja\b|\bUndefined\b")


# Variants of the non-axis answers that change the shape of the output.
def files_of(project: Path) -> list[Path]:
    return sorted(path for path in project.rglob("*") if path.is_file() and ".git" not in path.parts)


def test_pairwise_covers_every_choice():
    combos = pairwise()
    for axis in AXES:
        assert {combo[axis] for combo in combos} == set(choices()[axis])


def test_default_project_layout(default_project):
    for env in ("dev", "staging", "prod"):
        assert (default_project / "terraform" / "environments" / env / "main.tf").is_file()
        assert (default_project / "deploy" / f"values-{env}.yaml").is_file()
    for path in (
        "terraform/bootstrap/main.tf",
        "Dockerfile",
        "Makefile",
        "README.md",
        ".copier-answers.yml",
        "app",
        "deploy/chart/Chart.yaml",
        "monitoring/prometheus/alerts.yml",
        ".github/workflows",
    ):
        assert (default_project / path).exists(), path


@pytest.mark.xdist_group("matrix")
def test_no_jinja_left(matrix):
    for project in matrix.values():
        for path in files_of(project):
            relative = str(path.relative_to(project))
            assert "{{" not in relative
            assert "{%" not in relative
            assert not relative.endswith(".jinja")
            text = path.read_text()
            leftover = JINJA_LEFTOVER.search(text)
            assert leftover is None, f"{path}: {text[max(0, leftover.start() - 60) : leftover.end() + 60]!r}"


MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.xdist_group("matrix")
def test_relative_links_in_the_docs_resolve(matrix):
    """Every link from a generated Markdown file to another file of the repository finds it."""
    for name, project in matrix.items():
        for page in project.rglob("*.md"):
            for target in MARKDOWN_LINK.findall(page.read_text()):
                path = target.split("#", 1)[0]
                if not path or "://" in path or path.startswith("mailto:"):
                    continue
                assert (page.parent / path).exists(), f"{name}: {page.relative_to(project)} links {target}"


def test_same_answers_same_bytes(tmp_path):
    template = snapshot(tmp_path / "template")
    once, again = render(tmp_path / "once", template), render(tmp_path / "again", template)
    first = [path.relative_to(once) for path in files_of(once)]
    second = [path.relative_to(again) for path in files_of(again)]
    assert len(first) > 50
    assert first == second
    _, mismatch, errors = filecmp.cmpfiles(once, again, [str(path) for path in first], shallow=False)
    assert mismatch == [] and errors == []


def test_context_hook_derives_once_per_render(tmp_path):
    render(tmp_path / "out")
    # Copier loads the extension from its file under this module name
    hook_module = sys.modules["copier_template_extensions.context"]
    assert len(hook_module._cache) == 1
    assert len(files_of(tmp_path / "out")) > 50


def test_environment_roots_use_the_derived_plan(default_project):
    root = default_project / "terraform" / "environments" / "prod"
    tfvars = load_hcl(root / "terraform.tfvars")
    assert tfvars["cidr"] == "10.43.128.0/17"  # production: the last of eight blocks of 10.40.0.0/14
    assert tfvars["zones"] == ["us-east-1a", "us-east-1b", "us-east-1c"]
    assert tfvars["private_subnets"] == ["10.43.128.0/19", "10.43.160.0/19", "10.43.192.0/19"]
    assert tfvars["node_min_size"] >= 3
    s3 = load_hcl(root / "backend.tf")["terraform"][0]["backend"][0]["s3"]
    assert s3["use_lockfile"] is True
    assert s3["encrypt"] is True
    assert s3["key"] == "environments/prod/terraform.tfstate"
    assert s3["kms_key_id"] == f"alias/{s3['bucket']}"
    dev = load_hcl(default_project / "terraform" / "environments" / "dev" / "terraform.tfvars")
    assert dev["cidr"] == "10.40.0.0/17"
    assert dev["node_min_size"] < tfvars["node_min_size"]


def test_ci_roles_trust_exactly_one_subject(default_project):
    bootstrap = default_project / "terraform" / "bootstrap"
    identity = load_hcl(bootstrap / "ci-identity.tf")  # the chosen CI platform's part of the trust
    variables = {name: spec for block in identity["variable"] for name, spec in block.items()}
    assert variables["repository"]["default"] == "acme/payments-api"
    environments = {
        name: spec for block in load_hcl(bootstrap / "variables.tf")["variable"] for name, spec in block.items()
    }["environments"]
    assert sorted(environments["default"]) == ["dev", "prod", "staging"]
    trust = str(identity["locals"][0]["ci_trust"])
    assert "repo:${var.repository}:environment:${coalesce(role.environment" in trust
    assert "*" not in trust
    iam = load_hcl(bootstrap / "iam.tf")
    document = next(
        block["aws_iam_policy_document"]["ci_trust"]
        for block in iam["data"]
        if "ci_trust" in block.get("aws_iam_policy_document", {})
    )
    conditions = {c["test"]: c for c in document["statement"][0]["condition"]}
    assert conditions["StringEquals"]["variable"] == "${local.ci_issuer}:aud"
    assert conditions["${each.value.subject_test}"]["variable"] == "${local.ci_issuer}:sub"
    assert identity["locals"][0]["ci_issuer"] == "token.actions.githubusercontent.com"


def test_values_files_follow_the_sizing(default_project):
    prod = yaml.safe_load((default_project / "deploy/values-prod.yaml").read_text())
    dev = yaml.safe_load((default_project / "deploy/values-dev.yaml").read_text())
    assert yaml.dump(prod) != yaml.dump(dev)


@pytest.mark.xdist_group("matrix")
def test_matrix_passes_every_validator(matrix):
    # one run of each tool over every rendered project, the default repository included
    validate(*matrix.values()).assert_ok()
