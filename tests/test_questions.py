"""Every question rejects its bad answers at question time: a message naming the field and the
rule, a non-zero exit, and nothing written. Tried through --data, the API's data= and --defaults."""

import json
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
import yaml
from copier import run_copy
from helpers import ROOT, answers

BAD_ANSWERS = [
    ("project_name", ""),
    ("project_name", "1st service"),
    ("project_name", "svc$(touch /tmp/pwned)"),
    ("project_name", "svc: {a: b}"),
    ("project_name", "svc\nnext: line"),
    ("project_name", "x" * 61),
    ("project_slug", "My_Service"),
    ("project_slug", "-svc"),
    ("project_slug", "svc-"),
    ("project_slug", "a" * 31),
    ("project_slug", "a"),
    ("project_slug", "svc;rm -rf"),
    ("team", "Team One"),
    ("repository", "acme"),
    ("repository", "acme/*"),
    ("repository", "acme/payments api"),
    ("repository", "acme/.."),
    ("alert_email", "not-an-email"),
    ("alert_email", "a@b"),
    ("monthly_budget_usd", 0),
    ("monthly_budget_usd", -5),
    ("region", "us-east-9"),
    ("region", "eastus"),
    ("aws_account_id", "12345"),
    ("aws_account_id", "12345678901a"),
    ("environments", []),
    ("environments", ["dev", "dev"]),
    ("environments", ["Dev"]),
    ("environments", ["e1", "e2", "e3", "e4", "e5", "e6", "e7"]),
    ("environments", ["averyveryverylongname"]),
    ("environments", "dev"),
    ("environments", ["dev", "st@ge"]),
    ("environments", ["dev", "-prod"]),
    ("network_cidr", "10.40.0.0/33"),
    ("network_cidr", "8.8.0.0/16"),
    ("network_cidr", "10.40.0.1/14"),
    ("network_cidr", "10.40.0.0/24"),
    ("network_cidr", "not-a-cidr"),
    ("network_cidr", "fd00::/48"),
    ("slo_availability", 100),
    ("slo_latency_ms", 0),
    ("kubernetes_version", "1.20"),
    ("cloud", "digitalocean"),
]

# An answer that is only wrong together with another one, or asked only for some answers.
BAD_COMBINATIONS = [
    ("network_cidr", {"network_cidr": "10.0.0.0/18", "environments": ["a", "b", "c", "d", "e"]}),
    ("repository", {"ci": "github", "repository": "acme/payments/api"}),
    ("repository", {"ci": "gitlab", "repository": "acme"}),
    ("repository", {"ci": "gitlab", "repository": "acme/pay ments/api"}),
    ("repository", {"ci": "gitlab", "repository": "acme/-api"}),
    ("repository", {"ci": "gitlab", "repository": "acme/api.git"}),
    ("gitlab_host", {"ci": "gitlab", "gitlab_host": "https://gitlab.example.com"}),
    ("gitlab_host", {"ci": "gitlab", "gitlab_host": "gitlab.example.com/acme"}),
    ("gitlab_host", {"ci": "gitlab", "gitlab_host": "GitLab.com"}),
    ("circleci_org_id", {"ci": "circleci", "circleci_org_id": "my-org"}),
    ("circleci_org_id", {"ci": "circleci", "circleci_org_id": "00000000-0000-0000-0000-000000000000"}),
    ("circleci_org_id", {"ci": "circleci", "circleci_org_id": "3F2A8C1E-0B6D-4E7F-9A51-2C4D6E8F0A1B"}),
    ("circleci_project_id", {"ci": "circleci", "circleci_project_id": "12345"}),
    ("ci", {"ci": "jenkins"}),
    ("monitoring", {"orchestrator": "serverless", "monitoring": "datadog"}),
    ("datadog_site", {"monitoring": "datadog", "datadog_site": "app.datadoghq.com"}),
    ("newrelic_account_id", {"monitoring": "newrelic", "newrelic_account_id": "01234"}),
    ("newrelic_account_id", {"monitoring": "newrelic", "newrelic_account_id": "acme"}),
    ("newrelic_region", {"monitoring": "newrelic", "newrelic_region": "APAC"}),
    ("domain_name", {"orchestrator": "serverless", "domain_name": "https://example.com"}),
    ("domain_name", {"orchestrator": "serverless", "domain_name": "Example.com"}),
    ("domain_name", {"orchestrator": "serverless", "domain_name": "example.com."}),
    ("domain_name", {"orchestrator": "serverless", "domain_name": "localhost"}),
    ("domain_name", {"orchestrator": "serverless", "domain_name": "x" * 52 + ".example.com"}),
    ("production_host", {"orchestrator": "serverless", "domain_name": "example.com", "production_host": "app"}),
    ("region", {"cloud": "gcp", "region": "us-east-1"}),
    ("gcp_project_id", {"cloud": "gcp", "region": "us-central1", "gcp_project_id": "my-google-project"}),
    ("gcp_project_id", {"cloud": "gcp", "region": "us-central1", "gcp_project_id": "1payments"}),
    ("gcp_project_id", {"cloud": "gcp", "region": "us-central1", "gcp_project_id": "pay"}),
    ("gcp_project_id", {"cloud": "gcp", "region": "us-central1", "gcp_project_id": "payments-"}),
    ("gcp_project_number", {"cloud": "gcp", "region": "us-central1", "gcp_project_number": "payments-api"}),
    ("gcp_project_number", {"cloud": "gcp", "region": "us-central1", "gcp_project_number": "0123456"}),
    ("region", {"cloud": "azure", "region": "us-central1"}),
    ("circleci_user_ids", {"cloud": "azure", "region": "eastus", "ci": "circleci", "circleci_user_ids": []}),
    ("circleci_user_ids", {"cloud": "azure", "region": "eastus", "ci": "circleci", "circleci_user_ids": ["me"]}),
    ("azure_subscription_id", {"cloud": "azure", "region": "eastus", "azure_subscription_id": "my-subscription"}),
    (
        "production_host",
        {"cloud": "azure", "region": "eastus", "domain_name": "example.com", "production_host": "apex"},
    ),
    (
        "azure_tenant_id",
        {"cloud": "azure", "region": "eastus", "azure_tenant_id": "00000000-0000-0000-0000-000000000000"},
    ),
]

CASES = [(field, {field: value}) for field, value in BAD_ANSWERS] + BAD_COMBINATIONS
IDS = [f"{field}={json.dumps(bad)[:40]}" for field, bad in CASES]


def cli_value(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def assert_rejected(message: str, field: str, destination: Path):
    assert field in message, message
    assert not destination.exists() or not any(destination.iterdir()), "files were written"


@pytest.mark.parametrize(("field", "bad"), CASES, ids=IDS)
def test_rejected_through_data(tmp_path, field, bad):
    destination = tmp_path / "out"
    with pytest.raises(Exception) as raised:  # noqa: PT011 - copier raises ValueError or its own errors
        run_copy(
            str(ROOT), str(destination), data=answers(**bad), defaults=True, unsafe=True, quiet=True, vcs_ref="HEAD"
        )
    assert_rejected(str(raised.value), field, destination)


@pytest.mark.parametrize(("field", "bad"), CASES, ids=IDS)
def test_rejected_as_default(copie, field, bad):
    result = copie.copy(extra_answers=answers(**bad))  # --defaults with the bad value as the default
    assert result.exception is not None
    assert result.exit_code != 0
    assert_rejected(str(result.exception), field, result.project_dir or Path("/nonexistent"))


def copier_cli(*arguments: str, destination: Path) -> subprocess.CompletedProcess:
    """`copier copy --trust --defaults` of the working tree as a separate process."""
    command = [sys.executable, "-m", "copier", "copy", "--trust", "--defaults", "--vcs-ref", "HEAD", *arguments]
    return subprocess.run(
        [*command, str(ROOT), str(destination)], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(("field", "bad"), CASES, ids=IDS)
def test_rejected_by_cli(tmp_path, field, bad):
    destination = tmp_path / "out"
    data = [arg for key, value in answers(**bad).items() for arg in ("--data", f"{key}={cli_value(value)}")]
    process = copier_cli(*data, destination=destination)
    assert process.returncode != 0
    assert_rejected(process.stderr, field, destination)


def test_rejected_from_data_file(tmp_path):
    data_file = tmp_path / "answers.yml"
    data_file.write_text(yaml.safe_dump(answers(network_cidr="192.169.0.0/16")))
    destination = tmp_path / "out"
    process = copier_cli("--data-file", str(data_file), destination=destination)
    assert process.returncode != 0
    assert_rejected(process.stderr, "network_cidr", destination)
    assert "private range" in process.stderr


def test_good_answers_through_the_cli_render(tmp_path):
    """The counterpart of the rejections above: the same path accepts good answers."""
    data = [arg for key, value in answers().items() for arg in ("--data", f"{key}={cli_value(value)}")]
    process = copier_cli(*data, destination=tmp_path / "out")
    assert process.returncode == 0, process.stderr
    assert (tmp_path / "out" / ".copier-answers.yml").is_file()


def test_interactive_bad_answer_is_asked_again(tmp_path):
    """At the prompt, a bad answer shows the rule and the question stays open; nothing is written."""
    destination = tmp_path / "out"
    child = pexpect.spawn(
        sys.executable,
        ["-m", "copier", "copy", "--trust", "--vcs-ref", "HEAD", str(ROOT), str(destination)],
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 200),
        env={"TERM": "xterm", "PATH": "/usr/bin:/bin"},
    )
    child.expect("Human name of the service")
    child.send("1st service\r")
    child.expect("project_name: must start with a letter")
    child.send("\x15Payments API\r")  # clear the line, answer again
    child.expect("Short name used in every resource name")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus != 0
    assert not destination.exists()
