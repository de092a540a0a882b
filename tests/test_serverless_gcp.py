"""`orchestrator: serverless` on Google Cloud (Cloud Run): the Terraform registers revisions without
moving traffic, the release script runs the strategy with the environment's steps and thresholds,
and its generated tests catch the promises it breaks.

The generated tests run in a subprocess with google-auth hidden: the script imports it only to talk
to Google Cloud, so its tests need neither google-auth nor a network.
"""

import hashlib
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from helpers import broken_release_tests, generated_release_tests, load_hcl, render

from extensions import context

GCP = {"cloud": "gcp", "region": "us-central1", "orchestrator": "serverless"}


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("cloud-run")
    return {
        strategy: render(root / strategy, deploy_strategy=strategy, **GCP)
        for strategy in ("rolling", "blue-green", "canary")
    }


def resources(path: Path, kind: str) -> dict:
    module = load_hcl(path)
    return {name: body for entry in module.get("resource", []) if kind in entry for name, body in entry[kind].items()}


def module_arguments(project: Path, env: str, name: str) -> dict:
    main = load_hcl(project / "terraform" / "environments" / env / "main.tf")
    return next(entry[name] for entry in main["module"] if name in entry)


def test_terraform_registers_revisions_and_never_moves_traffic(projects):
    for strategy, project in projects.items():
        module = project / "terraform" / "modules" / "service" / "main.tf"
        service = resources(module, "google_cloud_run_v2_service")["this"]
        assert "traffic" in service["lifecycle"][0]["ignore_changes"], strategy
        (template,) = service["template"]
        assert template["revision"] == "${local.revision_name}", strategy
        assert template["service_account"] == "${var.service_account_email}", strategy
        assert template["vpc_access"][0]["egress"] == "${local.template_settings.egress}", strategy
        settings = next(
            entry["template_settings"] for entry in load_hcl(module)["locals"] if "template_settings" in entry
        )
        assert settings["egress"] == "ALL_TRAFFIC", strategy
        names = [c["name"] for c in template["containers"]]
        assert names == ["app", "collector"], strategy
        assert service["invoker_iam_disabled"] == "${var.invoker_iam_disabled}", strategy
        assert service["ingress"] == "${var.ingress}", strategy
        variables = load_hcl(module.parent / "variables.tf")["variable"]
        switch = next(entry["invoker_iam_disabled"] for entry in variables if "invoker_iam_disabled" in entry)
        assert switch["default"] is False, strategy
        assert "invoker_iam_disabled" not in module_arguments(project, "dev", "service"), strategy
        outputs = load_hcl(project / "terraform" / "environments" / "dev" / "outputs.tf")
        revision = next(entry["revision_name"] for entry in outputs["output"] if "revision_name" in entry)
        assert revision["value"] == "${module.service.revision_name}", strategy


def test_nobody_invokes_the_service_unauthenticated(projects):
    project = projects["canary"]
    for env in ("dev", "staging", "prod"):
        service = module_arguments(project, env, "service")
        assert service["ingress"] == "INGRESS_TRAFFIC_ALL"
        assert service["invoker_members"] == "${concat([local.deploy_member], var.invoker_members)}"
        main = load_hcl(project / "terraform" / "environments" / env / "main.tf")
        assert main["locals"][0]["deploy_member"].startswith(f"serviceAccount:payments-api-{env}-deploy@")
    public = re.compile(r'members?\s*=\s*\[?[^\n]*"all(Authenticated)?Users"')
    for path in project.glob("terraform/**/*.tf"):
        assert not public.search(path.read_text()), path


def test_alert_rules_come_from_the_repository_rule_file(projects):
    project = projects["canary"]
    alerting = module_arguments(project, "prod", "alerting")
    assert alerting["alert_rules"] == '${file("${path.module}/../../../monitoring/prometheus/alerts.yml")}'
    policies = resources(project / "terraform" / "modules" / "alerting" / "main.tf", "google_monitoring_alert_policy")
    assert policies["rule"]["for_each"] == "${local.alerts}"
    (condition,) = policies["rule"]["conditions"]
    assert "condition_prometheus_query_language" in condition


def release_constants(project: Path) -> dict:
    namespace: dict = {}
    source = (project / "deploy" / "release.py").read_text()
    head = source[: source.index("class ReleaseError")]
    exec(compile(head.split('"""', 2)[2], "release.py", "exec"), namespace)  # our own render
    return namespace


@pytest.mark.parametrize("strategy", ["rolling", "blue-green", "canary"])
def test_release_script_carries_the_strategy_and_thresholds(projects, strategy):
    project = projects[strategy]
    constants = release_constants(project)
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    infra = context.derive(answers)
    assert constants["STRATEGY"] == strategy
    assert constants["ERROR_PERCENT"] == infra["rollback_error_percent"]
    assert constants["LATENCY_MS"] == infra["rollback_latency_ms"]
    for env, e in infra["environments"].items():
        service_name = module_arguments(project, env, "service")["service_name"]
        assert constants["SERVICES"][env] == e["cluster_name"] == service_name
        steps = constants["STEPS"][env]
        assert steps["canary_weights"] == e["canary_weights"] and steps["bake_minutes"] == e["bake_minutes"]
    # production watches longer and in more steps than the first environment
    assert constants["STEPS"]["prod"]["bake_minutes"] > constants["STEPS"]["dev"]["bake_minutes"]
    assert len(constants["STEPS"]["prod"]["canary_weights"]) > len(constants["STEPS"]["dev"]["canary_weights"])


def generated_tests(project: Path) -> subprocess.CompletedProcess:
    return generated_release_tests(project, "gcp")


@pytest.mark.parametrize("strategy", ["rolling", "canary"])
def test_release_script_passes_its_tests(projects, strategy):
    result = generated_tests(projects[strategy])
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout


# Each change breaks one promise of the script; its tests must catch every one.
BREAKAGES = {
    "errors-do-not-roll-back": ("if percent > ERROR_PERCENT:", "if percent > 100:"),
    "slow-revision-is-fine": ("if worst > LATENCY_MS:", "if worst > 10 * LATENCY_MS:"),
    "rollback-keeps-the-traffic": (
        "    set_traffic(api, target, {previous: 100}, tags={ROLLED_BACK_TAG: revision})\n",
        "",
    ),
    "rollback-is-not-tagged": (
        "set_traffic(api, target, {previous: 100}, tags={ROLLED_BACK_TAG: revision})",
        "set_traffic(api, target, {previous: 100})",
    ),
    "status-hides-the-rollback": ("if rolled_back and not tagged:", "if False:"),
    "latest-stays-unpinned": (
        "            set_traffic(api, target, {revision: 100})\n        say(",
        "            pass\n        say(",
    ),
    "smoke-test-ignored": ("if status != 200:", "if status == 0:"),
    "failed-release-succeeds": (
        "return roll_back(api, target, previous, revision, problems)",
        "roll_back(api, target, previous, revision, problems)",
    ),
    # CI's federated credentials cannot mint ID tokens: only IAM's, for the deploy service account
    "id-token-of-the-caller": (
        "if isinstance(self.credentials, (service_account.Credentials, compute_engine.Credentials)):",
        "if True:",
    ),
    "id-token-for-the-tag-url": (
        'status = api.probe(url + path, service.get("uri") or url)',
        "status = api.probe(url + path, url)",
    ),
    "id-token-of-another-environment": (
        "api = api or Api(DEPLOY_ACCOUNTS[options.env])",
        "api = api or Api(DEPLOY_ACCOUNTS[list(DEPLOY_ACCOUNTS)[-1]])",
    ),
}


@pytest.mark.parametrize("name", BREAKAGES)
def test_release_tests_fail_when_the_script_breaks(projects, tmp_path, name):
    result = broken_release_tests(projects["canary"], "gcp", tmp_path, *BREAKAGES[name])
    assert result.returncode == 1, result.stdout + result.stderr


def test_release_script_calls_the_service_as_the_deploy_service_account(projects):
    """The smoke tests and `verify` use ID tokens of the service account the deploy job acts as,
    which the service lets in and which may ask IAM for its own ID tokens, and nothing more."""
    project = projects["canary"]
    constants = release_constants(project)
    workflow = (project / ".github" / "workflows" / "deploy.yml").read_text()
    for env in ("dev", "staging", "prod"):
        account = constants["DEPLOY_ACCOUNTS"][env]
        main = load_hcl(project / "terraform" / "environments" / env / "main.tf")
        assert main["locals"][0]["deploy_member"] == f"serviceAccount:{account}"
        assert f"DEPLOY_SERVICE_ACCOUNT: {account}" in workflow
    iam = project / "terraform" / "bootstrap" / "iam.tf"
    grant = resources(iam, "google_service_account_iam_member")["deploy_id_tokens"]
    assert grant["for_each"] == "${var.environments}"
    assert grant["role"] == "roles/iam.serviceAccountOpenIdTokenCreator"
    assert grant["service_account_id"] == "${google_service_account.ci[each.value.deploy_service_account_id].name}"
    assert grant["member"] == "${local.deploy_members[each.key]}"
    # on its own account only: no project-wide token roles
    for kind in ("google_project_iam_member", "google_project_iam_binding"):
        for name, body in resources(iam, kind).items():
            role = str(body.get("role", "")) + str(body.get("for_each", ""))
            assert "TokenCreator" not in role, name
    project_roles = load_hcl(iam)["locals"]
    assert "TokenCreator" not in str(project_roles)


def test_makefile_deploys_the_revision_terraform_registered(projects):
    project = projects["canary"]
    result = subprocess.run(["make", "--dry-run", "deploy", "ENV=dev"], cwd=project, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "release.py deploy dev --revision" in result.stdout
    assert "output -raw revision_name" in result.stdout


def test_first_traffic_is_pinned_to_the_module_revision_by_name(projects):
    """LATEST would give every revision terraform registers all the traffic, skipping the release."""
    for strategy, project in projects.items():
        module = project / "terraform" / "modules" / "service" / "main.tf"
        service = resources(module, "google_cloud_run_v2_service")["this"]
        assert service["traffic"] == [
            {"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", "revision": "${local.revision_name}", "percent": 100}
        ], strategy
        assert "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST" not in module.read_text(), strategy


def test_revision_name_hashes_everything_in_the_template(projects):
    module = projects["canary"] / "terraform" / "modules" / "service" / "main.tf"
    text = module.read_text()
    inputs_text = text[text.index("revision_inputs = {") : text.index("revision_name = ")]
    (template,) = resources(module, "google_cloud_run_v2_service")["this"]["template"]
    # every variable and local the template reads is one of the hashed inputs
    read = set(re.findall(r"\b(var\.[a-z_]+|local\.[a-z_]+)", str(template))) - {"local.revision_name"}
    read |= {"var.labels"}
    # derived from var.cpu_units, which is hashed
    read -= {"local.app_cpu", "local.collector_cpu"}
    assert "cpu_units             = var.cpu_units" in inputs_text
    for reference in sorted(read):
        assert reference in inputs_text or reference.startswith("local.template_settings"), reference
    assert "labels                = var.labels" in inputs_text
    assert "settings              = local.template_settings" in inputs_text
    assert template["labels"] == "${var.labels}"
    # the fixed settings come from the hashed local, not literals
    assert template["timeout"] == "${local.template_settings.timeout}"


def test_collector_secret_version_is_write_only(projects):
    """A plan's service account may view secrets but not read payloads: nothing reads it back."""
    module = projects["canary"] / "terraform" / "modules" / "service" / "main.tf"
    version = resources(module, "google_secret_manager_secret_version")["collector"]
    assert "secret_data" not in version
    assert version["secret_data_wo"] == "${local.collector_config}"
    assert version["secret_data_wo_version"] == "${substr(sha256(local.collector_config), 0, 16)}"


def test_alert_policies_select_only_their_environment(projects):
    project = projects["canary"]
    alerting = project / "terraform" / "modules" / "alerting" / "main.tf"
    text = alerting.read_text()
    assert 'queries = { for name, query in local.inlined : name => replace(query, "{", "{${local.scope},") }' in text
    assert 'scope   = "namespace=\\"${var.namespace}\\""' in text
    constants = release_constants(project)
    for env in ("dev", "staging", "prod"):
        arguments = module_arguments(project, env, "alerting")
        assert (
            arguments["namespace"]
            == constants["SERVICES"][env]
            == module_arguments(project, env, "service")["service_name"]
        )
    # every selector of the rule file has braces, so each one gets the namespace
    rules = yaml.safe_load((project / "monitoring" / "prometheus" / "alerts.yml").read_text())
    selector = re.compile(
        r"\b(?!by\b|without\b|and\b|or\b|unless\b|on\b|ignoring\b)([a-zA-Z_][a-zA-Z0-9_:]*)\s*(\{|\[)"
    )
    for group in rules["groups"]:
        for rule in group["rules"]:
            for _name, opening in selector.findall(rule["expr"]):
                assert opening == "{", rule["expr"]
    readme = (project / "monitoring" / "README.md").read_text()
    assert '{namespace="payments-api-prod",job="payments-api"}' in readme


# --- a public domain: load balancer, certificate, Cloud Armor, DNS --------------------------------

DOMAIN = {**GCP, "domain_name": "payments.example.com", "production_host": "api"}
ENVIRONMENTS = ("dev", "staging", "prod")
WAF_RULE_SETS = ("sqli", "xss", "lfi", "rfi", "rce", "scannerdetection", "protocolattack", "sessionfixation")


@pytest.fixture(scope="module")
def public(tmp_path_factory) -> dict[str, Path]:
    """Domain renders: the zone created by terraform/bootstrap, or one that exists already."""
    root = tmp_path_factory.mktemp("cloud-run-domain")
    return {
        "zone-created": render(root / "created", deploy_strategy="canary", dns_zone_exists=False, **DOMAIN),
        "zone-exists": render(root / "exists", deploy_strategy="blue-green", dns_zone_exists=True, **DOMAIN),
    }


def by_address(path: Path) -> dict:
    """Every resource of a file by `type.name`."""
    return {
        f"{kind}.{name}": body
        for entry in load_hcl(path).get("resource", [])
        for kind, named in entry.items()
        for name, body in named.items()
    }


def load_balancer(project: Path) -> dict:
    return by_address(project / "terraform" / "modules" / "load-balancer" / "main.tf")


def cloud_armor(project: Path) -> dict:
    """The load balancer's call of the shared cloud-armor module, and that module's resources."""
    main = load_hcl(project / "terraform" / "modules" / "load-balancer" / "main.tf")
    call = next(entry["cloud_armor"] for entry in main["module"] if "cloud_armor" in entry)
    return {
        "call": call,
        "moved": main.get("moved", []),
        **by_address(project / "terraform" / "modules" / "cloud-armor" / "main.tf"),
    }


def module_default(project: Path, module: str, name: str):
    variables = load_hcl(project / "terraform" / "modules" / module / "variables.tf")["variable"]
    return next(entry[name] for entry in variables if name in entry).get("default")


def hostnames(project: Path) -> dict[str, str]:
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return {env: e["hostname"] for env, e in context.derive(answers)["environments"].items()}


def test_every_environment_answers_https_only_with_a_modern_policy(public):
    for variant, project in public.items():
        hosts = hostnames(project)
        assert hosts == {
            "dev": "dev.payments.example.com",
            "staging": "staging.payments.example.com",
            "prod": "api.payments.example.com",
        }, variant
        for env in ENVIRONMENTS:
            arguments = module_arguments(project, env, "load_balancer")
            assert arguments["hostname"] == hosts[env] and arguments["source"] == "../../modules/load-balancer"
            assert arguments["service_name"] == "${module.service.service_name}"
        lb = load_balancer(project)
        policy = lb["google_compute_ssl_policy.this"]
        assert policy["min_tls_version"] == "TLS_1_2" and policy["profile"] in ("MODERN", "RESTRICTED"), variant
        proxy = lb["google_compute_target_https_proxy.this"]
        assert proxy["ssl_policy"] == "${google_compute_ssl_policy.this.id}"
        assert proxy["ssl_certificates"] == ["${google_compute_managed_ssl_certificate.this.id}"]
        assert proxy["url_map"] == "${google_compute_url_map.https.id}"
        certificate = lb["google_compute_managed_ssl_certificate.this"]
        assert certificate["managed"] == [{"domains": ["${var.hostname}"]}], variant
        rules = {name: body for name, body in lb.items() if name.startswith("google_compute_global_forwarding_rule.")}
        assert {body["port_range"]: body["target"] for body in rules.values()} == {
            "443": "${google_compute_target_https_proxy.this.id}",
            "80": "${google_compute_target_http_proxy.this.id}",
        }, variant
        assert all(body["load_balancing_scheme"] == "EXTERNAL_MANAGED" for body in rules.values())
        https_map = lb["google_compute_url_map.https"]
        assert https_map["host_rule"] == [{"hosts": ["${var.hostname}"], "path_matcher": "service"}]


def test_port_80_only_redirects_to_https(public):
    for variant, project in public.items():
        lb = load_balancer(project)
        assert lb["google_compute_target_http_proxy.this"]["url_map"] == "${google_compute_url_map.http.id}"
        http_map = lb["google_compute_url_map.http"]
        assert http_map["default_url_redirect"] == [
            {"https_redirect": True, "redirect_response_code": "MOVED_PERMANENTLY_DEFAULT", "strip_query": False}
        ], variant
        # no backend behind plain HTTP
        assert not {"default_service", "host_rule", "path_matcher"} & set(http_map), variant


def test_cloud_armor_blocks_with_managed_rules_and_a_rate_limit(public):
    for variant, project in public.items():
        lb = load_balancer(project)
        armor = cloud_armor(project)
        # one policy, declared in the cloud-armor module the GKE entry shares; its state moves there
        assert "google_compute_security_policy.this" not in lb, variant
        call = armor["call"]
        assert call["source"] == "../cloud-armor" and call["name"] == "${var.name}-waf", variant
        assert call["rate_limit_per_minute"] == "${var.rate_limit_per_minute}", variant
        assert {
            "from": "${google_compute_security_policy.this}",
            "to": "${module.cloud_armor.google_compute_security_policy.this}",
        } in armor["moved"], variant
        policy = armor["google_compute_security_policy.this"]
        assert policy["name"] == "${var.name}", variant
        rules = policy["rule"]
        assert not any(rule.get("preview") for rule in rules), "blocking mode"
        log4j = next(
            r for r in rules if r["match"][0].get("expr", [{}])[0].get("expression", "").find("cve-canary") >= 0
        )
        assert log4j["action"].startswith("deny"), variant
        (throttle,) = [r for r in rules if r["action"] in ("throttle", "rate_based_ban")]
        (options,) = throttle["rate_limit_options"]
        assert options["enforce_on_key"] == "IP" and options["exceed_action"].startswith("deny")
        assert options["rate_limit_threshold"] == [{"count": "${var.rate_limit_per_minute}", "interval_sec": 60}]
        # the WAF rules are evaluated before the throttle rule, whose conforming requests it allows
        locals_ = next(
            entry["waf_rules"]
            for entry in load_hcl(project / "terraform" / "modules" / "cloud-armor" / "main.tf")["locals"]
            if "waf_rules" in entry
        )
        assert sorted(locals_) == sorted(WAF_RULE_SETS), variant
        for name, rule in locals_.items():
            assert f"'{name}-v33-stable'" in rule["expression"] and "'sensitivity': 1" in rule["expression"]
            assert log4j["priority"] < rule["priority"] < throttle["priority"], name
        (waf,) = policy["dynamic"]
        assert waf["rule"]["for_each"] == "${local.waf_rules}"
        assert waf["rule"]["content"][0]["action"] == "deny(403)"
        default = max(rules, key=lambda r: r["priority"])
        assert default["priority"] == 2147483647 and default["action"] == "allow"
        assert policy["adaptive_protection_config"][0]["layer_7_ddos_defense_config"][0]["enable"] is True
        # both backends (the serving revisions and the candidate) behind the policy, every request logged
        backends = lb["google_compute_backend_service.this"]
        assert backends["for_each"] == "${local.backends}"
        assert backends["security_policy"] == "${module.cloud_armor.id}"
        assert backends["log_config"] == [{"enable": True, "sample_rate": 1}]
        assert module_default(project, "load-balancer", "rate_limit_per_minute") == 600
        for env in ENVIRONMENTS:
            assert (
                module_arguments(project, env, "load_balancer")["rate_limit_per_minute"]
                == "${var.rate_limit_per_minute}"
            )
            tfvars = load_hcl(project / "terraform" / "environments" / env / "terraform.tfvars")
            assert tfvars["rate_limit_per_minute"] == 600, env


def test_each_host_name_has_its_record_in_the_zone_found_by_name(public):
    for variant, project in public.items():
        record = load_balancer(project)["google_dns_record_set.this"]
        assert record["name"] == "${var.hostname}." and record["type"] == "A"
        assert record["rrdatas"] == ["${google_compute_global_address.this.address}"]
        assert record["managed_zone"] == "${var.dns_zone_name}"
        for env in ENVIRONMENTS:
            main = load_hcl(project / "terraform" / "environments" / env / "main.tf")
            assert any("google_dns_managed_zones" in entry for entry in main["data"]), variant
            zone = next(entry["dns_zone"] for entry in main["locals"] if "dns_zone" in entry)
            assert '"payments.example.com."' in zone and 'zone.visibility == "public"' in zone
            assert module_arguments(project, env, "load_balancer")["dns_zone_name"] == "${local.dns_zone}"


def test_bootstrap_creates_the_zone_only_when_it_does_not_exist(public):
    created = public["zone-created"] / "terraform" / "bootstrap"
    zone = by_address(created / "dns.tf")["google_dns_managed_zone.public"]
    assert zone["dns_name"] == "${var.domain_name}." and zone["visibility"] == "public"
    (dnssec,) = zone["dnssec_config"]
    assert dnssec["state"] == "on"
    assert all(spec["algorithm"] != "rsasha1" for spec in dnssec["default_key_specs"])
    assert zone["cloud_logging_config"] == [{"enable_logging": True}]
    outputs = {name: body for entry in load_hcl(created / "outputs.tf")["output"] for name, body in entry.items()}
    assert "dns_name_servers" in outputs
    # the registrar needs the DS record too, as README says: bootstrap prints it as AWS's does
    assert outputs["dnssec_ds_record"]["value"] == "${data.google_dns_keys.public.key_signing_keys[0].ds_record}"
    data = load_hcl(created / "dns.tf")["data"]
    keys = next(entry["google_dns_keys"] for entry in data if "google_dns_keys" in entry)
    assert keys["public"]["managed_zone"] == "${google_dns_managed_zone.public.id}"
    readme = (public["zone-created"] / "README.md").read_text()
    assert "output -raw dnssec_ds_record" in readme

    existing = public["zone-exists"] / "terraform" / "bootstrap"
    assert not any(name.startswith("google_dns_managed_zone.") for name in by_address(existing / "dns.tf"))
    assert any("google_dns_managed_zones" in entry for entry in load_hcl(existing / "dns.tf")["data"])
    existing_outputs = load_hcl(existing / "outputs.tf")["output"]
    assert not any({"dns_name_servers", "dnssec_ds_record"} & set(entry) for entry in existing_outputs)
    for root in (created, existing):
        services = next(entry["services"] for entry in load_hcl(root / "main.tf")["locals"] if "services" in entry)
        assert "dns.googleapis.com" in services, root


def test_only_dns_rights_the_zone_needs(public):
    """Plan reads zones and records; deploy reads them and writes records of this zone only, with a
    custom role: never DNS Administrator."""
    for variant, project in public.items():
        bootstrap = project / "terraform" / "bootstrap"
        dns = by_address(bootstrap / "dns.tf")
        reader = dns["google_project_iam_member.dns_reader"]
        assert reader["role"] == "roles/dns.reader"
        assert reader["for_each"] == "${merge(local.deploy_members, {plan = local.plan_member})}"
        role = dns["google_project_iam_custom_role.dns_records"]
        assert all(p.startswith(("dns.changes.", "dns.resourceRecordSets.")) for p in role["permissions"]), variant
        grant = dns["google_dns_managed_zone_iam_member.deploy_records"]
        assert grant["managed_zone"] == "${local.dns_zone_name}" and grant["for_each"] == "${local.deploy_members}"
        assert grant["role"] == "${google_project_iam_custom_role.dns_records.name}"
        text = "".join(path.read_text() for path in bootstrap.glob("*.tf"))
        assert "roles/dns.admin" not in text, variant


def test_the_service_is_reached_only_through_the_load_balancer(public):
    for variant, project in public.items():
        for env in ENVIRONMENTS:
            service = module_arguments(project, env, "service")
            assert service["ingress"] == "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER", variant
            assert service["invoker_iam_disabled"] is True, variant
            outputs = load_hcl(project / "terraform" / "environments" / env / "outputs.tf")["output"]
            url = next(entry["service_url"] for entry in outputs if "service_url" in entry)
            assert url["value"] == "${module.load_balancer.url}"
        lb_outputs = load_hcl(project / "terraform" / "modules" / "load-balancer" / "outputs.tf")["output"]
        assert next(entry["url"] for entry in lb_outputs if "url" in entry)["value"] == "https://${var.hostname}"
        public_binding = re.compile(r'members?\s*=\s*\[?[^\n]*"all(Authenticated)?Users"')
        for path in project.glob("terraform/**/*.tf"):
            assert not public_binding.search(path.read_text()), path


def test_without_a_domain_there_is_no_public_entry(projects):
    for strategy, project in projects.items():
        terraform = project / "terraform"
        assert not (terraform / "modules" / "load-balancer").exists(), strategy
        assert not (terraform / "modules" / "cloud-armor").exists(), strategy
        assert not (terraform / "bootstrap" / "dns.tf").exists(), strategy
        text = "".join(path.read_text() for path in terraform.glob("**/*.tf"))
        for kind in (
            "google_compute_security_policy",
            "google_compute_managed_ssl_certificate",
            "google_dns_record_set",
            "google_dns_managed_zone",
            "google_compute_global_forwarding_rule",
        ):
            assert kind not in text, (strategy, kind)
        for env in ENVIRONMENTS:
            service = module_arguments(project, env, "service")
            assert service["ingress"] == "INGRESS_TRAFFIC_ALL" and "invoker_iam_disabled" not in service
            outputs = load_hcl(terraform / "environments" / env / "outputs.tf")["output"]
            url = next(entry["service_url"] for entry in outputs if "service_url" in entry)
            assert url["value"] == "${module.service.service_uri}"
        constants = release_constants(project)
        assert "PUBLIC_URLS" not in constants and "CANDIDATE_HEADER" not in constants


def test_release_script_reaches_the_candidate_the_way_the_load_balancer_routes_it(public):
    for variant, project in public.items():
        constants = release_constants(project)
        hosts = hostnames(project)
        answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
        infra = context.derive(answers)
        assert constants["PUBLIC_URLS"] == {env: f"https://{host}" for env, host in hosts.items()}, variant
        assert constants["CANDIDATE_HEADER"] == module_default(project, "load-balancer", "candidate_header")
        assert constants["CANDIDATE_TAG"] == module_default(project, "load-balancer", "candidate_tag")
        lb = load_balancer(project)
        # a new host name gets a new certificate (its domains cannot change in place, and the proxy
        # keeps the one it uses): the script computes the name the same way
        certificate = lb["google_compute_managed_ssl_certificate.this"]
        assert certificate["name"] == "${var.name}-lb-${substr(sha256(var.hostname), 0, 8)}"
        assert certificate["lifecycle"] == [{"create_before_destroy": True}]
        for env in ENVIRONMENTS:
            main = load_hcl(project / "terraform" / "environments" / env / "main.tf")
            name = next(entry["name"] for entry in main["locals"] if "name" in entry)
            assert name == infra["environments"][env]["resource_prefix"]
            digest = hashlib.sha256(hosts[env].encode()).hexdigest()[:8]
            assert constants["CERTIFICATES"][env] == f"{name}-lb-{digest}"
        (route,) = lb["google_compute_url_map.https"]["path_matcher"][0]["route_rules"]
        assert route["service"] == '${google_compute_backend_service.this["candidate"].id}'
        assert route["match_rules"][0]["header_matches"] == [
            {"header_name": "${var.candidate_header}", "present_match": True}
        ]
        negs = lb["google_compute_region_network_endpoint_group.this"]
        assert negs["cloud_run"] == [{"service": "${var.service_name}", "tag": "${each.value.tag}"}]


def test_release_script_with_a_domain_passes_its_tests(public):
    for variant, project in public.items():
        result = generated_tests(project)
        assert result.returncode == 0, variant + result.stdout + result.stderr
        assert " passed" in result.stdout


# Each change breaks a promise the script makes behind the load balancer; its tests must catch it.
PUBLIC_BREAKAGES = {
    "smoke-test-off-the-load-balancer": (
        "    url = PUBLIC_URLS[target.env]\n",
        '    url = f"https://{CANDIDATE_TAG}---{target.service}.run.app"\n',
    ),
    "candidate-header-dropped": (
        "status = api.probe(url + path, None, {CANDIDATE_HEADER: CANDIDATE_TAG})",
        "status = api.probe(url + path, None, {})",
    ),
    "id-token-through-the-load-balancer": (
        "status = api.probe(url + path, None, {CANDIDATE_HEADER: CANDIDATE_TAG})",
        "status = api.probe(url + path, url, {CANDIDATE_HEADER: CANDIDATE_TAG})",
    ),
    "certificate-not-awaited": (
        '        if state == "ACTIVE":\n            return\n',
        "        return\n",
    ),
    "verify-off-the-load-balancer": (
        'status_code = api.probe(PUBLIC_URLS[target.env] + "/readyz", None)',
        'status_code = api.probe(service.get("uri", "") + "/readyz", None)',
    ),
    "smoke-test-ignored": ("if status != 200:", "if status == 0:"),
}


@pytest.mark.parametrize("name", PUBLIC_BREAKAGES)
def test_release_tests_fail_when_the_public_script_breaks(public, tmp_path, name):
    result = broken_release_tests(public["zone-created"], "gcp", tmp_path, *PUBLIC_BREAKAGES[name])
    assert result.returncode == 1, result.stdout + result.stderr
