"""Data tables: the regions each cloud offers with their zones, and per-environment defaults.

Zone lists are the zones a new account or project sees; the network plan spreads subnets over
the first ones (three in production, two elsewhere).
"""

from jinja2.ext import Extension

AWS_REGIONS = {
    "us-east-1": "abcdef",
    "us-east-2": "abc",
    "us-west-1": "ac",
    "us-west-2": "abcd",
    "af-south-1": "abc",
    "ap-east-1": "abc",
    "ap-south-1": "abc",
    "ap-south-2": "abc",
    "ap-southeast-1": "abc",
    "ap-southeast-2": "abc",
    "ap-southeast-3": "abc",
    "ap-southeast-4": "abc",
    "ap-southeast-5": "abc",
    "ap-southeast-7": "abc",
    "ap-northeast-1": "acd",
    "ap-northeast-2": "abcd",
    "ap-northeast-3": "abc",
    "ca-central-1": "abd",
    "ca-west-1": "abc",
    "eu-central-1": "abc",
    "eu-central-2": "abc",
    "eu-west-1": "abc",
    "eu-west-2": "abc",
    "eu-west-3": "abc",
    "eu-south-1": "abc",
    "eu-south-2": "abc",
    "eu-north-1": "abc",
    "il-central-1": "abc",
    "me-south-1": "abc",
    "me-central-1": "abc",
    "mx-central-1": "abc",
    "sa-east-1": "abc",
}

GCP_REGIONS = {
    "us-central1": "abcf",
    "us-east1": "bcd",
    "us-east4": "abc",
    "us-east5": "abc",
    "us-south1": "abc",
    "us-west1": "abc",
    "us-west2": "abc",
    "us-west3": "abc",
    "us-west4": "abc",
    "northamerica-northeast1": "abc",
    "northamerica-northeast2": "abc",
    "southamerica-east1": "abc",
    "europe-west1": "bcd",
    "europe-west2": "abc",
    "europe-west3": "abc",
    "europe-west4": "abc",
    "europe-west6": "abc",
    "europe-west8": "abc",
    "europe-west9": "abc",
    "europe-north1": "abc",
    "europe-central2": "abc",
    "europe-southwest1": "abc",
    "asia-east1": "abc",
    "asia-east2": "abc",
    "asia-northeast1": "abc",
    "asia-northeast2": "abc",
    "asia-northeast3": "abc",
    "asia-south1": "abc",
    "asia-southeast1": "abc",
    "asia-southeast2": "abc",
    "australia-southeast1": "abc",
    "me-west1": "abc",
}

# Azure regions with availability zones 1-3; regions without zones are not offered.
AZURE_REGIONS = [
    "eastus",
    "eastus2",
    "centralus",
    "southcentralus",
    "westus2",
    "westus3",
    "canadacentral",
    "brazilsouth",
    "northeurope",
    "westeurope",
    "uksouth",
    "francecentral",
    "germanywestcentral",
    "swedencentral",
    "switzerlandnorth",
    "norwayeast",
    "polandcentral",
    "italynorth",
    "spaincentral",
    "southafricanorth",
    "uaenorth",
    "qatarcentral",
    "israelcentral",
    "centralindia",
    "eastasia",
    "southeastasia",
    "japaneast",
    "koreacentral",
    "australiaeast",
    "newzealandnorth",
]


def zones(cloud: str, region: str) -> list[str]:
    """Zone names of a region, or [] when the region is unknown for that cloud."""
    if cloud == "aws":
        return [region + letter for letter in AWS_REGIONS.get(region, "")]
    if cloud == "gcp":
        return [f"{region}-{letter}" for letter in GCP_REGIONS.get(region, "")]
    if cloud == "azure":
        return ["1", "2", "3"] if region in AZURE_REGIONS else []
    return []


def regions(cloud: str) -> list[str]:
    return sorted({"aws": AWS_REGIONS, "gcp": GCP_REGIONS, "azure": AZURE_REGIONS}.get(cloud, []))


# Sizing by environment role. Production is the last environment in the list.
PRODUCTION = {
    "zone_count": 3,
    "nat_per_zone": True,
    # per cloud; 2 vCPUs and 8 GiB each
    "node_instance_types": {"aws": ["m7i.large"], "gcp": ["n2-standard-2"], "azure": ["Standard_D2s_v5"]},
    "spot_nodes": False,
    "node_min": 3,
    "node_desired": 3,
    "node_max": 9,
    "replicas_min": 3,
    "replicas_max": 12,
    "max_unavailable": 0,
    "max_surge": "25%",
    "cpu_request": "250m",
    "memory_request": "256Mi",
    "memory_limit": "512Mi",
    # serverless: one task's (or instance's) vCPU share and memory in MiB, a Fargate combination
    "task_cpu": 512,
    "task_memory": 1024,
    "log_retention_days": 365,
    "backup": True,
    "backup_retention_days": 35,
    "deletion_protection": True,
    "budget_share": 1.0,
    # canary and blue-green (Argo Rollouts): small steps, longer analyses, a person promotes
    "canary_weights": [10, 25, 50],
    "canary_pause": "5m",
    "analysis_count": 5,
    "blue_green_auto_promotion": False,
}

NON_PRODUCTION = {
    "zone_count": 2,
    "nat_per_zone": False,
    "node_instance_types": {"aws": ["t3.large"], "gcp": ["e2-standard-2"], "azure": ["Standard_D2as_v5"]},
    # Spot capacity where the platform offers it without changing the workload (GKE, AKS user pools,
    # Fargate Spot for all tasks but the first); the replicas absorb a reclaimed node or task.
    "spot_nodes": True,
    "node_min": 1,
    "node_desired": 2,
    "node_max": 4,
    "replicas_min": 1,
    "replicas_max": 3,
    "max_unavailable": 1,
    "max_surge": 1,
    "cpu_request": "100m",
    "memory_request": "128Mi",
    "memory_limit": "256Mi",
    "task_cpu": 256,
    "task_memory": 512,
    "log_retention_days": 30,
    "backup": False,
    "backup_retention_days": 7,
    "deletion_protection": False,
    "budget_share": 0.25,
    "canary_weights": [50],
    "canary_pause": "1m",
    "analysis_count": 3,
    "blue_green_auto_promotion": True,
}

# Per runtime: how it is named in the docs; how much more memory than the sizing above its
# service needs (the JVM's heap, metaspace and code cache); what the short-lived pods that run the
# image in client mode (helm test, the analysis traffic job) get; and how CI tests app/. Python is
# tested in the pipelines' own Python toolbox after `install` (image None). The others are tested in
# their toolchain `image` (also their Dockerfile's build stage) with `install` and `test` (run in
# app/), `cache_env` putting the tool's download cache under {root}/.cache, keyed on `lock_files`.
# monitoring stacks and the orchestrators each one is built for so far
MONITORING_ORCHESTRATORS = {
    "prometheus-grafana": ("kubernetes", "serverless"),
    "datadog": ("kubernetes",),
    "newrelic": ("kubernetes",),
}
# Stacks offered per (cloud, orchestrator) instead: the cloud's own monitoring is built one place at
# a time (CloudWatch alarms on the load balancer of ECS on Fargate first).
MONITORING_PLACES = {
    "cloud-native": (("aws", "serverless"),),
}
# Where production cannot be published on the domain itself: the load balancer gives only a host
# name to point a CNAME at (Application Gateway for Containers), and the apex holds no CNAME
NO_APEX = (("azure", "kubernetes"),)
RUNTIMES = {
    "python": {
        "label": "Python, Starlette",
        "unit_tests": "app/tests/",
        "memory_factor": 1,
        "client_memory": "64Mi",
        "image": None,
        "install": "python -m pip install -r requirements-dev.txt",
    },
    "node": {
        "label": "Node.js, Fastify",
        "unit_tests": "app/test/",
        "memory_factor": 1,
        "client_memory": "96Mi",
        "version": "24.21.0",
        "image": "node:24.21.0-bookworm-slim",
        "install": "npm ci --no-audit --no-fund",
        "test": "npm test",
        "cache_env": {"npm_config_cache": "{root}/.cache/npm"},
        "lock_files": ["app/package-lock.json"],
    },
    "go": {
        "label": "Go, standard library",
        "unit_tests": "app/**/*_test.go",
        "memory_factor": 1,
        "client_memory": "32Mi",
        "version": "1.25",
        "image": "golang:1.25.5-bookworm",
        "install": "go mod download",
        "test": "go vet ./... && go test ./...",
        "cache_env": {"GOMODCACHE": "{root}/.cache/go/mod", "GOCACHE": "{root}/.cache/go/build"},
        "lock_files": ["app/go.mod"],
    },
    "java": {
        "label": "Java, the JDK's HTTP server",
        "unit_tests": "app/src/test/java/",
        "memory_factor": 2,
        "client_memory": "192Mi",
        "version": "21",
        "image": "maven:3.9.16-eclipse-temurin-21",
        "install": "mvn --batch-mode --no-transfer-progress dependency:go-offline",
        "test": "mvn --batch-mode --no-transfer-progress verify",
        "cache_env": {"MAVEN_ARGS": "-Dmaven.repo.local={root}/.cache/m2"},
        "lock_files": ["app/pom.xml"],
    },
}


def scaled_memory(quantity: str, factor: int) -> str:
    """'256Mi' scaled by factor, in the same unit."""
    number = quantity.rstrip("KMGTi")
    return f"{int(number) * factor}{quantity[len(number) :]}"


# Each environment's network must hold a /22 private subnet per zone: at least a /20.
LARGEST_ENVIRONMENT_PREFIX = 20
# network_cidr is always cut into this many equal blocks, whatever the number of environments,
# so adding an environment later never resizes or moves the existing ones (at most 6 are allowed).
ENVIRONMENT_SLOTS = 8
PRIVATE_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")


class CatalogExtension(Extension):
    """Loaded first by copier.yml, so the modules that import this one find it."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.globals.update(cloud_regions=regions, cloud_zones=zones, no_apex=NO_APEX)
