"""A domain on AKS: Terraform creates, per environment, an Application Gateway for Containers in
its own delegated subnet, its frontend and the host's CNAME record, an Azure WAF policy (managed
rule sets, a rate limit per client address), its access and firewall logs, and the identity of the
ALB controller; the chart's Gateway names them, attaches the WAF policy (the controller makes the
security policy), terminates TLS with a certificate cert-manager has Let's Encrypt issue, and only
redirects plain HTTP.

The chart is checked on `helm template` output, the Terraform on parsed HCL; the resource IDs the
chart carries must be those Terraform creates, since nothing passes them between the two.
"""

import ipaddress
import subprocess
from pathlib import Path

import pytest
import yaml
from helpers import load_hcl, render, unavailable

from extensions import context

AKS = {"cloud": "azure", "region": "eastus", "orchestrator": "kubernetes"}
DOMAIN = {"domain_name": "payments.example.com"}
ENVIRONMENTS = ("dev", "staging", "prod")
CONTROLLER_SUBJECT = "system:serviceaccount:${var.controller_namespace}:${var.controller_service_account}"


@pytest.fixture(scope="module")
def public(tmp_path_factory) -> dict[str, Path]:
    """Domain renders: the zone created by terraform/bootstrap, or one that exists already."""
    root = tmp_path_factory.mktemp("aks-domain")
    return {
        "zone-created": render(
            root / "created",
            deploy_strategy="blue-green",
            production_host="www",
            dns_zone_exists=False,
            **AKS,
            **DOMAIN,
        ),
        "zone-exists": render(
            root / "exists",
            deploy_strategy="canary",
            ci="gitlab",
            production_host="api",
            dns_zone_exists=True,
            **AKS,
            **DOMAIN,
        ),
    }


@pytest.fixture(scope="module")
def private(tmp_path_factory) -> Path:
    return render(tmp_path_factory.mktemp("aks-private") / "p", deploy_strategy="rolling", **AKS)


def resources(path: Path) -> dict:
    """Every resource of a file by `type.name`."""
    return {
        f"{kind}.{name}": body
        for entry in load_hcl(path).get("resource", [])
        for kind, named in entry.items()
        for name, body in named.items()
    }


def blocks(path: Path, kind: str) -> dict:
    """Every top-level block of one kind (variable, output, data: `type.name`) of a file by name."""
    found = {}
    for entry in load_hcl(path).get(kind, []):
        for name, body in entry.items():
            if kind == "data":
                found.update({f"{name}.{inner}": value for inner, value in body.items()})
            else:
                found[name] = body
    return found


def ingress_module(project: Path) -> dict:
    return resources(project / "terraform" / "modules" / "ingress" / "main.tf")


def module_arguments(project: Path, env: str, name: str) -> dict:
    main = load_hcl(project / "terraform" / "environments" / env / "main.tf")
    return next(entry[name] for entry in main.get("module", []) if name in entry)


def answers(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def infra(project: Path) -> dict:
    return context.derive(answers(project))


def helm_template(project: Path, env: str) -> list[dict]:
    import harness

    helm = harness.find_tool("helm")
    if not helm:
        unavailable("helm is not installed (scripts/install-tools)")
    command = [helm, "template", "svc", "deploy/chart", "-n", "ns", "-f", f"deploy/values-{env}.yaml"]
    command += ["--set-string", "secrets.clientId=11111111-2222-3333-4444-555555555555"]
    run = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return [doc for doc in yaml.safe_load_all(run.stdout) if doc]


def kinds(docs: list[dict], kind: str) -> list[dict]:
    return [doc for doc in docs if doc.get("kind") == kind]


# ---------------------------------------------------------------- Terraform


def test_each_environment_gets_its_entry_in_a_delegated_subnet_and_its_record(public):
    for variant, project in public.items():
        facts = infra(project)
        hosts = {env: e["hostname"] for env, e in facts["environments"].items()}
        assert hosts["prod"] == (
            "www.payments.example.com" if variant == "zone-created" else "api.payments.example.com"
        )
        for env in ENVIRONMENTS:
            e = facts["environments"][env]
            arguments = module_arguments(project, env, "ingress")
            assert arguments["source"] == "../../modules/ingress", variant
            assert arguments["subnet_id"] == "${module.network.load_balancer_subnet_id}"
            assert arguments["record_name"] == hosts[env].removesuffix(".payments.example.com"), (variant, env)
            assert arguments["dns_zone_name"] == "${data.azurerm_dns_zone.this.name}"
            assert arguments["rate_limit_per_minute"] == "${var.rate_limit_per_minute}"
            assert module_arguments(project, env, "network")["load_balancer_cidr"] == "${var.load_balancer_cidr}"
            tfvars = load_hcl(project / "terraform" / "environments" / env / "terraform.tfvars")
            subnet = ipaddress.ip_network(tfvars["load_balancer_cidr"])
            assert tfvars["load_balancer_cidr"] == e["load_balancer_subnet"] and subnet.prefixlen == 24
            assert subnet.subnet_of(ipaddress.ip_network(tfvars["vnet_cidr"]))
            for other in ("nodes_cidr", "endpoints_cidr"):
                assert not subnet.overlaps(ipaddress.ip_network(tfvars[other])), (env, other)
            assert tfvars["rate_limit_per_minute"] == 600
            outputs = blocks(project / "terraform" / "environments" / env / "outputs.tf", "output")
            assert outputs["service_url"]["value"] == f"https://{hosts[env]}"


def test_the_load_balancer_subnet_is_delegated_to_application_gateway_for_containers(public):
    for project in public.values():
        subnet = resources(project / "terraform" / "modules" / "network" / "load-balancer.tf")[
            "azurerm_subnet.load_balancer"
        ]
        delegation = subnet["delegation"][0]["service_delegation"][0]
        assert delegation["name"] == "Microsoft.ServiceNetworking/trafficControllers"
        assert subnet["address_prefixes"] == ["${var.load_balancer_cidr}"]
        assert subnet["default_outbound_access_enabled"] is False
        entry = ingress_module(project)
        association = entry["azurerm_application_load_balancer_subnet_association.this"]
        assert association["subnet_id"] == "${var.subnet_id}"
        assert association["application_load_balancer_id"] == "${azurerm_application_load_balancer.this.id}"


def test_the_zone_is_only_looked_up_by_name_and_the_host_is_a_cname_of_the_frontend(public):
    for variant, project in public.items():
        for env in ENVIRONMENTS:
            data = blocks(project / "terraform" / "environments" / env / "main.tf", "data")
            assert data["azurerm_dns_zone.this"] == {"name": "payments.example.com"}, variant
            assert not any(
                k.startswith("azurerm_dns_zone.")
                for k in resources(project / "terraform" / "environments" / env / "main.tf")
            )
        bootstrap = project / "terraform" / "bootstrap"
        created = (
            "azurerm_dns_zone.public" in resources(bootstrap / "dns.tf") if (bootstrap / "dns.tf").exists() else False
        )
        assert created == (variant == "zone-created")
        record = ingress_module(project)["azurerm_dns_cname_record.this"]
        assert record["record"] == "${azurerm_application_load_balancer_frontend.this.fully_qualified_domain_name}"
        assert record["zone_name"] == "${var.dns_zone_name}" and record["name"] == "${var.record_name}"
        # a zone apex cannot hold a CNAME: production on the domain itself is refused at plan time
        [precondition] = record["lifecycle"][0]["precondition"]
        assert precondition["condition"] == '${var.record_name != "@"}'


def test_the_firewall_blocks_with_managed_rules_and_a_rate_limit_per_client(public):
    for project in public.values():
        entry = ingress_module(project)
        policy = entry["azurerm_web_application_firewall_policy.this"]
        [settings] = policy["policy_settings"]
        assert settings["enabled"] is True and settings["mode"] == "Prevention"
        rule_sets = {(s["type"], s["version"]) for s in policy["managed_rules"][0]["managed_rule_set"]}
        assert rule_sets == {("Microsoft_DefaultRuleSet", "2.1"), ("Microsoft_BotManagerRuleSet", "1.1")}
        [rule] = policy["custom_rules"]
        assert rule["rule_type"] == "RateLimitRule" and rule["action"] == "Block"
        assert rule["group_rate_limit_by"] == "ClientAddr" and rule["rate_limit_duration"] == "OneMin"
        assert rule["rate_limit_threshold"] == "${var.rate_limit_per_minute}"
        [condition] = rule["match_conditions"]
        # every request counts: no client address is 255.255.255.255
        assert condition["negation_condition"] is True and condition["operator"] == "IPMatch"
        # the ALB controller makes the security policy from the chart's WebApplicationFirewallPolicy;
        # one made here as well would be a second for the same WAF policy
        assert not [name for name in entry if name.startswith("azurerm_application_load_balancer_security_policy.")]
        logs = entry["azurerm_monitor_diagnostic_setting.this"]
        assert logs["target_resource_id"] == "${azurerm_application_load_balancer.this.id}"
        assert {log["category"] for log in logs["enabled_log"]} == {
            "TrafficControllerAccessLog",
            "TrafficControllerFirewallLog",
        }
        assert logs["log_analytics_workspace_id"] == "${var.log_analytics_workspace_id}"


def test_the_alb_controller_gets_its_documented_rights_on_those_resources_only(public):
    for project in public.values():
        entry = ingress_module(project)
        credential = entry["azurerm_federated_identity_credential.controller"]
        assert credential["subject"] == CONTROLLER_SUBJECT and credential["issuer"] == "${var.oidc_issuer_url}"
        assignment = entry["azurerm_role_assignment.controller"]
        assert assignment["principal_id"] == "${azurerm_user_assigned_identity.controller.principal_id}"
        grants = load_hcl(project / "terraform" / "modules" / "ingress" / "main.tf")["locals"][0]["controller_roles"]
        assert {(g["role"], g["scope"]) for g in grants.values()} == {
            ("AppGw for Containers Configuration Manager", "${azurerm_application_load_balancer.this.id}"),
            ("Network Contributor", "${var.subnet_id}"),
            ("Network Contributor", "${azurerm_web_application_firewall_policy.this.id}"),
            ("Reader", "${var.cluster_resource_group_id}"),
        }
        # the deploy identity may hand out exactly the roles the controller needs
        roles = blocks(project / "terraform" / "bootstrap" / "variables.tf", "variable")["deploy_assignable_roles"][
            "default"
        ]
        assert {"AppGw for Containers Configuration Manager", "Network Contributor", "Reader"} <= set(roles)


def test_bootstrap_lets_the_deploy_identities_run_the_entry(public):
    for variant, project in public.items():
        bootstrap = project / "terraform" / "bootstrap"
        [provider] = load_hcl(bootstrap / "providers.tf")["provider"][0].values()
        assert {"Microsoft.ServiceNetworking", "Microsoft.NetworkFunction"} <= set(
            provider["resource_providers_to_register"]
        )
        # the host's CNAME record: written by each environment's deploy identity, in that zone only
        dns = resources(bootstrap / "dns-access.tf")
        assert dns["azurerm_role_assignment.deploy_dns_records"]["scope"] == "${local.dns_zone_id}", variant
        role = dns["azurerm_role_definition.dns_records"]
        assert "Microsoft.Network/dnsZones/CNAME/*" in role["permissions"][0]["actions"]


def test_without_a_domain_the_bootstrap_grants_nothing_for_an_entry(private):
    bootstrap = private / "terraform" / "bootstrap"
    [provider] = load_hcl(bootstrap / "providers.tf")["provider"][0].values()
    assert "Microsoft.ServiceNetworking" not in provider["resource_providers_to_register"]
    roles = blocks(bootstrap / "variables.tf", "variable")["deploy_assignable_roles"]["default"]
    assert not {"AppGw for Containers Configuration Manager", "Network Contributor"} & set(roles)


# ---------------------------------------------------------------- the chart


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_gateway_terminates_tls_on_443_and_port_80_only_redirects(public, env):
    for variant, project in public.items():
        e = infra(project)["environments"][env]
        docs = helm_template(project, env)
        [gateway] = kinds(docs, "Gateway")
        assert gateway["spec"]["gatewayClassName"] == "azure-alb-external"
        alb_id = gateway["metadata"]["annotations"]["alb.networking.azure.io/alb-id"]
        assert alb_id == (
            f"/subscriptions/{answers(project)['azure_subscription_id']}/resourceGroups/{e['resource_group']}"
            f"/providers/Microsoft.ServiceNetworking/trafficControllers/alb-{e['resource_prefix']}"
        )
        assert gateway["spec"]["addresses"] == [{"type": "alb.networking.azure.io/alb-frontend", "value": "public"}]
        listeners = {listener["port"]: listener for listener in gateway["spec"]["listeners"]}
        assert set(listeners) == {443, 80}, variant
        https, http = listeners[443], listeners[80]
        assert https["protocol"] == "HTTPS" and https["hostname"] == e["hostname"]
        assert https["tls"]["mode"] == "Terminate"
        [certificate] = kinds(docs, "Certificate")
        assert https["tls"]["certificateRefs"] == [{"kind": "Secret", "name": certificate["spec"]["secretName"]}]
        # TLS 1.2 and later: the load balancer's default policy, which no FrontendTLSPolicy overrides
        assert not kinds(docs, "FrontendTLSPolicy")
        assert http["protocol"] == "HTTP"

        routes = {route["spec"]["parentRefs"][0]["sectionName"]: route for route in kinds(docs, "HTTPRoute")}
        assert set(routes) == {"https", "http"}
        [redirect_rule] = routes["http"]["spec"]["rules"]
        assert "backendRefs" not in redirect_rule and "matches" not in redirect_rule
        assert redirect_rule["filters"] == [
            {"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301}}
        ]
        [rule] = routes["https"]["spec"]["rules"]
        [backend] = rule["backendRefs"]
        services = {s["metadata"]["name"]: s for s in kinds(docs, "Service")}
        assert backend["name"] in services and backend["port"] == 80
        for route in routes.values():
            assert route["spec"]["hostnames"] == [e["hostname"]]
        if variant == "zone-created":  # blue-green: the public traffic follows the active Service
            [rollout] = kinds(docs, "Rollout")
            assert rollout["spec"]["strategy"]["blueGreen"]["activeService"] == backend["name"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_firewall_policy_and_the_certificate_belong_to_the_environment(public, env):
    for project in public.values():
        e = infra(project)["environments"][env]
        docs = helm_template(project, env)
        [gateway] = kinds(docs, "Gateway")
        [waf] = kinds(docs, "WebApplicationFirewallPolicy")
        assert waf["apiVersion"] == "alb.networking.azure.io/v1"
        assert waf["spec"]["targetRef"] == {
            "group": "gateway.networking.k8s.io",
            "kind": "Gateway",
            "name": gateway["metadata"]["name"],
            "namespace": "ns",
        }
        assert waf["spec"]["webApplicationFirewall"]["id"] == (
            f"/subscriptions/{answers(project)['azure_subscription_id']}/resourceGroups/{e['resource_group']}"
            f"/providers/Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/waf-{e['resource_prefix']}"
        )
        [certificate] = kinds(docs, "Certificate")
        [issuer] = kinds(docs, "Issuer")
        assert certificate["spec"]["dnsNames"] == [e["hostname"]]
        # a placeholder in the Secret until the first issuance: the ALB controller programs no
        # listener while the HTTPS listener's Secret is missing, port 80 and the challenge included
        assert certificate["metadata"]["annotations"]["cert-manager.io/issue-temporary-certificate"] == "true"
        assert certificate["spec"]["issuerRef"] == {
            "group": "cert-manager.io",
            "kind": "Issuer",
            "name": issuer["metadata"]["name"],
        }
        acme = issuer["spec"]["acme"]
        assert acme["server"] == "https://acme-v02.api.letsencrypt.org/directory"
        [solver] = acme["solvers"]
        [parent] = solver["http01"]["gatewayHTTPRoute"]["parentRefs"]
        assert parent["name"] == gateway["metadata"]["name"] and parent["sectionName"] == "http"
        # the ACME account key is a Secret cert-manager creates: none is rendered
        assert acme["privateKeySecretRef"]["name"] and not kinds(docs, "Secret")


def test_the_names_the_chart_carries_are_the_names_terraform_gives(public):
    for project in public.values():
        entry = ingress_module(project)
        assert entry["azurerm_application_load_balancer.this"]["name"] == "alb-${var.name}"
        assert entry["azurerm_web_application_firewall_policy.this"]["name"] == "waf-${var.name}"
        frontend = blocks(project / "terraform" / "modules" / "ingress" / "variables.tf", "variable")["frontend_name"]
        assert frontend["default"] == "public"
        for env in ENVIRONMENTS:
            assert module_arguments(project, env, "ingress")["name"] == "${local.name}"
            main = load_hcl(project / "terraform" / "environments" / env / "main.tf")
            assert main["locals"][0]["name"] == infra(project)["environments"][env]["resource_prefix"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_network_policy_admits_the_load_balancer_subnet_only(public, env):
    project = public["zone-exists"]
    e = infra(project)["environments"][env]
    policies = {policy["metadata"]["name"]: policy for policy in kinds(helm_template(project, env), "NetworkPolicy")}
    [extra] = [policy for name, policy in policies.items() if name.endswith("-load-balancer")]
    [rule] = extra["spec"]["ingress"]
    assert rule["from"] == [{"ipBlock": {"cidr": e["load_balancer_subnet"]}}]
    assert rule["ports"] == [{"port": "http", "protocol": "TCP"}]
    assert extra["spec"]["policyTypes"] == ["Ingress"]
    for name, policy in policies.items():  # nothing else admits an address range
        if policy is not extra:
            assert not [peer for r in policy["spec"]["ingress"] for peer in r["from"] if "ipBlock" in peer], name


def test_make_platform_installs_the_controllers_pinned(public):
    for project in public.values():
        script = (project / "deploy" / "ingress" / "install.sh").read_text()
        assert "ALB_CONTROLLER_CHART_VERSION=1.12.1" in script and "CERT_MANAGER_CHART_VERSION=v1.19.4" in script
        assert script.count("--rollback-on-failure --wait") == 2
        assert "oci://mcr.microsoft.com/application-lb/charts/alb-controller" in script
        values = yaml.safe_load((project / "deploy" / "ingress" / "cert-manager.yaml").read_text())
        assert values["config"]["enableGatewayAPI"] is True and values["crds"]["enabled"] is True
        assert "sh deploy/ingress/install.sh $(ENV)" in (project / "Makefile").read_text()


# ---------------------------------------------------------------- without a domain


def test_without_a_domain_there_is_no_public_entry(private):
    assert not (private / "terraform" / "modules" / "ingress").exists()
    assert not (private / "terraform" / "modules" / "network" / "load-balancer.tf").exists()
    assert not (private / "deploy" / "ingress").exists()
    for env in ENVIRONMENTS:
        main = load_hcl(private / "terraform" / "environments" / env / "main.tf")
        assert not any("ingress" in entry for entry in main.get("module", []))
        assert "data" not in main or not any("azurerm_dns_zone" in entry for entry in main["data"])
        assert "load_balancer_cidr" not in load_hcl(private / "terraform" / "environments" / env / "terraform.tfvars")
        docs = helm_template(private, env)
        for kind in ("Gateway", "HTTPRoute", "Certificate", "Issuer", "WebApplicationFirewallPolicy"):
            assert not kinds(docs, kind), (env, kind)
        [policy] = kinds(docs, "NetworkPolicy")
        assert not [peer for rule in policy["spec"]["ingress"] for peer in rule["from"] if "ipBlock" in peer]
