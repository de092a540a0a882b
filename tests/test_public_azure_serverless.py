"""A public domain on Azure Container Apps: Azure Front Door Premium in front of the internal
environment (Private Link), a managed certificate, TLS 1.2 or later, HTTP only redirected, a
blocking WAF with a per-client rate limit, access and WAF logs, the records in the Azure DNS zone
the bootstrap creates or finds, and a release script that goes through Front Door.

Terraform is read as parsed HCL; the module's host-name arithmetic is evaluated by terraform
console; the generated release tests run in a subprocess without the Azure SDK.
"""

import sys
from pathlib import Path

import pytest
from conftest import PUBLIC_VARIANTS
from helpers import blocks, broken_release_tests, evaluate, generated_release_tests, load_hcl, render, root_blocks

ENVIRONMENTS = ("dev", "staging", "prod")
DOMAIN = "payments.example.com"
CREATED = PUBLIC_VARIANTS["azure-serverless-domain"]  # blue-green, production on api., zone created
EXISTS = {**CREATED, "deploy_strategy": "canary", "production_host": "apex", "dns_zone_exists": True}
NO_DOMAIN = {key: value for key, value in CREATED.items() if key not in ("domain_name", "production_host")}


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("aca-public")
    return {
        "zone-created": render(root / "created", **CREATED),
        "zone-exists": render(root / "exists", **EXISTS),
        "no-domain": render(root / "none", **NO_DOMAIN),
    }


def front_door(project: Path) -> dict[str, dict]:
    return blocks(load_hcl(project / "terraform" / "modules" / "front-door" / "main.tf"), "resource")


def environment(project: Path, env: str, kind: str) -> dict[str, dict]:
    return root_blocks(project / "terraform" / "environments" / env, kind)


def hostnames(answers: dict) -> dict[str, str]:
    return {env: f"{env}.{DOMAIN}" for env in ("dev", "staging")} | {
        "prod": {"api": f"api.{DOMAIN}", "apex": DOMAIN, "www": f"www.{DOMAIN}"}[answers["production_host"]]
    }


def test_https_only_with_a_managed_certificate_and_tls_12(projects):
    for variant in ("zone-created", "zone-exists"):
        fd = front_door(projects[variant])
        assert fd["azurerm_cdn_frontdoor_profile.this"]["sku_name"] == "Premium_AzureFrontDoor"
        (tls,) = fd["azurerm_cdn_frontdoor_custom_domain.this"]["tls"]
        assert tls == {"certificate_type": "ManagedCertificate", "minimum_version": "TLS12"}, variant
        route = fd["azurerm_cdn_frontdoor_route.this"]
        # port 80 is accepted only to answer with the redirect; the origin is spoken to in HTTPS
        assert route["supported_protocols"] == ["Http", "Https"] and route["https_redirect_enabled"] is True
        assert route["forwarding_protocol"] == "HttpsOnly"
        assert route["link_to_default_domain"] is False  # only the custom host name serves
        assert route["cdn_frontdoor_custom_domain_ids"] == ["${azurerm_cdn_frontdoor_custom_domain.this.id}"]
        assert "cache" not in route
        association = fd["azurerm_cdn_frontdoor_custom_domain_association.this"]
        assert association["cdn_frontdoor_route_ids"] == ["${azurerm_cdn_frontdoor_route.this.id}"]


def test_the_origin_is_the_internal_environment_through_private_link(projects):
    project = projects["zone-created"]
    fd = front_door(project)
    for name in ("service", "candidate"):
        origin = fd[f"azurerm_cdn_frontdoor_origin.{name}"]
        assert origin["certificate_name_check_enabled"] is True
        (link,) = origin["private_link"]
        assert link["target_type"] == "managedEnvironments"
        assert link["private_link_target_id"] == "${var.environment_id}"
        assert link["request_message"] == "${local.private_link_request}"
        assert link["location"] == "${local.private_link_location}"  # both origins: one private endpoint
    # one origin per group: Front Door's probes (from every edge location) would only add traffic
    for name in ("service", "candidate"):
        assert "health_probe" not in fd[f"azurerm_cdn_frontdoor_origin_group.{name}"]
    service = blocks(load_hcl(project / "terraform" / "modules" / "service" / "main.tf"), "resource")
    aca = service["azurerm_container_app_environment.this"]
    assert aca["internal_load_balancer_enabled"] is True and aca["public_network_access"] == "Disabled"
    for env in ENVIRONMENTS:
        module = environment(project, env, "module")["front_door"]
        assert module["environment_id"] == "${module.service.environment_id}"
        assert module["origin_host_name"] == "${module.service.app_fqdn}"


def test_the_candidate_header_reaches_the_labelled_revision_only(projects):
    fd = front_door(projects["zone-created"])
    rule = fd["azurerm_cdn_frontdoor_rule.candidate"]
    (condition,) = rule["conditions"][0]["request_header"]
    assert condition["name"] == "${var.candidate_header}" and condition["values"] == ["${var.candidate_label}"]
    (override,) = rule["actions"][0]["route_configuration_override"]
    assert override["origin_group"][0]["cdn_frontdoor_origin_group_id"] == (
        "${azurerm_cdn_frontdoor_origin_group.candidate.id}"
    )
    assert fd["azurerm_cdn_frontdoor_origin.candidate"]["host_name"] == "${local.candidate_host_name}"
    assert fd["azurerm_cdn_frontdoor_route.this"]["cdn_frontdoor_rule_set_ids"] == [
        "${azurerm_cdn_frontdoor_rule_set.release.id}"
    ]


def test_the_waf_blocks_with_managed_rules_and_a_rate_limit_and_logs(projects):
    project = projects["zone-created"]
    fd = front_door(project)
    waf = fd["azurerm_cdn_frontdoor_firewall_policy.this"]
    assert waf["mode"] == "Prevention" and waf["enabled"] is True and waf["sku_name"] == "Premium_AzureFrontDoor"
    managed = {(rule["type"], rule["version"], rule["action"]) for rule in waf["managed_rule"]}
    assert managed == {("Microsoft_DefaultRuleSet", "2.1", "Block"), ("Microsoft_BotManagerRuleSet", "1.1", "Block")}
    (limit,) = waf["custom_rule"]
    assert (limit["type"], limit["action"], limit["enabled"]) == ("RateLimitRule", "Block", True)
    assert limit["rate_limit_threshold"] == "${var.rate_limit_per_minute}"
    assert limit["rate_limit_duration_in_minutes"] == 1
    assert limit["match_condition"][0]["match_values"] == ["0.0.0.0/0", "::/0"]  # every client address
    (policy,) = fd["azurerm_cdn_frontdoor_security_policy.this"]["security_policies"]
    (firewall,) = policy["firewall"]
    assert firewall["cdn_frontdoor_firewall_policy_id"] == "${azurerm_cdn_frontdoor_firewall_policy.this.id}"
    domains = [d["cdn_frontdoor_domain_id"] for d in firewall["association"][0]["domain"]]
    assert "${azurerm_cdn_frontdoor_custom_domain.this.id}" in domains
    logs = fd["azurerm_monitor_diagnostic_setting.this"]
    assert logs["target_resource_id"] == "${azurerm_cdn_frontdoor_profile.this.id}"
    categories = logs["dynamic"][0]["enabled_log"]["for_each"]
    assert "FrontDoorAccessLog" in categories and "FrontDoorWebApplicationFirewallLog" in categories
    for env in ENVIRONMENTS:
        module = environment(project, env, "module")["front_door"]
        assert module["rate_limit_per_minute"] == "${var.rate_limit_per_minute}"
        assert module["log_analytics_workspace_id"] == "${module.log_analytics.id}"
        tfvars = load_hcl(project / "terraform" / "environments" / env / "terraform.tfvars")
        assert tfvars["rate_limit_per_minute"] == 600


def test_each_environment_has_its_host_record_certificate_validation_and_url(projects):
    for variant, answers in (("zone-created", CREATED), ("zone-exists", EXISTS)):
        project = projects[variant]
        hosts = hostnames(answers)
        for env in ENVIRONMENTS:
            module = environment(project, env, "module")["front_door"]
            assert module["hostname"] == hosts[env], (variant, env)
            assert module["dns_zone_name"] == "${data.azurerm_dns_zone.public.name}"
            assert module["dns_zone_resource_group_name"] == "${data.azurerm_dns_zone.public.resource_group_name}"
            zone = environment(project, env, "data")["azurerm_dns_zone.public"]
            assert zone == {"name": DOMAIN}, (variant, env)  # found by name, wherever it lives
            output = environment(project, env, "output")["service_url"]
            assert output["value"] == f"https://{hosts[env]}", (variant, env)
    fd = front_door(projects["zone-created"])
    assert fd["azurerm_dns_txt_record.validation"]["record"] == [
        {"value": "${azurerm_cdn_frontdoor_custom_domain.this.validation_token}"}
    ]
    assert fd["azurerm_dns_cname_record.this"]["record"] == "${azurerm_cdn_frontdoor_endpoint.this.host_name}"
    assert fd["azurerm_dns_a_record.apex"]["target_resource_id"] == "${azurerm_cdn_frontdoor_endpoint.this.id}"


@pytest.mark.parametrize(
    ("hostname", "record", "validation", "cnames", "aliases", "location", "link_location"),
    [
        (f"dev.{DOMAIN}", "dev", "_dnsauth.dev", 1, 0, "eastus", "eastus"),
        # Front Door Private Link is not offered in every region: the nearest one that has it
        (f"api.{DOMAIN}", "api", "_dnsauth.api", 1, 0, "switzerlandnorth", "germanywestcentral"),
        (DOMAIN, "@", "_dnsauth", 0, 1, "newzealandnorth", "australiaeast"),  # the apex cannot hold a CNAME
    ],
)
def test_record_names_in_the_zone(projects, tmp_path, hostname, record, validation, cnames, aliases, location,
                                  link_location):  # fmt: skip
    module = projects["zone-created"] / "terraform" / "modules" / "front-door"
    arguments = {
        "name": "payments-api-dev",
        "resource_group_name": "rg",
        "location": location,
        "hostname": hostname,
        "dns_zone_name": DOMAIN,
        "dns_zone_resource_group_name": "rg-shared",
        "environment_id": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.App/managedEnvironments/e",
        "origin_host_name": "payments-api.purple-sea.eastus.azurecontainerapps.io",
        "service_name": "payments-api",
        "default_domain": "purple-sea.eastus.azurecontainerapps.io",
        "log_analytics_workspace_id": "/subscriptions/0/resourceGroups/rg/providers/x/workspaces/w",
    }
    expressions = [
        "local.record_name",
        "local.validation_record_name",
        "local.candidate_host_name",
        'local.record_name == "@" ? 0 : 1',
        'local.record_name == "@" ? 1 : 0',
        "local.private_link_location",
    ]
    values = evaluate(module, tmp_path, arguments, expressions)
    assert values == [record, validation, "payments-api---candidate.purple-sea.eastus.azurecontainerapps.io",
                      cnames, aliases, link_location]  # fmt: skip
    source = (module / "main.tf").read_text()
    assert 'count = local.record_name == "@" ? 0 : 1' in source and 'count = local.record_name == "@" ? 1 : 0' in source


def test_the_zone_is_created_or_only_looked_up(projects):
    created = projects["zone-created"] / "terraform" / "bootstrap"
    zone = root_blocks(created, "resource")["azurerm_dns_zone.public"]
    assert zone["name"] == "${var.domain_name}"
    assert zone["resource_group_name"] == "${azurerm_resource_group.shared.name}"
    # locked through its SOA record set: a lock on the zone itself is inherited by the record sets
    # and would refuse the environments' deletions of their own records
    lock = root_blocks(created, "resource")["azurerm_management_lock.dns_zone"]
    assert (lock["scope"], lock["lock_level"]) == ("${azurerm_dns_zone.public.id}/SOA/@", "CanNotDelete")
    assert "dns_name_servers" in root_blocks(created, "output")
    assert "azurerm_dns_zone.public" not in root_blocks(created, "data")
    exists = projects["zone-exists"] / "terraform" / "bootstrap"
    assert not (exists / "dns.tf").exists()
    assert "azurerm_dns_zone.public" not in root_blocks(exists, "resource")
    assert root_blocks(exists, "data")["azurerm_dns_zone.public"] == {"name": "${var.domain_name}"}
    for bootstrap in (created, exists):
        resources = root_blocks(bootstrap, "resource")
        role = resources["azurerm_role_definition.dns_records"]
        actions = role["permissions"][0]["actions"]
        assert "Microsoft.Network/dnsZones/TXT/*" in actions and "Microsoft.Network/dnsZones/CNAME/*" in actions
        assert not any(action in ("*", "Microsoft.Network/dnsZones/*", "Microsoft.Network/dnsZones/delete")
                       for action in actions)  # fmt: skip
        assert role["assignable_scopes"] == ["${local.dns_zone_id}"]
        grant = resources["azurerm_role_assignment.deploy_dns_records"]
        assert grant["for_each"] == "${var.environments}" and grant["scope"] == "${local.dns_zone_id}"
        providers = (bootstrap / "providers.tf").read_text()
        assert '"Microsoft.Cdn"' in providers  # the deploy identities cannot register it
        assert '"Microsoft.App"' in providers  # nor the Container Apps provider


def test_without_a_domain_there_is_no_public_entry(projects):
    project = projects["no-domain"]
    assert not (project / "terraform" / "modules" / "front-door").exists()
    assert not (project / "terraform" / "bootstrap" / "dns.tf").exists()
    assert not (project / "terraform" / "bootstrap" / "dns-access.tf").exists()
    providers = (project / "terraform" / "bootstrap" / "providers.tf").read_text()
    assert '"Microsoft.Cdn"' not in providers and '"Microsoft.App"' in providers
    for env in ENVIRONMENTS:
        assert "front_door" not in environment(project, env, "module")
        assert "azurerm_dns_zone.public" not in environment(project, env, "data")
        assert "service_url" not in environment(project, env, "output")
        tfvars = load_hcl(project / "terraform" / "environments" / env / "terraform.tfvars")
        assert "rate_limit_per_minute" not in tfvars
    release = (project / "deploy" / "release.py").read_text()
    assert "PUBLIC_URLS" not in release and "privateEndpointConnections" not in release


def release_module(project: Path):
    sys.path.insert(0, str(project / "deploy"))
    try:
        sys.modules.pop("release", None)
        import release

        return release
    finally:
        sys.path.pop(0)
        sys.modules.pop("release", None)


def test_release_script_knows_each_public_url_and_profile(projects):
    for variant, answers in (("zone-created", CREATED), ("zone-exists", EXISTS)):
        release = release_module(projects[variant])
        assert {env: f"https://{host}" for env, host in hostnames(answers).items()} == release.PUBLIC_URLS
        assert {env: f"afd-payments-api-{env}" for env in ENVIRONMENTS} == release.FRONT_DOOR_PROFILES
        assert release.CANDIDATE_HEADER == "X-Release-Candidate"


def test_release_script_with_a_domain_passes_its_tests(projects):
    for variant in ("zone-created", "zone-exists"):
        result = generated_release_tests(projects[variant], "azure")
        assert result.returncode == 0, variant + result.stdout + result.stderr
        assert " passed" in result.stdout


# Each change breaks a promise the script makes behind Front Door; its tests must catch it.
BREAKAGES = {
    "no-approval": ('if state.get("status") == "Pending":', "if False:"),
    "approves-strangers": ('            if state.get("description") != message:\n                continue\n', ""),
    "entry-not-awaited": ("        if status == 200 or (steady and status):\n", "        if True:\n"),
    # Front Door makes its request minutes after the apply: the script must look again while it waits
    "approval-looked-for-once": (
        "        approved, pending = approve_front_door(clients, target, environment, message)\n"
        "        if steady is None:\n",
        "        if steady is None:\n"
        "            approved, pending = approve_front_door(clients, target, environment, message)\n",
    ),
    # a service that fails behind an entry that was open must still get its fix deployed
    "fix-waits-for-a-healthy-service": ("if status == 200 or (steady and status):", "if status == 200:"),
    "candidate-header-dropped": ("    headers = {CANDIDATE_HEADER: CANDIDATE}\n", "    headers = {}\n"),
    "smoke-test-off-front-door": (
        "    base = PUBLIC_URLS[target.env]\n",
        '    base = f"https://{target.service}---{CANDIDATE}.{domain(app)}"\n',
    ),
    "verify-ignores-the-public-url": (
        'elif (status_code := clients.http(f"{PUBLIC_URLS[target.env]}/readyz", {})) != 200:',
        "elif (status_code := 200) != 200:",
    ),
}


@pytest.mark.parametrize("name", BREAKAGES)
def test_release_tests_fail_when_the_script_breaks(projects, tmp_path, name):
    result = broken_release_tests(projects["zone-created"], "azure", tmp_path, *BREAKAGES[name])
    assert result.returncode == 1, result.stdout + result.stderr
