"""The two diagrams every generated repository opens with (includes/diagrams/): what it builds and
how a change ships.

Every diagram of every combination is rendered by the real Mermaid renderer (mermaid-cli driving
Debian's chromium, installed by scripts/install-tools), so a syntax error fails; the names and
address ranges they show are compared with the rendered Terraform and deploy values. The default
repository's pictures are kept in test-artifacts/diagrams/ for a reviewer, and the template's
README shows copies of them (docs/images/).
"""

import ipaddress
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from combinations import choices
from helpers import ROOT, load_hcl, unavailable

from extensions import context

pytestmark = pytest.mark.xdist_group("matrix")  # shares the session's render matrix


DIAGRAM_FILES = ("README.md", "docs/architecture.md")
MERMAID_BLOCK = re.compile(r"^```mermaid\n(.*?)\n```$", re.M | re.S)
# id["label"], id(["label"]), id[("label")], id{{"label"}}; subgraph titles too
NODE = re.compile(r"\b(\w+)(?:\[\(|\(\[|\{\{|\[|\(|\{)\"([^\"]*)\"")
EDGE = re.compile(r"^\s*(\w+) (-->|-\.->)(?:\|\"?([^|\"]*)\"?\|)? (\w+)\s*$", re.M)
CIDR = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}/\d{1,2}\b")
ARTIFACTS = ROOT / "test-artifacts" / "diagrams"
IMAGES = ROOT / "docs" / "images"
NAMES = ("architecture", "delivery")


def diagrams(project: Path, file: str = "README.md") -> dict[str, str]:
    blocks = MERMAID_BLOCK.findall((project / file).read_text())
    assert len(blocks) == 2, f"{project.name}/{file}: {len(blocks)} mermaid blocks, expected 2"
    return dict(zip(NAMES, blocks, strict=True))


def nodes(diagram: str) -> dict[str, list[str]]:
    """Each node's and subgraph's label, as its lines."""
    return {node: label.split("<br/>") for node, label in NODE.findall(diagram)}


def edges(diagram: str) -> dict[tuple[str, str], str]:
    return {(source, target): label for source, _, label, target in EDGE.findall(diagram)}


def answers_of(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def bootstrap_defaults(project: Path) -> dict:
    """The defaults of terraform/bootstrap's variables: the shared names."""
    blocks = load_hcl(project / "terraform" / "bootstrap" / "variables.tf")["variable"]
    return {name: spec["default"] for block in blocks for name, spec in block.items() if "default" in spec}


# ---------------------------------------------------------------- the renderer


@pytest.fixture(scope="module")
def mmdc() -> str:
    found = shutil.which("mmdc") or shutil.which("mmdc", path=str(ROOT / ".tools" / "bin"))
    missing = "mmdc not found" if not found else "chromium not found" if not shutil.which("chromium") else ""
    if missing:
        unavailable(f"{missing}: run scripts/install-tools (needs node and npm, and root for Debian's chromium)")
    return found


def render_diagrams(mmdc: str, blocks: list[str], out: Path) -> list[Path]:
    """Every block to a PNG, in one mmdc run. If that run fails, each block is rendered alone: a
    block that fails alone is a broken diagram; a batch that fails while every block renders alone
    was the browser timing out on a busy machine, and the single renders stand in for it."""
    out.mkdir(parents=True, exist_ok=True)
    source = out / "diagrams.md"
    source.write_text("".join(f"```mermaid\n{block}\n```\n\n" for block in blocks))
    cmd = [mmdc, "--quiet", "--input", str(source), "--output", str(out / "rendered.md"), "--outputFormat", "png"]
    jobs = str(min(4, os.cpu_count() or 1))
    images = [out / f"rendered-{index}.png" for index in range(1, len(blocks) + 1)]
    run = subprocess.run([*cmd, "--scale", "2", "--jobs", jobs], capture_output=True, text=True, timeout=900)
    if run.returncode:
        failures = []
        for index, (block, image) in enumerate(zip(blocks, images, strict=True)):
            single = out / f"single-{index}.mmd"
            single.write_text(block)
            alone = subprocess.run([mmdc, "--quiet", "--input", str(single), "--output", str(image), "--scale", "2"],
                                   capture_output=True, text=True, timeout=600)  # fmt: skip
            if alone.returncode:
                failures.append((index, block, alone.stderr.strip()[:1500]))
        if failures:
            pytest.fail(f"mmdc failed (exit {run.returncode}) on {len(failures)} diagram(s):\n"
                        + "\n".join(f"--- block {i}:\n{text[:400]}\n>>> {error}" for i, text, error in failures)
                        + f"\n{run.stderr.strip()[-1500:]}")  # fmt: skip
    assert all(image.is_file() and image.stat().st_size > 1000 for image in images), sorted(out.iterdir())
    return images


@pytest.fixture(scope="module")
def rendered(mmdc, matrix, tmp_path_factory) -> dict[str, Path]:
    """Each distinct diagram of the matrix (README.md and docs/architecture.md), rendered once."""
    every = [
        block for project in matrix.values() for file in DIAGRAM_FILES for block in diagrams(project, file).values()
    ]
    distinct = list(dict.fromkeys(every))  # the default repository's two come first
    images = render_diagrams(mmdc, distinct, tmp_path_factory.mktemp("diagrams"))
    return dict(zip(distinct, images, strict=True))


def test_every_diagram_renders(rendered, matrix):
    for name, project in matrix.items():
        for file in DIAGRAM_FILES:
            for kind, block in diagrams(project, file).items():
                assert rendered[block].is_file(), f"{name}/{file}: {kind}"
    default = diagrams(matrix["default"])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for kind, block in default.items():
        shutil.copyfile(rendered[block], ARTIFACTS / f"{kind}.png")
        (ARTIFACTS / f"{kind}.mmd").write_text(block + "\n")


def test_a_broken_diagram_fails_the_renderer(mmdc, matrix, tmp_path):
    good = "flowchart LR\n  a --> b"
    delivery = diagrams(matrix["default"])["delivery"]
    broken = delivery.replace('["terraform apply', '["terraform apply"', 1)  # a stray quote ends the label early
    assert broken != delivery
    with pytest.raises(pytest.fail.Exception, match=r"on 1 diagram\(s\):\n--- block 1:"):
        render_diagrams(mmdc, [good, broken], tmp_path)


def test_a_batch_that_times_out_falls_back_to_single_renders(mmdc, tmp_path):
    flaky = tmp_path / "mmdc"  # fails every batch run (a Markdown input), as a browser timeout does
    flaky.write_text(f'#!/bin/sh\ncase "$*" in *.md*) echo "Page.captureScreenshot timed out" >&2; exit 1;; esac\n'
                     f'exec "{mmdc}" "$@"\n')  # fmt: skip
    flaky.chmod(0o755)
    images = render_diagrams(str(flaky), ["flowchart LR\n  a --> b", "flowchart TB\n  c --> d"], tmp_path / "out")
    assert [image.name for image in images] == ["rendered-1.png", "rendered-2.png"]


def test_template_readme_shows_the_default_repository(matrix):
    """docs/images/ holds the default repository's diagrams; after a change to them, copy the new
    ones from test-artifacts/diagrams/ (written by test_every_diagram_renders)."""
    readme = (ROOT / "README.md").read_text()
    for kind, block in diagrams(matrix["default"]).items():
        assert f"](docs/images/{kind}.png)" in readme
        assert (IMAGES / f"{kind}.png").is_file()
        assert (IMAGES / f"{kind}.mmd").read_text() == block + "\n", (
            f"docs/images/{kind}.mmd is stale: cp test-artifacts/diagrams/{kind}.* docs/images/"
        )


# ---------------------------------------------------------------- what they show


@pytest.mark.parametrize("file", DIAGRAM_FILES)
def test_every_repository_shows_both_diagrams(matrix, file):
    for name, project in matrix.items():
        found = diagrams(project, file)
        assert found == diagrams(project), f"{name}: {file} and README.md differ"
        assert re.search(r"^flowchart LR$", found["architecture"], re.M), name
        assert re.search(r"^flowchart TB$", found["delivery"], re.M), name
    readme = (matrix["default"] / "README.md").read_text()
    assert readme.index("```mermaid") < readme.index("\n## "), "the diagrams open the README"


def holder(service: dict) -> str:
    """What holds a serverless service: an ECS cluster, a Container Apps environment, or the Cloud
    Run service itself."""
    return next(service[key] for key in ("cluster_name", "environment_name", "service_name") if key in service)


def environment_root(project: Path, env: str) -> tuple[dict, dict]:
    """An environment root's tfvars, and what of it every cloud's diagram shows the same way."""
    root = project / "terraform" / "environments" / env
    tfvars, main = load_hcl(root / "terraform.tfvars"), load_hcl(root / "main.tf")
    modules = {name: block for entry in main["module"] for name, block in entry.items()}
    serverless = "service" in modules
    facts = {
        "name": main["locals"][0]["name"],
        "cluster": holder(modules["service"]) if serverless else modules["cluster"]["name"],
        "backend": next(iter(load_hcl(root / "backend.tf")["terraform"][0]["backend"][0].values())),
        "backup": tfvars.get("backup_retention_days"),
        "shown": {
            "zones": tfvars["zones"],
            "retention": tfvars["log_retention_days"],
            # the last line of the workload: its nodes (Kubernetes) or its tasks' sizes (serverless)
            "capacity": (
                f"{tfvars['replicas_min']} to {tfvars['replicas_max']}, "
                f"{tfvars['task_cpu']} CPU units and {tfvars['task_memory']} MiB each"
                if serverless
                else f"{tfvars['node_min_size']} to {tfvars['node_max_size']}"
            ),
        },
    }
    return tfvars, facts


def aws_terraform(project: Path, answers: dict) -> dict:
    """What the AWS Terraform of a repository creates, as the architecture diagram must show it."""
    bootstrap = bootstrap_defaults(project)
    seen = {
        "identities": [bootstrap["plan_role_name"], bootstrap["publish_role_name"]],
        "registry": bootstrap["registry_repository"],
        "scope": f"AWS account {answers['aws_account_id']} · region {answers['region']}",
        "environments": [],
    }
    for env in answers["environments"]:
        tfvars, facts = environment_root(project, env)
        name, cluster, backup = facts["name"], facts["cluster"], facts["backup"]
        seen["state"] = "S3 bucket " + facts["backend"]["bucket"]
        seen["identities"].append(bootstrap["environments"][env]["deploy_role_name"])
        seen["environments"].append(
            {
                **facts["shown"],
                "network": f"VPC {name}, {tfvars['cidr']}",
                "subnets": [
                    "private " + ", ".join(tfvars["private_subnets"]),
                    "public " + ", ".join(tfvars["public_subnets"]),
                ],
                "ranges": {tfvars["cidr"], *tfvars["private_subnets"], *tfvars["public_subnets"]},
                **(
                    {"cluster": f"ECS cluster {cluster}", "nodes": None}
                    if "task_cpu" in tfvars
                    else {
                        "cluster": f"EKS cluster {cluster}, Kubernetes {tfvars['kubernetes_version']}",
                        "nodes": f"nodes {', '.join(tfvars['node_instance_types'])}",
                    }
                ),
                "cost": [f"AWS Budgets {name}: {tfvars['budget_usd']} USD a month"]
                + ([f"AWS Backup {name}: kept {backup} days"] if backup else []),
            }
        )
    return seen


def gcp_terraform(project: Path, answers: dict) -> dict:
    """What the Google Cloud Terraform of a repository creates, as the architecture diagram must show it."""
    bootstrap = bootstrap_defaults(project)
    seen = {
        "identities": [bootstrap["plan_service_account_id"], bootstrap["publish_service_account_id"]],
        "registry": bootstrap["registry_repository"],
        "scope": f"Google Cloud project {bootstrap['project_id']} · region {bootstrap['region']}",
        "environments": [],
    }
    for env in answers["environments"]:
        tfvars, facts = environment_root(project, env)
        name, cluster, backup = facts["name"], facts["cluster"], facts["backup"]
        seen["state"] = "Cloud Storage bucket " + facts["backend"]["bucket"]
        shared = bootstrap["environments"][env]
        seen["identities"].append(shared["deploy_service_account_id"])
        cost = [f"Cloud Billing budget {shared['resource_prefix']}: {shared['budget']} USD a month"]
        if "task_cpu" in tfvars:  # serverless: Cloud Run, its egress subnet the block's first quarter
            block = str(ipaddress.ip_network(tfvars["subnet_cidr"]).supernet(prefixlen_diff=2))
            seen["environments"].append(
                {
                    **facts["shown"],
                    "network": f"VPC network {name}, {block}",
                    "subnets": [f"Cloud Run egress {tfvars['subnet_cidr']}"],
                    "ranges": {block, tfvars["subnet_cidr"]},
                    "cluster": f"Cloud Run {cluster}",
                    "nodes": None,
                    "cost": cost,
                }
            )
            continue
        block = shared_block(tfvars["nodes_cidr"], tfvars["pods_cidr"], tfvars["services_cidr"])
        seen["environments"].append(
            {
                **facts["shown"],
                "network": f"VPC network {name}, {block}",
                "subnets": [
                    f"nodes {tfvars['nodes_cidr']}",
                    f"pods {tfvars['pods_cidr']}",
                    f"services {tfvars['services_cidr']}",
                ],
                "ranges": {block, tfvars["nodes_cidr"], tfvars["pods_cidr"], tfvars["services_cidr"]},
                "cluster": f"GKE cluster {cluster}, Kubernetes {tfvars['kubernetes_version']}",
                "nodes": f"nodes {tfvars['node_machine_type']}",
                "cost": cost + ([f"Backup for GKE {name}: kept {backup} days"] if backup else []),
            }
        )
    return seen


def azure_terraform(project: Path, answers: dict) -> dict:
    """What the Azure Terraform of a repository creates, as the architecture diagram must show it."""
    bootstrap = bootstrap_defaults(project)
    seen = {
        "identities": [bootstrap["plan_identity_name"], bootstrap["publish_identity_name"]],
        "registry": answers["project_slug"],
        "scope": f"Azure subscription {bootstrap['subscription_id']} · region {bootstrap['location']}",
        "environments": [],
    }
    for env in answers["environments"]:
        tfvars, facts = environment_root(project, env)
        name, cluster, backup = facts["name"], facts["cluster"], facts["backup"]
        seen["state"] = "Storage account " + facts["backend"]["storage_account_name"]
        shared = bootstrap["environments"][env]
        seen["identities"].append(shared["deploy_identity_name"])
        cost = [f"Cost Management budget budget-{shared['resource_group']}: {shared['budget']} USD a month"]
        if "task_cpu" in tfvars:  # serverless: a Container Apps environment in the VNet
            subnets = [tfvars["nodes_cidr"], tfvars["endpoints_cidr"]]
            seen["environments"].append(
                {
                    **facts["shown"],
                    "network": f"VNet {name}, {tfvars['vnet_cidr']}",
                    "subnets": [f"Container Apps {subnets[0]}", f"endpoints {subnets[1]}"],
                    "ranges": {tfvars["vnet_cidr"], *subnets},
                    "cluster": f"Container Apps environment {cluster}",
                    "nodes": None,
                    "cost": cost,
                }
            )
            continue
        subnets = [tfvars["nodes_cidr"], tfvars["endpoints_cidr"], tfvars["pods_cidr"], tfvars["services_cidr"]]
        seen["environments"].append(
            {
                **facts["shown"],
                "network": f"VNet {name}, {tfvars['vnet_cidr']}",
                "subnets": [
                    f"nodes {subnets[0]}",
                    f"endpoints {subnets[1]}",
                    f"overlay pods {subnets[2]}",
                    f"services {subnets[3]}",
                ],
                "ranges": {tfvars["vnet_cidr"], *subnets},
                "cluster": f"AKS cluster {cluster}, Kubernetes {tfvars['kubernetes_version']}",
                "nodes": f"nodes {tfvars['node_vm_size']}",
                "cost": cost + ([f"Azure Backup {name}: kept {backup} days"] if backup else []),
            }
        )
    return seen


def shared_block(*ranges: str) -> str:
    """The smallest network holding every range: an environment's block, as the diagram names it."""
    networks = [ipaddress.ip_network(net) for net in ranges]
    block = networks[0]
    while not all(net.subnet_of(block) for net in networks):
        block = block.supernet()
    return str(block)


TERRAFORM_READERS = {"aws": aws_terraform, "gcp": gcp_terraform, "azure": azure_terraform}


def test_every_cloud_has_a_terraform_reader():
    assert set(choices()["cloud"]) <= set(TERRAFORM_READERS)


def test_architecture_shows_what_the_terraform_creates(matrix):
    for name, project in matrix.items():
        answers = answers_of(project)
        diagram = diagrams(project)["architecture"]
        labels = nodes(diagram)
        seen = TERRAFORM_READERS[answers["cloud"]](project, answers)
        identities = seen["identities"]
        assert " · ".join(identities[:2]) == labels["roles"][1] and labels["roles"][2:] == identities[2:], name
        assert labels["registry"][-1] == seen["registry"], name
        assert labels["cloud"] == [seen["scope"]], name
        assert labels["state"][-1] == seen["state"], name
        ranges = set()
        for index, (env, expected) in enumerate(zip(answers["environments"], seen["environments"], strict=True)):
            node = f"env{index}"
            assert labels[node][0].startswith(env) and labels[node][0].endswith(": " + expected["network"]), name
            assert labels[f"{node}_net"] == ["zones " + ", ".join(expected["zones"]), *expected["subnets"]], name
            assert labels[f"{node}_cluster"] == [expected["cluster"]], name
            if expected["nodes"]:  # Kubernetes: the nodes and how many
                assert labels[f"{node}_app"][-1] == f"{expected['nodes']}, {expected['capacity']}", name
            else:  # serverless: how many tasks of which size
                assert labels[f"{node}_app"][1] == expected["capacity"], name
            assert labels[f"{node}_logs"][-1] == f"kept {expected['retention']} days", name
            assert labels[f"{node}_cost"] == expected["cost"], name
            ranges |= expected["ranges"]
        # no address range in the picture that the Terraform does not create
        assert set(CIDR.findall(diagram)) == ranges, name
        assert all(ipaddress.ip_network(net) for net in ranges)


def test_serverless_entry_shows_the_host_name_the_terraform_serves(matrix):
    public = 0
    for name, project in matrix.items():
        answers = answers_of(project)
        if answers["orchestrator"] != "serverless":
            continue
        labels = nodes(diagrams(project)["architecture"])
        for index, env in enumerate(answers["environments"]):
            main = load_hcl(project / "terraform" / "environments" / env / "main.tf")
            hosts = [block["hostname"] for entry in main["module"] for block in entry.values() if "hostname" in block]
            entry = labels[f"env{index}_entry"]
            if hosts:
                public += 1
                assert entry[1].startswith(f"https://{hosts[0]}, "), name
            else:
                assert not any("https://" in line for line in entry), name
    assert public, "no repository of the matrix has a domain"


def test_delivery_shows_the_pipeline_and_the_deploy_values(matrix):
    for name, project in matrix.items():
        answers = answers_of(project)
        environments, strategy = answers["environments"], answers["deploy_strategy"]
        diagram = diagrams(project)["delivery"]
        labels, links = nodes(diagram), edges(diagram)
        production = len(environments) - 1
        expected_approval = context.DIAGRAM_CI[answers["ci"]]["approval"].format(production=environments[-1])
        assert labels["approval"] == ["approval", expected_approval], name
        deploy_identities = TERRAFORM_READERS[answers["cloud"]](project, answers)["identities"][2:]
        acts_as = context.DIAGRAM_CLOUDS[answers["cloud"]]["acts_as"]
        previous = "publish"
        for index, env in enumerate(environments):
            stage = f"deploy{index}"
            if index == production:
                assert (previous, "approval") in links, name
                previous = "approval"
            assert (previous, stage) in links, f"{name}: {previous} -> {stage}"
            assert links[(stage, "rollback")] == "fails", name
            assert labels[stage] == [f"deploy-{env}: {acts_as} {deploy_identities[index]}"], name
            release = labels[f"{stage}_release"]
            if answers["orchestrator"] == "serverless":
                assert_serverless_release(project, env, strategy, labels, stage)
                previous = stage
                continue
            values = yaml.safe_load((project / "deploy" / f"values-{env}.yaml").read_text())
            if strategy == "canary":
                steps = [labels[f"{stage}_step{n}"][0] for n in range(len(values["canary"]["weights"]))]
                pause = values["canary"]["pause"]
                assert steps == [f"{weight}% of the pods, pause {pause}" for weight in values["canary"]["weights"]]
                assert f"{stage}_step{len(steps)}" not in labels, name
            elif strategy == "blue-green":
                automatic = values["blueGreen"]["autoPromotionEnabled"]
                assert labels[f"{stage}_switch"][-1] == ("automatically" if automatic else "when a person promotes it")
            else:
                unavailable, surge = values["rollingUpdate"]["maxUnavailable"], values["rollingUpdate"]["maxSurge"]
                assert release[-1] == f"rolling update: maxUnavailable {unavailable}, maxSurge {surge}", name
            if strategy != "rolling":
                judge = context.DIAGRAM_MONITORING[answers["monitoring"]]["analysis"]
                assert any(line.endswith(f"{values['analysis']['count']} measurements by {judge}") for line in
                           labels.get(f"{stage}_step0", []) + labels.get(f"{stage}_preview", [])), name  # fmt: skip
            previous = stage
        assert links[(previous, "live")] == "passes", name
        rollback = " ".join(labels["rollback"])
        if answers["orchestrator"] == "serverless":
            revision = context.DIAGRAM_CLOUDS[answers["cloud"]]["serverless"]["revision"]
            assert f"traffic returns to the previous {revision}" in rollback, name
        else:
            assert ("Argo Rollouts" in rollback) is (strategy != "rolling"), name


def assert_serverless_release(project: Path, env: str, strategy: str, labels: dict, stage: str) -> None:
    """The steps drawn for a serverless environment are the ones that run it: on AWS the ECS
    service's Terraform, elsewhere deploy/release.py's steps."""
    main = load_hcl(project / "terraform" / "environments" / env / "main.tf")
    service = next(entry["service"] for entry in main["module"] if "service" in entry)
    if "deployment_strategy" in service:  # ECS runs the strategy
        assert service["deployment_strategy"] == strategy.upper().replace("-", "_")
        weights = [service.get("canary_percent")]
        canary_minutes, bake_minutes = service.get("canary_bake_time_minutes"), service.get("bake_time_minutes")
    else:  # the release script runs it
        script = import_release_script(project)
        assert strategy == script.STRATEGY
        steps = getattr(script, "STEPS", None) or script.ENVIRONMENTS
        weights = steps[env]["canary_weights"]
        canary_minutes = steps[env].get("canary_bake_minutes", steps[env].get("canary_minutes"))
        bake_minutes = steps[env]["bake_minutes"]
    if strategy == "canary":
        drawn = [labels[f"{stage}_step{n}"] for n in range(len(weights))]
        assert [step[0] for step in drawn] == [f"{weight}% of the traffic to the new version" for weight in weights]
        assert all(step[1].startswith(f"bake {canary_minutes} min") for step in drawn)
        assert f"{stage}_step{len(weights)}" not in labels
        assert labels[f"{stage}_full"][1].startswith(f"bake {bake_minutes} min")
    elif strategy == "blue-green":
        assert labels[f"{stage}_switch"][1].startswith(f"bake {bake_minutes} min")
    else:
        assert len(labels[f"{stage}_release"]) == 3  # the script, what it deploys, how it rolls


def import_release_script(project: Path):
    """deploy/release.py of a rendered repository as a module (its cloud SDK is imported lazily)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"release_{project.name}", project / "deploy" / "release.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_choice_has_its_diagram_labels():
    for cloud in choices()["cloud"]:
        labels = context.DIAGRAM_CLOUDS[cloud]
        assert set(labels["compute"]) >= set(choices()["orchestrator"]), cloud
        assert {"instances", "entry"} <= set(labels), cloud
        assert {"revision", "stops"} <= set(labels["serverless"]), cloud
    assert set(context.DIAGRAM_CI) >= set(choices()["ci"])
    assert set(context.DIAGRAM_MONITORING) >= set(choices()["monitoring"])
    for orchestrator in choices()["orchestrator"]:
        for part in ("workload", "release", "rollback"):
            assert (ROOT / "includes" / "diagrams" / orchestrator / f"{part}.mmd.jinja").is_file()


def strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value
    return [text for item in items for text in strings(item)]


def test_diagram_labels_fill_every_placeholder():
    answers = {
        **yaml.safe_load((ROOT / "tests" / "answers" / "default.yml").read_text()),
        **{"cloud": "aws", "orchestrator": "kubernetes", "region": "eu-west-1", "monitoring": "prometheus-grafana"},
    }
    for ci in choices()["ci"]:
        labels = context.diagram_labels({**answers, "ci": ci}, "live")
        assert not [text for text in strings(labels) if "{" in text or "}" in text], labels
        assert labels["cloud"]["compute"] == "EKS cluster"
        assert labels["cloud"]["scope"] == f"AWS account {answers['aws_account_id']} · region eu-west-1"
        assert any("live" in route for route in labels["monitoring"]["routes"])
    unknown = context.diagram_labels({**answers, "cloud": "elsewhere", "ci": None}, "prod")
    assert unknown["cloud"] == {} and unknown["ci"] == {}
