from pathlib import Path

import pytest
from combinations import combination_id, defaults, pairwise
from helpers import answers, render


@pytest.fixture(scope="session")
def default_project(copie_session) -> Path:
    result = copie_session.copy(extra_answers=answers())
    assert result.exception is None, result.exception
    return result.project_dir


ENVIRONMENT_VARIANTS = {
    "one-environment": {"environments": ["prod"], "network_cidr": "10.8.0.0/17", "region": "eu-west-1"},
    "six-environments": {
        "environments": ["dev", "test", "qa", "uat", "preprod", "live"],
        "network_cidr": "172.16.0.0/12",
        "region": "us-west-1",
    },
}


# Serverless Terraform differs by strategy on AWS (ECS runs it) and the script differs by cloud:
# the strategies the pairwise set leaves out on a serverless cloud.
SERVERLESS_VARIANTS = {
    "aws-serverless-rolling": {"orchestrator": "serverless", "deploy_strategy": "rolling", "ci": "gitlab"},
    # a public domain: HTTPS, DNS and a web application firewall (bootstrap creates the zone, or
    # the environments find the one that exists)
    "aws-serverless-domain": {
        "orchestrator": "serverless",
        "deploy_strategy": "canary",
        "runtime": "node",
        "domain_name": "payments.example.com",
    },
    # the cloud's own monitoring: CloudWatch alarms and dashboard, X-Ray (no Prometheus workspace)
    "aws-serverless-cloud-native": {
        "orchestrator": "serverless",
        "deploy_strategy": "blue-green",
        "runtime": "java",
        "monitoring": "cloud-native",
    },
    "gcp-serverless-domain": {
        "cloud": "gcp",
        "region": "europe-west1",
        "orchestrator": "serverless",
        "deploy_strategy": "blue-green",
        "ci": "gitlab",
        "domain_name": "payments.example.com",
        "production_host": "api",
        "dns_zone_exists": True,
    },
    "azure-serverless-canary": {
        "cloud": "azure",
        "region": "eastus",
        "orchestrator": "serverless",
        "deploy_strategy": "canary",
        "runtime": "go",
    },
}


# A public domain on Kubernetes (the cloud's ingress path, certificate and firewall) and on Azure's
# serverless containers: one render each, with the answers the serverless domains above leave out.
PUBLIC_VARIANTS = {
    "aws-kubernetes-domain": {"deploy_strategy": "canary", "domain_name": "payments.example.com"},
    "gcp-kubernetes-domain": {
        "cloud": "gcp",
        "region": "europe-west1",
        "deploy_strategy": "blue-green",
        "monitoring": "datadog",
        "domain_name": "payments.example.com",
        "production_host": "www",
    },
    "azure-kubernetes-domain": {
        "cloud": "azure",
        "region": "eastus",
        "ci": "circleci",
        "domain_name": "payments.example.com",
        "production_host": "www",
        "dns_zone_exists": True,
    },
    "azure-serverless-domain": {
        "cloud": "azure",
        "region": "eastus",
        "orchestrator": "serverless",
        "deploy_strategy": "blue-green",
        "domain_name": "payments.example.com",
        "production_host": "api",
    },
}


@pytest.fixture(scope="session")
def matrix(tmp_path_factory) -> dict[str, Path]:
    """The default repository, every other combination of the pairwise set and every environment
    variant, rendered once (validated together by test_matrix_passes_every_validator)."""
    root = tmp_path_factory.mktemp("matrix")
    projects = {"default": render(root / "default")}
    for combo in pairwise():
        if combo != defaults():
            projects[combination_id(combo)] = render(root / combination_id(combo), **combo)
    for name, overrides in {**ENVIRONMENT_VARIANTS, **SERVERLESS_VARIANTS, **PUBLIC_VARIANTS}.items():
        projects[name] = render(root / name, **overrides)
    return projects
