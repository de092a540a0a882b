"""The release script of a serverless repository (deploy/release.py, ECS on AWS) passes its own
tests, which replace ECS, ELBv2 and the clock with fakes, and those tests fail when the script breaks.

The generated tests run in a subprocess with boto3 hidden: the script imports it only to talk to
AWS, so its tests need neither boto3 nor a network.
"""

import re
import subprocess
from pathlib import Path

import pytest
from helpers import broken_release_tests, generated_release_tests, render

TWO_HOURS = 2 * 3600  # the deploy role's maximum session: the deploy job must end inside it
TERRAFORM = 20 * 60  # what the deploy job spends in terraform before the script starts


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    destination = tmp_path_factory.mktemp("release") / "project"
    return render(destination, orchestrator="serverless", deploy_strategy="canary")


@pytest.fixture(scope="module")
def rolling_project(tmp_path_factory) -> Path:
    destination = tmp_path_factory.mktemp("release-rolling") / "project"
    return render(destination, orchestrator="serverless", deploy_strategy="rolling")


def generated_tests(project: Path) -> subprocess.CompletedProcess:
    return generated_release_tests(project, "aws")


def constant(project: Path, name: str) -> int:
    found = re.search(rf"^{name} = (\d+)$", (project / "deploy" / "release.py").read_text(), re.MULTILINE)
    assert found, f"{name} is not a number in deploy/release.py"
    return int(found.group(1))


@pytest.mark.parametrize("strategy", ["canary", "rolling"])
def test_release_script_passes_its_tests(project, rolling_project, strategy):
    result = generated_tests(rolling_project if strategy == "rolling" else project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout


@pytest.mark.parametrize(("strategy", "timeout"), [("canary", 3600), ("rolling", 1800)])
def test_the_deploy_waits_fit_in_the_two_hour_session(project, rolling_project, strategy, timeout):
    rendered = rolling_project if strategy == "rolling" else project
    assert constant(rendered, "DEFAULT_TIMEOUT_SECONDS") == timeout
    stop_wait, settle = constant(rendered, "DEFAULT_STOP_WAIT_SECONDS"), constant(rendered, "DEFAULT_SETTLE_SECONDS")
    assert stop_wait < timeout
    assert TERRAFORM + timeout + stop_wait + settle < TWO_HOURS


# Each change breaks one promise of the script; its tests must catch every one.
BREAKAGES = {
    "timeout-stops-without-rollback": ('stopType="ROLLBACK"', 'stopType="ABORT"'),
    "rolled-back-deployment-succeeds": (
        "report_failure(clients, target, deployment)\n        return 1",
        "report_failure(clients, target, deployment)\n        return 0",
    ),
    "unhealthy-target-ignored": ('if health.get("State") != "healthy":', 'if health.get("State") == "draining":'),
    "rollback-to-the-running-one": (
        'describe_revision(clients, source["arn"])',
        'describe_revision(clients, newest["targetServiceRevision"]["arn"])',
    ),
    # the first deploy verifies while ECS still creates the service, instead of following it
    "first-deploy-verified-at-once": (
        'if current is not None and current.get("status") not in FINAL:',
        "if False:",
    ),
    # after a timeout: returns as soon as the stop is requested
    "stopped-deployment-not-followed": (
        "wait = options.stop_wait_seconds",
        "wait = 0.0",
    ),
    # after a timeout: waits for the rollback as long as for the deployment
    "stop-wait-unbounded": (
        "deployment = watch(clients, target, arn, options, wait)",
        "deployment = watch(clients, target, arn, options, options.timeout)",
    ),
    # silent while the state does not change
    "no-heartbeat": (
        "if line != last_line or now - last_said >= HEARTBEAT_SECONDS:",
        "if line != last_line:",
    ),
    # one snapshot again: new `initial` targets fail a good release
    "verify-does-not-settle": (
        "if failed or now - started >= options.settle_seconds:",
        "if True:",
    ),
    # waits out the settle time for a deployment that ECS already rolled back
    "verify-waits-on-a-failed-deployment": (
        "if failed or now - started >= options.settle_seconds:",
        "if now - started >= options.settle_seconds:",
    ),
    "verify-wants-exactly-the-desired-count": ("if running < desired:", "if running != desired:"),
    "status-word-not-first": (
        """say(f"{deployment.get('status')}: {why}" if why else""",
        """say(f"{why} ({deployment.get('status')})" if why else""",
    ),
    "status-on-several-lines": (
        'why = " ".join(reasons(deployment).split())',
        "why = reasons(deployment)",
    ),
}


@pytest.mark.parametrize("name", BREAKAGES)
def test_release_tests_fail_when_the_script_breaks(project, tmp_path, name):
    result = broken_release_tests(project, "aws", tmp_path, *BREAKAGES[name])
    assert result.returncode == 1, result.stdout + result.stderr
