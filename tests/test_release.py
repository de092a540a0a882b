"""The release script of a serverless repository (deploy/release.py, ECS on AWS) passes its own
tests, which replace ECS and ELBv2 with fakes, and those tests fail when the script breaks.

The generated tests run in a subprocess with boto3 hidden: the script imports it only to talk to
AWS, so its tests need neither boto3 nor a network.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import render

PYTEST_WITHOUT_BOTO3 = "import sys; sys.modules['boto3'] = None; import pytest; sys.exit(pytest.main(sys.argv[1:]))"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    destination = tmp_path_factory.mktemp("release") / "project"
    return render(destination, orchestrator="serverless", deploy_strategy="canary")


def generated_tests(project: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", PYTEST_WITHOUT_BOTO3, "-q", "-p", "no:cacheprovider", "deploy/tests"]
    return subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=300)


def test_release_script_passes_its_tests(project):
    result = generated_tests(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout


# Each change breaks one promise of the script; its tests must catch every one.
BREAKAGES = {
    "timeout-stops-without-rollback": ('stopType="ROLLBACK"', 'stopType="ABORT"'),
    "rolled-back-deployment-succeeds": (
        "report_failure(clients, target, deployment)\n            return 1",
        "report_failure(clients, target, deployment)\n            return 0",
    ),
    "unhealthy-target-ignored": ('if health.get("State") != "healthy":', 'if health.get("State") == "draining":'),
    "rollback-to-the-running-one": (
        'describe_revision(clients, source["arn"])',
        'describe_revision(clients, newest["targetServiceRevision"]["arn"])',
    ),
}


@pytest.mark.parametrize("name", BREAKAGES)
def test_release_tests_fail_when_the_script_breaks(project, tmp_path, name):
    shutil.copytree(project / "deploy", tmp_path / "deploy")
    script = tmp_path / "deploy" / "release.py"
    original, broken = BREAKAGES[name]
    source = script.read_text()
    assert original in source, f"the script changed: update BREAKAGES[{name!r}]"
    script.write_text(source.replace(original, broken))
    result = generated_tests(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
