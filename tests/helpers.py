"""Shared helpers: the example answers and a non-interactive render."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from copier import run_copy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `extensions` is importable as a package for the unit tests

EXAMPLE_ANSWERS = yaml.safe_load((ROOT / "tests" / "answers" / "default.yml").read_text())
IN_CI = os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str) -> None:
    """A tool or toolchain the test needs is missing: a failure in CI, a skip elsewhere."""
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


def answers(**overrides) -> dict:
    """The example answers with overrides layered on top."""
    return {**EXAMPLE_ANSWERS, **overrides}


GIT = ["git", "-c", "user.name=copier-infra tests", "-c", "user.email=tests@example.com", "-c", "commit.gpgsign=false"]


def snapshot(destination: Path, tag: str = "v0.0.0") -> Path:
    """A committed, tagged copy of the template's working tree, as a release would be."""
    ignore = shutil.ignore_patterns(".git", ".venv", ".tools", "__pycache__", ".pytest_cache", ".ruff_cache")
    shutil.copytree(ROOT, destination, ignore=ignore)
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "snapshot"], ["tag", tag]):
        subprocess.run([*GIT, *command], cwd=destination, check=True)
    return destination


def render(destination: Path, template: Path = ROOT, **overrides) -> Path:
    """Render the template (by default its working tree, uncommitted changes included)."""
    run_copy(
        str(template),
        str(destination),
        data=answers(**overrides),
        defaults=True,
        unsafe=True,
        quiet=True,
        vcs_ref="HEAD",
    )
    return destination


def load_hcl(path: Path) -> dict:
    """A .tf or .tfvars file parsed, with plain (unquoted) strings and keys."""
    import hcl2
    from hcl2.utils import SerializationOptions

    options = SerializationOptions(strip_string_quotes=True, with_comments=False, explicit_blocks=False)
    return hcl2.loads(path.read_text(), serialization_options=options)


# The cloud SDKs each generated release script imports only to talk to its cloud: its own tests
# use fakes, and run with these hidden so that they cannot reach a cloud by accident.
CLOUD_SDKS = {"aws": ["boto3"], "gcp": ["google", "google.auth", "requests"], "azure": ["azure", "requests"]}


def generated_release_tests(project: Path, cloud: str) -> subprocess.CompletedProcess:
    """pytest deploy/tests of a rendered serverless repository, in a subprocess without the cloud SDK."""
    hide = "; ".join(f"sys.modules[{module!r}] = None" for module in CLOUD_SDKS[cloud])
    runner = f"import sys; {hide}; import pytest; sys.exit(pytest.main(sys.argv[1:]))"
    command = [sys.executable, "-c", runner, "-q", "-p", "no:cacheprovider", "deploy/tests"]
    return subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=300)


def broken_release_tests(project: Path, cloud: str, workdir: Path, original: str, broken: str):
    """The generated release tests run against a copy of deploy/ whose script has `original`
    replaced by `broken`: they must fail."""
    shutil.copytree(project / "deploy", workdir / "deploy")
    script = workdir / "deploy" / "release.py"
    source = script.read_text()
    assert source.count(original) == 1, f"the script changed: {original!r} is not in it once"
    script.write_text(source.replace(original, broken))
    return generated_release_tests(workdir, cloud)


def evaluate(module: Path, workdir: Path, arguments: dict, expressions: list[str]) -> list:
    """The values of `expressions` in the module given `arguments`, by `terraform console` on a
    copy of the module used as a root module (offline provider schemas, no credentials)."""
    import harness  # the validators' tool paths (tests/harness.py)

    terraform = harness.find_tool("terraform")
    if not terraform or not harness.TERRAFORMRC.is_file():
        unavailable("terraform and the offline providers (scripts/install-tools) are not installed")
    root = shutil.copytree(module, workdir / "module")
    (root / "terraform.tfvars.json").write_text(json.dumps(arguments))
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(harness.TERRAFORMRC), "TF_DATA_DIR": str(workdir / "data")}
    run = {"cwd": root, "env": env, "capture_output": True, "text": True, "timeout": 300}
    init = subprocess.run([terraform, "init", "-backend=false", "-input=false"], **run)
    assert init.returncode == 0, init.stderr
    values = []
    for expression in expressions:
        result = subprocess.run([terraform, "console"], input=f"jsonencode({expression})\n", **run)
        assert result.returncode == 0, result.stderr
        values.append(json.loads(json.loads(result.stdout)))
    return values


def blocks(parsed: dict, kind: str) -> dict[str, dict]:
    """`resource`, `data`, `module`, `variable`... blocks of a parsed file: "type.name" (or "name") -> body."""
    out = {}
    for block in parsed.get(kind, []):
        for first, body in block.items():
            if kind in ("resource", "data"):
                for name, inner in body.items():
                    out[f"{first}.{name}"] = inner
            else:
                out[first] = body
    return out


def root_blocks(directory: Path, kind: str) -> dict[str, dict]:
    """The blocks of every .tf file of a root module or module directory."""
    out = {}
    for path in sorted(directory.glob("*.tf")):
        out.update(blocks(load_hcl(path), kind))
    return out
