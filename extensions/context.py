"""ContextHook: values derived from the answers, recomputed on every render and update.

Templates read them from `infra` (see `derive`). Copier builds a new context for every
file it renders, so the result is cached per distinct set of answers.
"""

import hashlib
import ipaddress
import math

from copier_template_extensions import ContextHook

from . import catalog, filters, validation

ANSWERS = (
    "project_name",
    "project_slug",
    "team",
    "repository",
    "cloud",
    "region",
    "orchestrator",
    "runtime",
    "environments",
    "network_cidr",
    "monthly_budget_usd",
    "aws_account_id",
    "gcp_project_id",
    "azure_subscription_id",
    "ci",
    "gitlab_host",
    "monitoring",
    "alert_email",
    "slo_availability",
    "slo_latency_ms",
    "datadog_site",
    "newrelic_region",
    "newrelic_account_id",
    "domain_name",
    "production_host",
    "dns_zone_exists",
)

# What the diagrams (includes/diagrams/) call the parts of each choice; the names of the resources
# come from derive(), as the Terraform's do. A new cloud, orchestrator, CI platform or monitoring
# stack adds its entry here. {placeholders} are answers, or `production`.
DIAGRAM_CLOUDS = {
    "aws": {
        "scope": "AWS account {aws_account_id} · region {region}",
        "network": "VPC",
        "compute": {"kubernetes": "EKS cluster", "serverless": "ECS cluster"},
        "instances": "Fargate tasks",
        "entry": "internal Application Load Balancer",
        # with a domain
        "public_entry": {
            "kubernetes": "internet-facing Application Load Balancer, AWS WAF<br/>"
            "pods registered by the AWS Load Balancer Controller",
            "serverless": "internet-facing Application Load Balancer, AWS WAF",
        },
        # what differs on serverless
        "serverless": {
            "logged": "containers, VPC flow logs",
            "revision": "task definition",
            "stops": "an alarm or the circuit breaker stops the deployment",
            # how a release goes (includes/diagrams/serverless/release.mmd.jinja): ECS runs it
            "canary_first_step_only": True,
            "watched": "alarms watch it: errors, latency",
            "retired": "the old tasks stop",
            "preview": "new tasks at full size<br/>behind the test listener",
            "rolling": "rolling update, circuit breaker, alarms watch it: errors, latency",
            "verified": "deployment succeeded<br/>every task running, every target healthy",
        },
        "registry": "ECR repository",
        "state": "S3 bucket",
        "identity": "IAM roles, assumed with OIDC tokens",
        "acts_as": "role",
        "secrets": "Kubernetes Secrets, encrypted with a KMS key",
        "logs": "CloudWatch Logs",
        "logged": "control plane, VPC flow logs",
        "budget": "AWS Budgets",
        "backup": "AWS Backup",
    },
    "gcp": {
        "scope": "Google Cloud project {gcp_project_id} · region {region}",
        "network": "VPC network",
        "compute": {"kubernetes": "GKE cluster", "serverless": "Cloud Run"},
        "instances": "Cloud Run instances",
        "entry": "Cloud Run service URL",
        "public_entry": {
            "kubernetes": "GKE Gateway: global external Application Load Balancer, Cloud Armor",
            "serverless": "global external Application Load Balancer, Cloud Armor",
        },
        "serverless": {
            "logged": "requests, VPC flow logs",
            "revision": "revision",
            "stops": "a failed smoke test or error check stops the release",
            # deploy/release.py runs the release through the revision's traffic
            "canary_first_step_only": False,
            "watched": "its errors and latency checked",
            "retired": "the old revision keeps no traffic",
            "preview": "new revision, no traffic<br/>smoke test at its tag URL",
            "rolling": "smoke test at its tag URL, then all the traffic, errors checked",
            "verified": "the revision serves all the traffic<br/>and answers /readyz",
        },
        "registry": "Artifact Registry repository",
        "state": "Cloud Storage bucket",
        "identity": "service accounts, impersonated through Workload Identity Federation",
        "acts_as": "service account",
        "secrets": "Kubernetes Secrets, encrypted with a Cloud KMS key",
        "logs": "Cloud Logging",
        "logged": "control plane, VPC flow logs",
        "budget": "Cloud Billing budget",
        "backup": "Backup for GKE",
    },
    "azure": {
        "scope": "Azure subscription {azure_subscription_id} · region {region}",
        "network": "VNet",
        "compute": {"kubernetes": "AKS cluster", "serverless": "Container Apps environment"},
        "instances": "Container Apps replicas",
        "entry": "Container Apps ingress",
        "public_entry": {
            "kubernetes": "Application Gateway for Containers, Azure WAF<br/>certificate from cert-manager",
            "serverless": "Azure Front Door Premium over Private Link, Azure WAF",
        },
        "serverless": {
            "logged": "containers, system logs",
            "revision": "revision",
            "stops": "a failed smoke test or error check stops the release",
            # deploy/release.py runs the release through the revisions' traffic weights
            "canary_first_step_only": False,
            "watched": "its errors checked",
            "retired": "the old revision is deactivated",
            "preview": "new revision, no traffic<br/>smoke test at its label URL",
            "rolling": "smoke test at its label URL, then all the traffic, errors checked",
            "verified": "the revision serves all the traffic<br/>and answers /readyz",
        },
        "registry": "Container Registry",
        "state": "Storage account",
        "identity": "managed identities, federated with OIDC tokens",
        "acts_as": "identity",
        "secrets": "Kubernetes Secrets, encrypted with a Key Vault key",
        "logs": "Log Analytics",
        "logged": "control plane, containers",
        "budget": "Cost Management budget",
        "backup": "Azure Backup",
    },
}
DIAGRAM_CI = {
    "github": {
        "change": "pull request",
        "checks": "ci.yml",
        "plan": "terraform-plan.yml",
        "plan_when": "when terraform/ changes",
        "publish": "deploy.yml: checks again, then publish",
        "approval": "required reviewers of environment {production}",
    },
    "gitlab": {
        "change": "merge request",
        "checks": "validate · test · build-image",
        "plan": "plan",
        "plan_when": "when terraform/ changes",
        "publish": "publish",
        "approval": "manual job deploy-{production}",
    },
    "circleci": {
        "change": "pull request",
        "checks": "validate · test · build-image",
        "plan": "plan-* jobs",
        "plan_when": "on every branch but main",
        "publish": "publish",
        "approval": "approval job approve-{production}",
    },
}
DIAGRAM_MONITORING = {
    "prometheus-grafana": {
        "stack": "kube-prometheus-stack",
        "parts": "Prometheus · Alertmanager · Grafana",
        "analysis": "Prometheus",
        "routes": [
            "P0, P1: PagerDuty and Slack (Slack only outside {production})",
            "P2, P3: Slack",
            "P4: email to {alert_email}",
        ],
        # what differs where the cloud runs Prometheus (serverless), per cloud
        "serverless": {
            "aws": {
                "stack": "Amazon Managed Service for Prometheus",
                "parts": "alert rules · Alertmanager · CloudWatch alarms",
                "routes": ["P0, P1: SNS topic for paging", "P2, P3: SNS topic for chat", "P4: email to {alert_email}"],
            },
            "gcp": {
                "stack": "Google Cloud Managed Service for Prometheus",
                "parts": "Cloud Monitoring alert policies (PromQL and Cloud Run's)",
                "routes": [
                    "P0, P1: paging notification channels",
                    "P2, P3: chat notification channels",
                    "P4: email to {alert_email}",
                ],
            },
            "azure": {
                "stack": "Azure Monitor managed Prometheus",
                "parts": "Prometheus rule groups · Azure Monitor alerts",
                "routes": [
                    "P0, P1: action group for paging",
                    "P2, P3: action group for chat",
                    "P4: email to {alert_email}",
                ],
            },
        },
    },
    "cloud-native": {
        "stack": "the cloud's own monitoring",
        "parts": "alarms · dashboards · traces",
        "analysis": "CloudWatch",
        "routes": ["P0, P1: SNS topic for paging", "P2, P3: SNS topic for chat", "P4: email to {alert_email}"],
        # offered on AWS serverless so far (catalog.MONITORING_PLACES)
        "serverless": {
            "aws": {
                "stack": "Amazon CloudWatch and AWS X-Ray",
                "parts": "SLO and symptom alarms · dashboard · traces",
            },
        },
    },
    "newrelic": {
        "stack": "New Relic Kubernetes integration",
        "parts": "metrics · logs · traces to New Relic",
        "analysis": "New Relic",
        "routes": [
            "P0, P1: PagerDuty (Slack outside {production})",
            "P2, P3: Slack",
            "P4: email to {alert_email}",
        ],
    },
    "datadog": {
        "stack": "Datadog Agent",
        "parts": "metrics · logs · traces to Datadog",
        "analysis": "Datadog",
        "routes": [
            "P0, P1: PagerDuty (Slack outside {production})",
            "P2, P3: Slack",
            "P4: email to {alert_email}",
        ],
    },
}


def answer_errors(answers: dict) -> list[str]:
    """Errors in the answers derive() depends on; derive() runs only without any."""
    environments = answers.get("environments")
    checks = [
        validation.label_error(answers.get("project_slug", ""), "project_slug", 30),
        validation.region_error(answers.get("region", ""), answers.get("cloud", "")),
        validation.environments_error(environments),
        validation.network_cidr_error(answers.get("network_cidr", "")),
        "" if answers.get("runtime") in catalog.RUNTIMES else "runtime: not answered yet",
        validation.domain_name_error(answers.get("domain_name"), environments),
        validation.production_host_error(
            answers.get("production_host"), answers.get("cloud"), answers.get("orchestrator")
        ),
        validation.monitoring_error(answers["monitoring"], answers.get("orchestrator"), answers.get("cloud"))
        if answers.get("monitoring")
        else "",
        "" if answers.get("slo_availability") is not None else "slo_availability: not answered yet",
        "" if answers.get("slo_latency_ms") is not None else "slo_latency_ms: not answered yet",
    ]
    return [error for error in checks if error]


def network_plan(network_cidr: str, environments: list[str], zone_counts: list[int]) -> list[dict]:
    """One block per environment, cut from network_cidr and never overlapping.

    The supernet is always cut into ENVIRONMENT_SLOTS blocks: production takes the last one and
    the other environments take the first ones in order, so appending an environment before
    production later leaves every existing block where it is.
    Inside an environment's block, each zone gets a private subnet of a quarter of the block
    (workloads, nodes, pods), and the last quarter holds the public subnets (one sixteenth each:
    load balancers and NAT gateways only).
    """
    supernet = ipaddress.IPv4Network(network_cidr)
    slots = list(supernet.subnets(new_prefix=supernet.prefixlen + int(math.log2(catalog.ENVIRONMENT_SLOTS))))
    blocks = [*slots[: len(environments) - 1], slots[-1]]
    plan = []
    for block, zone_count in zip(blocks, zone_counts, strict=True):
        quarters = list(block.subnets(new_prefix=block.prefixlen + 2))
        public = list(quarters[3].subnets(new_prefix=block.prefixlen + 4))
        plan.append(
            {
                "cidr": str(block),
                "private_subnets": [str(net) for net in quarters[:zone_count]],
                "public_subnets": [str(net) for net in public[:zone_count]],
            }
        )
    return plan


def gcp_network_plan(block: str, orchestrator: str = "kubernetes") -> dict:
    """A GKE environment's ranges: one regional subnet for the nodes (a quarter of the block), the
    next quarter for Services, and the second half for Pods (a /24 per node by default). On
    serverless the subnet (the same quarter) gives Cloud Run's instances their addresses for Direct
    VPC egress (two per instance, at least a /26): no secondary ranges."""
    network = ipaddress.IPv4Network(block)
    quarters = list(network.subnets(new_prefix=network.prefixlen + 2))
    halves = list(network.subnets(new_prefix=network.prefixlen + 1))
    if orchestrator == "serverless":
        return {"private_subnets": [str(quarters[0])], "public_subnets": []}
    return {
        "private_subnets": [str(quarters[0])],
        "public_subnets": [],
        "services_cidr": str(quarters[1]),
        "pods_cidr": str(halves[1]),
    }


def azure_network_plan(block: str) -> dict:
    """An AKS environment's ranges: the VNet is the first half of the block (nodes in its first
    quarter, private endpoints in a /24 of the second); Azure CNI Overlay gives Pods the third
    quarter and Services the fourth, both outside the VNet as AKS requires. The /24 after the
    endpoints' is for a load balancer that needs its own delegated subnet (Application Gateway for
    Containers)."""
    network = ipaddress.IPv4Network(block)
    quarters = list(network.subnets(new_prefix=network.prefixlen + 2))
    halves = list(network.subnets(new_prefix=network.prefixlen + 1))
    services = quarters[3]
    return {
        "vnet_cidr": str(halves[0]),
        "private_subnets": [str(quarters[0])],
        "public_subnets": [],
        "endpoints_subnet": str(next(quarters[1].subnets(new_prefix=24))),
        "load_balancer_subnet": str(list(quarters[1].subnets(new_prefix=24))[1]),
        "pods_cidr": str(quarters[2]),
        "services_cidr": str(services),
        "dns_service_ip": str(services.network_address + 10),
    }


def whole_minutes(duration: str) -> int:
    """'90s', '5m' or '1h' in whole minutes, rounded up, at least one."""
    number, unit = int(duration[:-1]), duration[-1]
    seconds = number * {"s": 1, "m": 60, "h": 3600}[unit]
    return max(1, math.ceil(seconds / 60))


def registry(answers: dict, slug: str) -> dict:
    """Where the service's image lives: the registry host and the image path without a tag."""
    if answers["cloud"] == "gcp":
        host = f"{answers['region']}-docker.pkg.dev"
        return {"registry_host": host, "image": f"{host}/{answers['gcp_project_id']}/{slug}/{slug}"}
    if answers["cloud"] == "azure":
        name = filters.alphanumeric_name(slug, "acr", filters.short_hash(answers["repository"] + slug), max_length=50)
        host = f"{name}.azurecr.io"
        return {"registry_name": name, "registry_host": host, "image": f"{host}/{slug}"}
    host = f"{answers.get('aws_account_id')}.dkr.ecr.{answers['region']}.amazonaws.com"
    return {"registry_host": host, "image": f"{host}/{slug}"}


def state_bucket(answers: dict, slug: str) -> str:
    """The globally unique name of the state's bucket (Azure: its storage account)."""
    suffix = filters.short_hash(answers["repository"] + slug)
    if answers["cloud"] == "azure":
        return filters.storage_account_name(slug, "tfstate", suffix)
    return filters.bucket_name(slug, "tfstate", suffix)


def identity_name(cloud: str, name: str) -> str:
    """A CI or workload identity's name: IAM role names as they are, GCP service account IDs
    (6-30 characters) shortened with a hash, Azure managed identities prefixed `id-`."""
    if cloud == "gcp":
        return filters.gcp_id(name, 6, 30)
    if cloud == "azure":
        return f"id-{name}"
    return name


def repository_web(answers: dict) -> dict:
    """Where people browse the repository: its URL, and the prefix of links to files on main."""
    if answers.get("ci") == "gitlab":
        url = f"https://{answers.get('gitlab_host') or 'gitlab.com'}/{answers['repository']}"
        return {"url": url, "blob": f"{url}/-/blob/main", "tree": f"{url}/-/tree/main"}
    url = f"https://github.com/{answers['repository']}"
    return {"url": url, "blob": f"{url}/blob/main", "tree": f"{url}/tree/main"}


def diagram_labels(answers: dict, production: str) -> dict:
    """The diagrams' labels for the chosen cloud, orchestrator, CI platform and monitoring stack."""
    values = {**answers, "production": production}

    def fill(value):
        if isinstance(value, str):
            return value.format(**values)
        if isinstance(value, list):
            return [fill(item) for item in value]
        if isinstance(value, dict):
            return {key: fill(item) for key, item in value.items()}
        return value

    def for_orchestrator(labels: dict) -> dict:
        labels = dict(labels)
        serverless = labels.pop("serverless", {})
        return {**labels, **serverless} if answers.get("orchestrator") == "serverless" else labels

    cloud = for_orchestrator(DIAGRAM_CLOUDS.get(answers.get("cloud"), {}))
    public_entry = cloud.pop("public_entry", {}).get(answers.get("orchestrator"))
    if answers.get("domain_name") and public_entry:
        cloud["entry"] = public_entry
    compute = cloud.pop("compute", {}).get(answers.get("orchestrator"))
    if compute:
        cloud["compute"] = compute
    monitoring = dict(DIAGRAM_MONITORING.get(answers.get("monitoring"), {}))
    by_cloud = monitoring.pop("serverless", {})
    if answers.get("orchestrator") == "serverless":
        monitoring.update(by_cloud.get(answers.get("cloud"), {}))
    return {
        "cloud": fill(cloud),
        "ci": fill(DIAGRAM_CI.get(answers.get("ci"), {})),
        "monitoring": fill(monitoring),
    }


def derive(answers: dict) -> dict:
    """Everything the template needs beyond the raw answers. Pure: same answers, same result."""
    slug = answers["project_slug"]
    environments = answers["environments"]
    production = environments[-1]
    region_zones = catalog.zones(answers["cloud"], answers["region"])
    sizing = [catalog.PRODUCTION if env == production else catalog.NON_PRODUCTION for env in environments]
    zone_counts = [min(size["zone_count"], len(region_zones)) for size in sizing]
    plan = network_plan(answers["network_cidr"], environments, zone_counts)
    budget = int(answers.get("monthly_budget_usd") or 0)
    runtime = catalog.RUNTIMES[answers["runtime"]]

    cloud = answers["cloud"]
    if cloud == "gcp" and answers.get("orchestrator") == "serverless":
        plan = [{**net, **gcp_network_plan(net["cidr"], "serverless")} for net in plan]
        for env, net in zip(environments, plan, strict=True):
            net["subnet_labels"] = [f"Cloud Run egress {net['private_subnets'][0]}"]
            # the service's own identity (terraform/bootstrap creates it), instead of the nodes'
            net["runtime_identity"] = identity_name(cloud, f"{slug}-{env}-run")
            # Backup for GKE has nothing to back up on Cloud Run: the service keeps no state
            net["backup"] = False
    elif cloud == "gcp":
        plan = [{**net, **gcp_network_plan(net["cidr"])} for net in plan]
        for net in plan:
            net["subnet_labels"] = [
                f"nodes {net['private_subnets'][0]}",
                f"pods {net['pods_cidr']}",
                f"services {net['services_cidr']}",
            ]
    elif cloud == "azure":
        plan = [{**net, **azure_network_plan(net["cidr"])} for net in plan]
        for net in plan:
            if answers.get("orchestrator") == "serverless":
                # the Container Apps environment's subnet; the pods and services ranges stay unused
                net["subnet_labels"] = [
                    f"Container Apps {net['private_subnets'][0]}",
                    f"endpoints {net['endpoints_subnet']}",
                ]
                # Azure Backup for AKS has nothing to back up: the container app keeps no state
                net["backup"] = False
                continue
            net["subnet_labels"] = [
                f"nodes {net['private_subnets'][0]}",
                f"endpoints {net['endpoints_subnet']}",
                f"overlay pods {net['pods_cidr']}",
                f"services {net['services_cidr']}",
            ]
    else:
        for net in plan:
            net["subnet_labels"] = [
                "private " + ", ".join(net["private_subnets"]),
                "public " + ", ".join(net["public_subnets"]),
            ]

    per_environment = {}
    for index, (env, size, net, zone_count) in enumerate(zip(environments, sizing, plan, zone_counts, strict=True)):
        per_environment[env] = {
            **size,
            **net,
            "node_instance_types": size["node_instance_types"][cloud],
            "name": env,
            "index": index,
            "is_production": env == production,
            "zones": region_zones[:zone_count],
            "resource_prefix": f"{slug}-{env}",
            # GKE cluster names have at most 40 characters
            "cluster_name": filters.dns_label(f"{slug}-{env}", 40) if cloud == "gcp" else f"{slug}-{env}",
            # the serverless service: Cloud Run's lives beside the other environments' in one project
            # and carries the environment's name; ECS's and Container Apps' are inside their own
            # cluster or environment
            "service_name": (filters.dns_label(f"{slug}-{env}", 40) if cloud == "gcp" else slug),
            # GKE: regional control plane in production, zonal (first zone) elsewhere
            "cluster_location": region_zones[0] if cloud == "gcp" and env != production else answers["region"],
            "deploy_role_name": identity_name(cloud, f"{slug}-{env}-deploy"),
            # GCP: the nodes' service account, created by terraform/bootstrap
            "node_identity": identity_name(cloud, f"{slug}-{env}-nodes"),
            "state_key": f"environments/{env}/terraform.tfstate",
            "state_prefix": f"environments/{env}",
            "resource_group": f"rg-{slug}-{env}",
            # what the diagrams name: the network's own range and the budget
            "address_space": net.get("vnet_cidr", net["cidr"]),
            "budget_name": f"budget-rg-{slug}-{env}" if cloud == "azure" else f"{slug}-{env}",
            "budget_usd": max(10, round(budget * size["budget_share"])),
            "memory_request": catalog.scaled_memory(size["memory_request"], runtime["memory_factor"]),
            "memory_limit": catalog.scaled_memory(size["memory_limit"], runtime["memory_factor"]),
            "task_memory": size["task_memory"] * runtime["memory_factor"],
            # serverless deployments: the canary's share holds this long, and the new version is
            # watched this long after taking all traffic (as many checks as an analysis, at least 3 minutes)
            "canary_bake_minutes": whole_minutes(size["canary_pause"]),
            "bake_minutes": max(3, whole_minutes(size["canary_pause"]) * size["analysis_count"]),
            # serverless: where alerts go, one topic (or channel) per routing level
            "alert_topics": {level: f"{slug}-{env}-alerts-{level}" for level in ("page", "notify", "ticket")},
            # the environment's public host name over HTTPS, when the service has a domain
            "hostname": hostname(answers, env, production),
            # Google Cloud: its managed certificate, named after the host name as
            # terraform/modules/load-balancer names it (a new host name, a new certificate)
            "certificate_name": certificate_name(f"{slug}-{env}", hostname(answers, env, production)),
            # Azure: the environment's secret store, a Key Vault (3-24 letters and digits, unique
            # across Azure and kept for its soft-delete days after deletion)
            "key_vault_name": (
                filters.storage_account_name(slug, env, "kvs", filters.short_hash(answers["repository"] + slug))
                if cloud == "azure"
                else None
            ),
        }

    return {
        "slug": slug,
        "production": production,
        "non_production": environments[:-1],
        "zones": region_zones,
        "environments": per_environment,
        "state_bucket": state_bucket(answers, slug),
        "registry_repository": slug,
        **registry(answers, slug),
        "runtime": runtime,
        "latency_le": latency_le(answers),
        "latency_bucket": latency_bucket(answers),
        "repository_web": repository_web(answers),
        "diagram": diagram_labels(answers, production),
        "plan_role_name": identity_name(cloud, f"{slug}-plan"),
        "publish_role_name": identity_name(cloud, f"{slug}-publish"),
        "ci_pool_id": filters.gcp_id(f"{slug}-ci", 4, 32),
        "resource_group_shared": f"rg-{slug}-shared",
        "state_container": "tfstate",
        "ci_provider_id": answers.get("ci"),
        "namespace": slug,
        # the monitoring partials of where the service runs (includes/monitoring/): Kubernetes's
        # are the same on every cloud, serverless ones are the cloud's own
        "monitoring_target": "kubernetes" if answers["orchestrator"] == "kubernetes" else f"serverless/{cloud}",
        # serverless: a deployment rolls back when it spends the availability objective's error
        # budget 14.4 times too fast (the fast-burn page), or misses the latency objective
        "rollback_error_percent": round(min(max((100 - float(answers["slo_availability"])) * 14.4, 1), 50), 2),
        "rollback_latency_ms": int(answers["slo_latency_ms"]),
        "domain": domain(answers),
        "datadog": datadog(answers),
        "newrelic": newrelic(answers),
        "labels": {
            "app.kubernetes.io/name": slug,
            "app.kubernetes.io/part-of": slug,
            "app.kubernetes.io/managed-by": "Helm",
        },
        "tags": {
            "Project": slug,
            "Team": answers["team"],
            "ManagedBy": "terraform",
            "Repository": answers["repository"],
        },
        # GCP labels: lowercase keys and values of letters, digits, '-' and '_' (at most 63)
        "labels_gcp": {
            "project": slug,
            "team": answers["team"],
            "managed-by": "terraform",
            "repository": filters.dns_label(answers["repository"], 63),
        },
    }


def latency_le(answers: dict) -> str:
    """The `le` label of the latency objective's histogram bucket as the service writes it: Python
    and Java print whole seconds as 1.0, Go and Node as 1. Prometheus 3 and the Datadog Agent
    store both as 1.0 (as `(slo_latency_ms / 1000) | string` prints it); a store that keeps the
    label as scraped needs both forms."""
    bound = str(int(answers["slo_latency_ms"]) / 1000)
    return bound.removesuffix(".0") if answers["runtime"] in ("go", "node") else bound


def latency_bucket(answers: dict) -> str:
    """PromQL matcher of the latency objective's bucket. Prometheus 3 writes a whole-second `le` as
    1.0 whatever the runtime, the OpenTelemetry collectors' remote write as 1: match both."""
    seconds = int(answers["slo_latency_ms"]) / 1000
    return f'le=~"{int(seconds)}|{seconds}"' if seconds.is_integer() else f'le="{seconds}"'


def domain(answers: dict) -> dict | None:
    """The domain the service is published on, and whether its DNS zone exists before bootstrap."""
    if not answers.get("domain_name"):
        return None
    return {"name": answers["domain_name"], "zone_exists": bool(answers.get("dns_zone_exists"))}


def hostname(answers: dict, env: str, production: str) -> str | None:
    """<env>.<domain>; production on the domain itself, www.<domain> or api.<domain>."""
    name = answers.get("domain_name")
    if not name:
        return None
    if env != production:
        return f"{env}.{name}"
    host = answers.get("production_host") or "apex"
    return name if host == "apex" else f"{host}.{name}"


def certificate_name(prefix: str, host: str | None) -> str | None:
    """`<prefix>-lb-<first 8 hex digits of sha256(host)>`, as the load-balancer module computes it."""
    if not host:
        return None
    return f"{prefix}-lb-{hashlib.sha256(host.encode()).hexdigest()[:8]}"


def datadog(answers: dict) -> dict | None:
    """Where the Datadog organisation lives and what the Agent calls the service's metrics."""
    if answers.get("monitoring") != "datadog":
        return None
    site = answers.get("datadog_site") or "datadoghq.com"
    return {
        "site": site,
        "api_url": f"https://api.{site}/",
        # the first sites answer at app.<site>; the newer ones at the site's own name
        "app_url": f"https://app.{site}"
        if site in ("datadoghq.com", "datadoghq.eu", "ddog-gov.com")
        else f"https://{site}",
        # the openmetrics check's namespace: the prefix of the service's metric names
        "metric_namespace": answers["project_slug"].replace("-", "_"),
    }


def newrelic(answers: dict) -> dict | None:
    """The endpoints of the New Relic account's region."""
    if answers.get("monitoring") != "newrelic":
        return None
    eu = answers.get("newrelic_region") == "EU"
    return {
        "region": "EU" if eu else "US",
        "account_id": answers.get("newrelic_account_id"),
        "otlp_endpoint": "https://otlp.eu01.nr-data.net" if eu else "https://otlp.nr-data.net",
        "app_url": "https://one.eu.newrelic.com" if eu else "https://one.newrelic.com",
        "api_url": "https://api.eu.newrelic.com/graphql" if eu else "https://api.newrelic.com/graphql",
    }


_cache: dict[tuple, dict] = {}


class DerivedContext(ContextHook):
    def hook(self, context):
        answers = {key: context.get(key) for key in ANSWERS}
        if not answers["domain_name"]:
            # Copier passes the questions a domain brings as unset or as their defaults at
            # different steps of one render; without a domain they mean nothing
            answers.update(domain_name="", production_host=None, dns_zone_exists=None)
        else:
            answers.update(
                production_host=answers["production_host"] or "apex", dns_zone_exists=bool(answers["dns_zone_exists"])
            )
        if answer_errors(answers):  # validators report these; nothing to derive yet
            return
        key = repr(sorted(answers.items()))
        if key not in _cache:
            _cache[key] = derive(answers)
        context["infra"] = _cache[key]
