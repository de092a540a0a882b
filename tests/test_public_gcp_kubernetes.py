"""A domain on GKE: Terraform creates, per environment, the address, records, Google-managed
certificate, SSL policy and Cloud Armor policy; the chart's Gateway (GKE's managed controller)
names them and routes the host name to the service, HTTPS only.

The chart is checked on `helm template` output, the Terraform on parsed HCL; the names the chart
carries must be the names Terraform gives, since nothing passes them between the two.
"""

import subprocess
from pathlib import Path

import pytest
import yaml
from helpers import load_hcl, render, unavailable

from extensions import context

GKE = {"cloud": "gcp", "region": "europe-west1", "orchestrator": "kubernetes"}
DOMAIN = {"domain_name": "payments.example.com"}
ENVIRONMENTS = ("dev", "staging", "prod")
WAF_RULE_SETS = ("sqli", "xss", "lfi", "rfi", "rce", "scannerdetection", "protocolattack", "sessionfixation")
GOOGLE_FRONT_ENDS = ["35.191.0.0/16", "130.211.0.0/22"]


@pytest.fixture(scope="module")
def public(tmp_path_factory) -> dict[str, Path]:
    """Domain renders: the zone created by terraform/bootstrap, or one that exists already."""
    root = tmp_path_factory.mktemp("gke-domain")
    return {
        "zone-created": render(
            root / "created",
            deploy_strategy="blue-green",
            monitoring="datadog",
            production_host="www",
            dns_zone_exists=False,
            **GKE,
            **DOMAIN,
        ),
        "zone-exists": render(root / "exists", deploy_strategy="canary", dns_zone_exists=True, **GKE, **DOMAIN),
    }


@pytest.fixture(scope="module")
def private(tmp_path_factory) -> Path:
    return render(tmp_path_factory.mktemp("gke-private") / "p", deploy_strategy="rolling", **GKE)


def by_address(path: Path) -> dict:
    """Every resource of a file by `type.name`."""
    return {
        f"{kind}.{name}": body
        for entry in load_hcl(path).get("resource", [])
        for kind, named in entry.items()
        for name, body in named.items()
    }


def entry_module(project: Path) -> dict:
    return by_address(project / "terraform" / "modules" / "public-entry" / "main.tf")


def cloud_armor(project: Path) -> dict:
    """The public entry's call of the shared cloud-armor module, and that module's resources."""
    main = load_hcl(project / "terraform" / "modules" / "public-entry" / "main.tf")
    call = next(entry["cloud_armor"] for entry in main["module"] if "cloud_armor" in entry)
    return {
        "call": call,
        "moved": main.get("moved", []),
        **by_address(project / "terraform" / "modules" / "cloud-armor" / "main.tf"),
    }


def module_arguments(project: Path, env: str, name: str) -> dict:
    main = load_hcl(project / "terraform" / "environments" / env / "main.tf")
    return next(entry[name] for entry in main.get("module", []) if name in entry)


def outputs(path: Path) -> dict:
    return {name: body for entry in load_hcl(path).get("output", []) for name, body in entry.items()}


def infra(project: Path) -> dict:
    return context.derive(yaml.safe_load((project / ".copier-answers.yml").read_text()))


def helm_template(project: Path, env: str) -> list[dict]:
    import harness

    helm = harness.find_tool("helm")
    if not helm:
        unavailable("helm is not installed (scripts/install-tools)")
    run = subprocess.run(
        [helm, "template", "svc", "deploy/chart", "-n", "ns", "-f", f"deploy/values-{env}.yaml"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return [doc for doc in yaml.safe_load_all(run.stdout) if doc]


def kinds(docs: list[dict], kind: str) -> list[dict]:
    return [doc for doc in docs if doc.get("kind") == kind]


# ---------------------------------------------------------------- Terraform


def test_the_cluster_runs_gkes_gateway_controller(public):
    for variant, project in public.items():
        cluster = by_address(project / "terraform" / "modules" / "cluster" / "main.tf")["google_container_cluster.this"]
        assert cluster["gateway_api_config"] == [{"channel": "CHANNEL_STANDARD"}], variant
        # the Gateway controller builds its load balancers through the HTTP load balancing add-on
        assert cluster["addons_config"][0]["http_load_balancing"] == [{"disabled": False}], variant


def test_each_environment_gets_its_address_record_and_certificate(public):
    for variant, project in public.items():
        hosts = {env: e["hostname"] for env, e in infra(project)["environments"].items()}
        assert hosts["dev"] == "dev.payments.example.com" and hosts["staging"] == "staging.payments.example.com"
        assert hosts["prod"] == ("www.payments.example.com" if variant == "zone-created" else "payments.example.com")
        for env in ENVIRONMENTS:
            arguments = module_arguments(project, env, "public_entry")
            assert arguments["source"] == "../../modules/public-entry", variant
            assert arguments["hostname"] == hosts[env] and arguments["dns_zone_name"] == "${local.dns_zone}"
        entry = entry_module(project)
        record = entry["google_dns_record_set.this"]
        assert record["type"] == "A" and record["name"] == "${var.hostname}."
        assert record["rrdatas"] == ["${google_compute_global_address.this.address}"]
        assert entry["google_compute_global_address.this"]["ip_version"] == "IPV4"
        # the certificate is authorised by a DNS record, so it is issued before traffic moves
        authorization = entry["google_certificate_manager_dns_authorization.this"]
        assert authorization["domain"] == "${var.hostname}"
        cname = entry["google_dns_record_set.authorization"]
        prefix = "${google_certificate_manager_dns_authorization.this.dns_resource_record[0]"
        assert cname["name"] == f"{prefix}.name}}" and cname["type"] == f"{prefix}.type}}"
        assert cname["rrdatas"] == [f"{prefix}.data}}"]
        assert cname["managed_zone"] == record["managed_zone"] == "${var.dns_zone_name}"
        certificate = entry["google_certificate_manager_certificate.this"]
        assert certificate["managed"] == [
            {
                "domains": ["${var.hostname}"],
                "dns_authorizations": ["${google_certificate_manager_dns_authorization.this.id}"],
            }
        ], variant
        assert "self_managed" not in certificate
        map_entry = entry["google_certificate_manager_certificate_map_entry.this"]
        assert map_entry["hostname"] == "${var.hostname}"
        assert map_entry["certificates"] == ["${google_certificate_manager_certificate.this.id}"]
        assert map_entry["map"] == "${google_certificate_manager_certificate_map.this.name}"
        # domains cannot change in place: a new host name gets new ones, made before the old go
        for name in (
            "google_certificate_manager_dns_authorization.this",
            "google_certificate_manager_certificate.this",
            "google_certificate_manager_certificate_map_entry.this",
        ):
            assert entry[name]["lifecycle"] == [{"create_before_destroy": True}], name
            assert entry[name]["name"] == "${var.name}-${local.host_suffix}", name


def test_tls_is_1_2_or_later_with_a_modern_policy(public):
    for variant, project in public.items():
        policy = entry_module(project)["google_compute_ssl_policy.this"]
        assert policy["min_tls_version"] == "TLS_1_2" and policy["profile"] in ("MODERN", "RESTRICTED"), variant


def test_cloud_armor_blocks_with_managed_rules_and_a_rate_limit(public):
    for variant, project in public.items():
        armor = cloud_armor(project)
        # one policy, declared in the cloud-armor module the Cloud Run entry shares; the GKE entry was
        # born with it, so it has no old address to move
        assert "google_compute_security_policy.this" not in entry_module(project), variant
        call = armor["call"]
        assert call["source"] == "../cloud-armor", variant
        assert call["rate_limit_per_minute"] == "${var.rate_limit_per_minute}", variant
        assert armor["moved"] == [], variant
        policy = armor["google_compute_security_policy.this"]
        rules = policy["rule"]
        assert not any(rule.get("preview") for rule in rules), "blocking mode"
        (log4j,) = [r for r in rules if "cve-canary" in r["match"][0].get("expr", [{}])[0].get("expression", "")]
        assert log4j["action"].startswith("deny"), variant
        (throttle,) = [r for r in rules if r["action"] in ("throttle", "rate_based_ban")]
        (options,) = throttle["rate_limit_options"]
        assert options["enforce_on_key"] == "IP" and options["exceed_action"] == "deny(429)"
        assert options["rate_limit_threshold"] == [{"count": "${var.rate_limit_per_minute}", "interval_sec": 60}]
        waf_rules = next(
            entry["waf_rules"]
            for entry in load_hcl(project / "terraform" / "modules" / "cloud-armor" / "main.tf")["locals"]
            if "waf_rules" in entry
        )
        assert sorted(waf_rules) == sorted(WAF_RULE_SETS), variant
        for name, rule in waf_rules.items():
            assert f"'{name}-v33-stable'" in rule["expression"] and "'sensitivity': 1" in rule["expression"]
            assert log4j["priority"] < rule["priority"] < throttle["priority"], name
        (waf,) = policy["dynamic"]
        assert waf["rule"]["for_each"] == "${local.waf_rules}"
        assert waf["rule"]["content"][0]["action"] == "deny(403)"
        default = max(rules, key=lambda r: r["priority"])
        assert default["priority"] == 2147483647 and default["action"] == "allow"
        assert policy["adaptive_protection_config"][0]["layer_7_ddos_defense_config"][0]["enable"] is True
        for env in ENVIRONMENTS:
            arguments = module_arguments(project, env, "public_entry")
            assert arguments["rate_limit_per_minute"] == "${var.rate_limit_per_minute}"
            tfvars = load_hcl(project / "terraform" / "environments" / env / "terraform.tfvars")
            assert tfvars["rate_limit_per_minute"] == 600, env
        # the request logs (with Cloud Armor's decisions) are kept in the module's own bucket
        logs = next(
            entry["logs"]
            for entry in load_hcl(project / "terraform" / "modules" / "public-entry" / "main.tf")["module"]
            if "logs" in entry
        )
        assert 'resource.type=\\"http_load_balancer\\"' in logs["filter"] or (
            'resource.type="http_load_balancer"' in logs["filter"]
        ), logs["filter"]
        assert "${var.hostname}" in logs["filter"]


def test_the_zone_is_created_in_bootstrap_or_only_looked_up(public):
    for variant, project in public.items():
        dns = load_hcl(project / "terraform" / "bootstrap" / "dns.tf")
        created = [entry for entry in dns.get("resource", []) if "google_dns_managed_zone" in entry]
        found = [entry for entry in dns.get("data", []) if "google_dns_managed_zones" in entry]
        if variant == "zone-created":
            assert created and not found
        else:
            assert found and not created
        for env in ENVIRONMENTS:
            root = project / "terraform" / "environments" / env
            data = load_hcl(root / "main.tf").get("data", [])
            assert any("google_dns_managed_zones" in entry for entry in data), (variant, env)
            text = "".join(path.read_text() for path in root.glob("*.tf"))
            assert 'google_dns_managed_zone"' not in text and 'resource "google_dns_managed_zone' not in text


def test_service_url_is_the_host_name_over_https(public):
    for variant, project in public.items():
        for env in ENVIRONMENTS:
            root = outputs(project / "terraform" / "environments" / env / "outputs.tf")
            assert root["service_url"]["value"] == "${module.public_entry.url}", (variant, env)
        module = outputs(project / "terraform" / "modules" / "public-entry" / "outputs.tf")
        assert module["url"]["value"] == "https://${var.hostname}"


def test_deploy_manages_and_plan_reads_the_entry(public):
    for variant, project in public.items():
        bootstrap = project / "terraform" / "bootstrap"
        iam = load_hcl(bootstrap / "iam.tf")
        values = {name: body for entry in iam["locals"] for name, body in entry.items()}
        assert "roles/certificatemanager.editor" in values["deploy_project_roles"], variant
        assert {"roles/compute.networkAdmin", "roles/compute.securityAdmin"} <= set(values["deploy_project_roles"])
        plan = values["plan_project_roles"]
        assert "roles/certificatemanager.viewer" in plan and "roles/compute.viewer" in plan, variant
        assert not [role for role in plan if role.endswith(("Admin", "admin", "editor", "Editor", "owner"))], plan
        services = next(entry["services"] for entry in load_hcl(bootstrap / "main.tf")["locals"] if "services" in entry)
        assert "certificatemanager.googleapis.com" in services and "dns.googleapis.com" in services


# ---------------------------------------------------------------- chart


def test_the_gateway_names_what_terraform_created(public):
    for variant, project in public.items():
        derived = infra(project)
        for env in ENVIRONMENTS:
            e = derived["environments"][env]
            docs = helm_template(project, env)
            (gateway,) = kinds(docs, "Gateway")
            assert gateway["apiVersion"] == "gateway.networking.k8s.io/v1"
            assert gateway["spec"]["gatewayClassName"] == "gke-l7-global-external-managed"
            # Terraform's names: the module is called with name = the environment's resource prefix
            prefix = e["resource_prefix"]
            assert gateway["spec"]["addresses"] == [{"type": "NamedAddress", "value": f"{prefix}-gateway"}]
            assert gateway["metadata"]["annotations"]["networking.gke.io/certmap"] == f"{prefix}-certificates"
            listeners = {listener["name"]: listener for listener in gateway["spec"]["listeners"]}
            assert {(lst["protocol"], lst["port"]) for lst in listeners.values()} == {("HTTPS", 443), ("HTTP", 80)}
            assert all(lst["hostname"] == e["hostname"] for lst in listeners.values()), (variant, env)
            assert "tls" not in listeners["https"], "the certificate map serves the certificate"
            (gateway_policy,) = kinds(docs, "GCPGatewayPolicy")
            assert gateway_policy["spec"]["default"]["sslPolicy"] == f"{prefix}-tls"
            assert gateway_policy["spec"]["targetRef"]["name"] == gateway["metadata"]["name"]
            (backend_policy,) = kinds(docs, "GCPBackendPolicy")
            assert backend_policy["spec"]["default"]["securityPolicy"] == f"{prefix}-waf"
            assert backend_policy["spec"]["default"]["logging"] == {"enabled": True, "sampleRate": 1000000}
        entry = entry_module(project)
        assert entry["google_compute_global_address.this"]["name"] == "${var.name}-gateway"
        assert entry["google_certificate_manager_certificate_map.this"]["name"] == "${var.name}-certificates"
        assert entry["google_compute_ssl_policy.this"]["name"] == "${var.name}-tls"
        assert cloud_armor(project)["call"]["name"] == "${var.name}-waf"
        assert cloud_armor(project)["google_compute_security_policy.this"]["name"] == "${var.name}"
        entry_outputs = outputs(project / "terraform" / "modules" / "public-entry" / "outputs.tf")
        assert entry_outputs["security_policy_name"]["value"] == "${module.cloud_armor.name}"
        for env in ENVIRONMENTS:
            assert module_arguments(project, env, "public_entry")["name"] == "${local.name}"
            main = load_hcl(project / "terraform" / "environments" / env / "main.tf")
            name = next(entry["name"] for entry in main["locals"] if "name" in entry)
            assert name == derived["environments"][env]["resource_prefix"]


def test_https_routes_to_the_service_and_http_only_redirects(public):
    for variant, project in public.items():
        docs = helm_template(project, "prod")
        (gateway,) = kinds(docs, "Gateway")
        services = {doc["metadata"]["name"]: doc for doc in kinds(docs, "Service")}
        routes = kinds(docs, "HTTPRoute")
        https = [r for r in routes if r["spec"]["parentRefs"][0]["sectionName"] == "https"]
        http = [r for r in routes if r["spec"]["parentRefs"][0]["sectionName"] == "http"]
        assert len(https) == len(http) == 1 and len(routes) == 2, variant
        for route in routes:
            assert route["spec"]["parentRefs"][0]["name"] == gateway["metadata"]["name"]
            assert route["spec"]["hostnames"] == [gateway["spec"]["listeners"][0]["hostname"]]
        ((rule,),) = [r["spec"]["rules"] for r in https]
        (backend,) = rule["backendRefs"]
        assert backend["name"] in services and backend["port"] == 80 and "filters" not in rule
        if variant == "zone-created":  # blue-green: the Service Argo Rollouts switches at promotion
            (rollout,) = kinds(docs, "Rollout")
            assert rollout["spec"]["strategy"]["blueGreen"]["activeService"] == backend["name"]
        ((redirect,),) = [r["spec"]["rules"] for r in http]
        assert "backendRefs" not in redirect, "plain HTTP reaches no backend"
        assert redirect["filters"] == [
            {"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301}}
        ]
        # health checks on /readyz at the container port, on the same Service
        (health,) = kinds(docs, "HealthCheckPolicy")
        config = health["spec"]["default"]["config"]
        assert config["type"] == "HTTP" and config["httpHealthCheck"]["requestPath"] == "/readyz"
        containers = next(kinds(docs, kind) for kind in ("Rollout", "Deployment") if kinds(docs, kind))[0]
        ports = containers["spec"]["template"]["spec"]["containers"][0]["ports"]
        assert config["httpHealthCheck"]["port"] == next(p["containerPort"] for p in ports if p["name"] == "http")
        assert config["httpHealthCheck"]["portSpecification"] == "USE_FIXED_PORT", "the pod's port, not the Service's"
        # pods that join the backend at once (a blue-green switch) serve after one passing check
        assert health["spec"]["default"]["healthyThreshold"] == 1, variant
        for policy in (health, *kinds(docs, "GCPBackendPolicy")):
            assert policy["spec"]["targetRef"] == {"group": "", "kind": "Service", "name": backend["name"]}


def test_the_network_policy_admits_only_googles_front_ends(public):
    for variant, project in public.items():
        docs = helm_template(project, "dev")
        policies = {doc["metadata"]["name"]: doc for doc in kinds(docs, "NetworkPolicy")}
        (gateway,) = [p for name, p in policies.items() if name.endswith("-gateway")]
        (rule,) = gateway["spec"]["ingress"]
        assert [peer["ipBlock"]["cidr"] for peer in rule["from"]] == GOOGLE_FRONT_ENDS, variant
        assert all(set(peer) == {"ipBlock"} and "except" not in peer["ipBlock"] for peer in rule["from"])
        assert rule["ports"] == [{"port": "http", "protocol": "TCP"}]
        assert gateway["spec"]["policyTypes"] == ["Ingress"]
        # the same pods as the service's own policy, which stays as it was
        (own,) = [p for name, p in policies.items() if not name.endswith("-gateway")]
        assert gateway["spec"]["podSelector"] == own["spec"]["podSelector"]
        assert not [peer for r in own["spec"]["ingress"] for peer in r["from"] if "ipBlock" in peer]


# ---------------------------------------------------------------- without a domain


def test_without_a_domain_there_is_no_public_entry(private):
    terraform = private / "terraform"
    assert not (terraform / "modules" / "public-entry").exists()
    assert not (terraform / "modules" / "cloud-armor").exists()
    assert not (terraform / "bootstrap" / "dns.tf").exists()
    assert not (private / "deploy" / "chart" / "templates" / "gateway.yaml").exists()
    assert "gateway" not in yaml.safe_load((private / "deploy" / "chart" / "values.yaml").read_text())
    text = "".join(path.read_text() for path in terraform.glob("**/*.tf"))
    for kind in (
        "gateway_api_config",
        "google_certificate_manager",
        "google_compute_security_policy",
        "certificatemanager",
    ):
        assert kind not in text, kind
    for env in ENVIRONMENTS:
        assert "service_url" not in outputs(terraform / "environments" / env / "outputs.tf")


def test_the_readme_says_how_each_environment_is_reached(public):
    for variant, project in public.items():
        readme = (project / "README.md").read_text()
        section = readme.split("## Reaching the service", 1)[1].split("\n## ", 1)[0]
        for env, e in infra(project)["environments"].items():
            assert f"| `{env}` | https://{e['hostname']} |" in section, (variant, env)
        delegation = "terraform -chdir=terraform/bootstrap output dns_name_servers" in section
        assert delegation == (variant == "zone-created"), variant
        assert "gcloud certificate-manager certificates describe" in section
        assert "copier update --trust --data domain_name=" in section
        if variant == "zone-exists":  # canary: the replica split, said as such
            assert "replica split" in section
        else:  # blue-green: the load balancer's gap at each switch, said as such
            assert "502 or 503" in " ".join(section.split()), variant
