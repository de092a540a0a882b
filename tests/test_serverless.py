"""`orchestrator: serverless` (ECS on Fargate): what the pipelines and the Makefile run, parsed.

No Helm, kubectl or cluster login anywhere; every pipeline installs the release script's
requirements where it plans or deploys, plans the digest it deploys, and lets deploy/release.py
start and follow the deployment.
"""

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from combinations import choices
from helpers import load_hcl, render

OVERRIDES = {"gitlab": {"repository": "acme/payments/api"}}
DIGEST = "sha256:" + "ab" * 32
KUBERNETES_ONLY = re.compile(r"\b(helm|kubectl|kubeconfig|argo)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    """One serverless repository per `ci` choice (canary, so the longest path is rendered)."""
    root = tmp_path_factory.mktemp("serverless")
    return {
        ci: render(root / ci, ci=ci, orchestrator="serverless", deploy_strategy="canary", **OVERRIDES.get(ci, {}))
        for ci in choices()["ci"]
    }


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def commands(steps: list[dict]) -> str:
    return "\n".join(step.get("run", "") for step in steps)


def test_nothing_of_kubernetes_is_rendered(projects):
    for ci, project in projects.items():
        assert not (project / "deploy" / "chart").exists(), ci
        assert (project / "deploy" / "release.py").is_file(), ci
        assert not (project / "monitoring" / "install.sh").exists(), ci
        patterns = (".github/workflows/*.yml", ".gitlab-ci.yml", ".circleci/config.yml", "ci/*.sh", "Makefile",
                    "README.md", "docs/**/*.md", "monitoring/**/*", "deploy/**/*")  # fmt: skip
        files = [path for pattern in patterns for path in project.glob(pattern) if path.is_file()]
        for path in files:
            found = KUBERNETES_ONLY.findall(path.read_text())
            assert not found, f"{ci}: {path.relative_to(project)} mentions {sorted(set(found))}"


def test_github_deploy_jobs_plan_the_digest_and_let_the_script_deploy(projects):
    workflow = load(projects["github"] / ".github" / "workflows" / "deploy.yml")
    deploy_jobs = {name: job for name, job in workflow["jobs"].items() if name.startswith("deploy-")}
    assert list(deploy_jobs) == ["deploy-dev", "deploy-staging", "deploy-prod"]
    for name, job in deploy_jobs.items():
        run = commands(job["steps"])
        assert "python -m pip install -r deploy/requirements.txt" in run, name
        assert 'make plan ENV="$DEPLOY_ENV" DIGEST="$DIGEST"' in run, name
        assert run.index("make apply") < run.index('make deploy ENV="$DEPLOY_ENV"') < run.index("make verify"), name
        (rollback,) = [step for step in job["steps"] if step.get("id") == "rollback"]
        assert rollback["if"] == "failure() && steps.deploy.outcome == 'success'", name
        assert rollback["run"] == 'make rollback ENV="$DEPLOY_ENV"', name
        record = next(step for step in job["steps"] if step["name"] == "Write the deployment record")
        assert "startsWith(steps.state.outputs.state, 'ROLLBACK_SUCCESSFUL')" in record["env"]["ROLLED_BACK"], name


def test_github_plans_install_the_release_script(projects):
    workflow = load(projects["github"] / ".github" / "workflows" / "terraform-plan.yml")
    run = commands(workflow["jobs"]["plan"]["steps"])
    assert run.index("pip install -r deploy/requirements.txt") < run.index('make plan ENV="$ENVIRONMENT"')


def test_release_tests_run_apart_from_the_validators(projects):
    """checkov pins other versions of boto3's dependencies: the release tests get a Python of their own."""
    checks = load(projects["github"] / ".github" / "workflows" / "ci.yml")
    run = commands(checks["jobs"]["release-test"]["steps"])
    assert run.index("pip install -r deploy/requirements.txt") < run.index("make release-test")
    assert "deploy/requirements.txt" not in commands(checks["jobs"]["validate"]["steps"])
    gitlab = load(projects["gitlab"] / ".gitlab-ci.yml")
    assert gitlab["release-test"]["variables"]["PIP_REQUIREMENTS"] == "deploy/requirements.txt"
    assert gitlab["release-test"]["stage"] == gitlab["test"]["stage"]
    assert "deploy/requirements.txt" not in gitlab["validate"]["variables"]["PIP_REQUIREMENTS"]
    circleci = load(projects["circleci"] / ".circleci" / "config.yml")
    jobs = circleci["workflows"]["delivery"]["jobs"]
    publish = next(job["publish"] for job in jobs if isinstance(job, dict) and "publish" in job)
    assert "release-test" in jobs and "release-test" in publish["requires"]


def test_gitlab_and_circleci_install_the_release_script_where_they_plan_or_deploy(projects):
    gitlab = load(projects["gitlab"] / ".gitlab-ci.yml")
    for job in (".deploy", "plan"):
        assert "deploy/requirements.txt" in gitlab[job]["variables"]["PIP_REQUIREMENTS"].split(), job
    assert gitlab[".deploy"]["variables"]["TOOLS"].split() == ["terraform", "jq"]
    circleci = load(projects["circleci"] / ".circleci" / "config.yml")
    for job in ("deploy", "plan"):
        steps = circleci["jobs"][job]["steps"]
        (setup,) = [step["setup"] for step in steps if isinstance(step, dict) and "setup" in step]
        assert "deploy/requirements.txt" in setup["requirements"].split(), job
        assert "helm" not in setup["tools"].split(), job


def test_ci_deploy_script_plans_the_digest_it_deploys(projects):
    script = (projects["gitlab"] / "ci" / "deploy.sh").read_text()
    assert script.index('make plan ENV="$ENV" DIGEST="$DIGEST"') < script.index('make deploy ENV="$ENV"')
    assert 'make rollback ENV="$ENV" && rolled_back=true' in script


def dry_run(project: Path, *arguments: str) -> str:
    result = subprocess.run(["make", "--dry-run", *arguments], cwd=project, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_makefile_deploys_through_the_release_script(projects):
    project = projects["github"]
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["orchestrator"] == "serverless"
    assert "release.py deploy dev --task-definition" in dry_run(project, "deploy", "ENV=dev")
    assert "terraform -chdir=terraform/environments/dev output -raw task_definition_arn" in dry_run(
        project, "deploy", "ENV=dev"
    )
    assert "release.py rollback prod" in dry_run(project, "rollback", "ENV=prod")
    assert "--to arn:x" in dry_run(project, "rollback", "ENV=prod", "REVISION=arn:x")
    plan = dry_run(project, "plan", "ENV=dev", f"DIGEST={DIGEST}")
    assert f'digest="{DIGEST}"' in plan and '-var "image=' in plan, plan
    assert "release.py digest dev" in plan  # used only when no DIGEST is given
    targets = subprocess.run(["make", "help"], cwd=project, capture_output=True, text=True, check=True).stdout
    names = {line.split()[0] for line in targets.splitlines() if line.startswith("  ") and not line.startswith("  ENV")}
    assert {"plan", "apply", "deploy", "verify", "rollback", "status", "release-test"} <= names
    (validate,) = [line for line in (project / "Makefile").read_text().splitlines() if line.startswith("validate:")]
    assert "release-test" not in validate.split("##")[0]
    assert not names & {"kubeconfig", "monitoring", "platform", "helm-lint"}


def ecs_service(project: Path) -> dict:
    module = load_hcl(project / "terraform" / "modules" / "service" / "main.tf")
    return next(entry["aws_ecs_service"]["this"] for entry in module["resource"] if "aws_ecs_service" in entry)


def service_arguments(project: Path, env: str) -> dict:
    main = load_hcl(project / "terraform" / "environments" / env / "main.tf")
    return next(entry["service"] for entry in main["module"] if "service" in entry)


@pytest.mark.parametrize("strategy", ["rolling", "blue-green", "canary"])
def test_ecs_runs_the_strategy_and_rolls_back_by_itself(tmp_path, strategy):
    project = render(tmp_path / strategy, orchestrator="serverless", deploy_strategy=strategy)
    service = ecs_service(project)
    assert service["deployment_circuit_breaker"] == [{"enable": True, "rollback": True}]
    (alarms,) = service["alarms"]
    assert (alarms["enable"], alarms["rollback"]) == (True, True)
    assert {"task_definition", "desired_count"} <= set(service["lifecycle"][0]["ignore_changes"])
    assert service["deployment_configuration"][0]["strategy"] == "${var.deployment_strategy}"
    for env, weights in (("dev", [50]), ("prod", [10, 25, 50])):
        arguments = service_arguments(project, env)
        assert arguments["deployment_strategy"] == strategy.upper().replace("-", "_")
        if strategy == "rolling":
            assert "canary_percent" not in arguments and "bake_time_minutes" not in arguments
            continue
        # the new version is watched by the alarms for a while after it takes all traffic
        assert arguments["bake_time_minutes"] >= 3
        if strategy == "canary":
            assert arguments["canary_percent"] == weights[0] and 0 < arguments["canary_percent"] < 100
            assert 1 <= arguments["canary_bake_time_minutes"] <= arguments["bake_time_minutes"]
    # outside production every task but the first runs on Fargate Spot
    assert service["capacity_provider_strategy"][0] == {
        "capacity_provider": "FARGATE",
        "base": 1,
        "weight": "${var.spot ? 0 : 1}",
    }
    for env, spot in (("dev", True), ("prod", False)):
        assert service_arguments(project, env)["spot"] == "${var.fargate_spot}"
        tfvars = load_hcl(project / "terraform" / "environments" / env / "terraform.tfvars")
        assert tfvars["fargate_spot"] is spot, env
    # production watches longer than the first environment
    if strategy != "rolling":
        bake = {env: service_arguments(project, env)["bake_time_minutes"] for env in ("dev", "prod")}
        assert bake["prod"] > bake["dev"]


# ---------------------------------------------------------------- public entry (domain_name)

DOMAIN = "payments.example.com"
HOSTS = {
    # bootstrap creates the zone; production on the domain itself
    "zone-created": {"dev": f"dev.{DOMAIN}", "staging": f"staging.{DOMAIN}", "prod": DOMAIN},
    # the zone exists already; production on api.<domain>
    "zone-exists": {"dev": f"dev.{DOMAIN}", "staging": f"staging.{DOMAIN}", "prod": f"api.{DOMAIN}"},
}


@pytest.fixture(scope="module")
def domains(tmp_path_factory) -> dict[str, Path]:
    """Serverless repositories with a domain (both zone_exists values) and one without."""
    root = tmp_path_factory.mktemp("domains")
    serverless = {"orchestrator": "serverless", "deploy_strategy": "canary"}
    return {
        "zone-created": render(root / "created", **serverless, domain_name=DOMAIN),
        "zone-exists": render(
            root / "exists", **serverless, domain_name=DOMAIN, production_host="api", dns_zone_exists=True
        ),
        "none": render(root / "none", **serverless),
    }


def blocks(hcl: dict, kind: str) -> dict[str, dict]:
    """`resource` or `data` blocks of a parsed file, keyed `<type>.<name>`."""
    return {
        f"{type_}.{name}": body
        for entry in hcl.get(kind, [])
        for type_, bodies in entry.items()
        for name, body in bodies.items()
    }


def named(hcl: dict, kind: str) -> dict[str, dict]:
    """`module`, `variable` or `output` blocks of a parsed file, by name."""
    return {name: body for entry in hcl.get(kind, []) for name, body in entry.items()}


def module_files(project: Path, module: str) -> dict:
    """Every .tf file of a module, parsed and merged."""
    merged: dict = {}
    for path in sorted((project / "terraform" / "modules" / module).glob("*.tf")):
        for kind, entries in load_hcl(path).items():
            merged.setdefault(kind, []).extend(entries)
    return merged


def test_every_environment_with_a_domain_gets_its_host_name_certificate_and_web_acl(domains):
    for case, hosts in HOSTS.items():
        project = domains[case]
        for env, host in hosts.items():
            root = project / "terraform" / "environments" / env
            main = load_hcl(root / "main.tf")
            zone = blocks(main, "data")["aws_route53_zone.this"]
            assert zone == {"name": DOMAIN, "private_zone": False}, (case, env)
            modules = named(main, "module")
            service = modules["service"]
            assert service["hostname"] == host, (case, env)
            assert service["zone_id"] == "${data.aws_route53_zone.this.zone_id}"
            assert service["public_subnet_ids"] == "${module.network.public_subnet_ids}"
            waf = modules["waf"]
            assert waf["source"] == "../../modules/waf"
            assert waf["resource_arn"] == "${module.service.load_balancer_arn}"
            assert waf["rate_limit_per_minute"] == "${var.rate_limit_per_minute}"
            assert waf["log_retention_days"] == "${var.log_retention_days}"
            assert load_hcl(root / "terraform.tfvars")["rate_limit_per_minute"] == 600
            assert named(load_hcl(root / "variables.tf"), "variable")["rate_limit_per_minute"]["default"] == 600
            outputs = named(load_hcl(root / "outputs.tf"), "output")
            assert outputs["service_url"]["value"] == "${module.service.service_url}"


def test_the_public_load_balancer_serves_tls_only_and_redirects_port_80(domains):
    service = module_files(domains["zone-created"], "service")
    resources = blocks(service, "resource")
    (locals_,) = service["locals"][:1]
    assert locals_["public"] == "${var.hostname != null}"
    assert locals_["production_port"] == "${local.public ? 443 : 80}"
    assert locals_["redirect_port"] == 80
    variables = named(service, "variable")
    assert variables["hostname"]["default"] is None
    assert variables["ssl_policy"]["default"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert variables["health_check_path"]["default"] == "/readyz"

    # anyone reaches 443 and the redirect on 80; the test listener only allowed_cidrs
    assert locals_["open_ports"] == "${local.public ? [local.production_port, local.redirect_port] : []}"
    assert locals_["restricted_ports"].startswith(
        "${local.public ? setsubtract(local.listener_ports, [local.production_port])"
    )
    assert resources["aws_vpc_security_group_ingress_rule.load_balancer"]["for_each"] == "${local.listener_sources}"

    balancer = resources["aws_lb.this"]
    assert balancer["internal"] == "${!local.public}"
    assert balancer["subnets"] == "${local.public ? var.public_subnet_ids : var.subnet_ids}"
    assert balancer["drop_invalid_header_fields"] is True
    assert balancer["access_logs"][0]["enabled"] is True
    assert balancer["access_logs"][0]["bucket"] == "${module.access_logs.bucket_id}"

    listeners = {name.split(".")[1]: body for name, body in resources.items() if name.startswith("aws_lb_listener.")}
    public = {name: body for name, body in listeners.items() if body["count"] == "${local.public ? 1 : 0}"}
    internal = {name: body for name, body in listeners.items() if body["count"] == "${local.public ? 0 : 1}"}
    assert set(public) == {"production_https", "redirect"}
    for name in ("production_https", "test_https"):
        listener = listeners[name]
        assert listener["protocol"] == "HTTPS" and listener["ssl_policy"] == "${var.ssl_policy}", name
        assert listener["certificate_arn"] == "${aws_acm_certificate_validation.this[0].certificate_arn}", name
        assert listener["count"].endswith(
            "&& local.public ? 1 : 0}" if name == "test_https" else "${local.public ? 1 : 0}"
        )
    # the only plain-HTTP listeners with a host name: the redirect; the forwarding ones exist without one
    (redirect,) = public["redirect"]["default_action"]
    assert public["redirect"]["port"] == "${local.redirect_port}" and public["redirect"]["protocol"] == "HTTP"
    assert redirect["type"] == "redirect"
    https = {"protocol": "HTTPS", "port": "${tostring(local.production_port)}", "status_code": "HTTP_301"}
    assert redirect["redirect"] == [https]
    assert set(internal) == {"production"}
    assert listeners["test"]["count"] == "${local.progressive && !local.public ? 1 : 0}"
    plain = {name for name, body in listeners.items() if body["protocol"] != "HTTPS"}
    assert plain == {"redirect", "production", "test"}

    # the certificate of the host name, validated in its zone, and the alias record of the host name
    certificate = resources["aws_acm_certificate.this"]
    assert (certificate["domain_name"], certificate["validation_method"]) == ("${var.hostname}", "DNS")
    validation = resources["aws_acm_certificate_validation.this"]
    assert validation["validation_record_fqdns"] == ["${aws_route53_record.certificate_validation[0].fqdn}"]
    assert resources["aws_route53_record.certificate_validation"]["zone_id"] == "${var.zone_id}"
    record = resources["aws_route53_record.service"]
    assert (record["zone_id"], record["name"], record["type"]) == ("${var.zone_id}", "${var.hostname}", "A")
    assert record["alias"][0]["name"] == "${aws_lb.this.dns_name}"
    for name in ("aws_acm_certificate.this", "aws_acm_certificate_validation.this", "aws_route53_record.service"):
        assert resources[name]["count"] == "${local.public ? 1 : 0}", name

    # ECS shifts the weights of the listener rules on whichever listener is live
    rules = {name: body for name, body in resources.items() if name.startswith("aws_lb_listener_rule.")}
    assert rules["aws_lb_listener_rule.production"]["listener_arn"] == "${local.production_listener_arn}"
    assert rules["aws_lb_listener_rule.test"]["listener_arn"] == "${local.test_listener_arn}"
    outputs = named(service, "output")
    assert outputs["service_url"]["value"] == '${local.public ? "https://${var.hostname}" : null}'
    assert {"from": "${aws_lb_listener.production}", "to": "${aws_lb_listener.production[0]}"} in service["moved"]


def test_the_web_acl_blocks_with_managed_rules_and_a_rate_limit_and_logs_its_decisions(domains):
    waf = module_files(domains["zone-created"], "waf")
    resources = blocks(waf, "resource")
    (locals_,) = waf["locals"]
    assert locals_["managed_rule_groups"] == [
        "AWSManagedRulesAmazonIpReputationList",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesCommonRuleSet",
    ]
    rate = locals_["rate_limit_rule"]
    assert rate["Action"] == {"Block": {}}
    assert rate["Statement"]["RateBasedStatement"] == {
        "Limit": "${var.rate_limit_per_minute}",
        "AggregateKeyType": "IP",
        "EvaluationWindowSec": 60,
    }
    assert "OverrideAction = {None = {}}" in locals_["rules"]  # managed groups block; none is set to count
    acl = resources["aws_wafv2_web_acl.this"]
    assert acl["scope"] == "REGIONAL" and acl["rule_json"] == "${jsonencode(local.rules)}"
    assert acl["default_action"] == [{"allow": [{}]}]
    association = resources["aws_wafv2_web_acl_association.this"]
    assert association == {"resource_arn": "${var.resource_arn}", "web_acl_arn": "${aws_wafv2_web_acl.this.arn}"}
    logging = resources["aws_wafv2_web_acl_logging_configuration.this"]
    assert logging["log_destination_configs"] == ["${module.log_group.arn}"]
    log_group = named(waf, "module")["log_group"]
    assert log_group["source"] == "../log-group" and log_group["name"] == "aws-waf-logs-${var.name}"
    assert log_group["retention_days"] == "${var.log_retention_days}"
    assert named(waf, "variable")["rate_limit_per_minute"]["default"] == 600


def test_bootstrap_creates_the_zone_only_when_it_does_not_exist(domains):
    created = domains["zone-created"] / "terraform" / "bootstrap"
    dns = load_hcl(created / "dns.tf")
    resources = blocks(dns, "resource")
    assert resources["aws_route53_zone.this"]["name"] == "${var.domain_name}"
    assert named(dns, "variable")["domain_name"]["default"] == DOMAIN
    assert resources["aws_route53_hosted_zone_dnssec.this"]["hosted_zone_id"].startswith(
        "${aws_route53_key_signing_key"
    )
    key = resources["aws_kms_key.dnssec"]
    assert (key["customer_master_key_spec"], key["key_usage"]) == ("ECC_NIST_P256", "SIGN_VERIFY")
    (provider,) = [entry["aws"] for entry in dns["provider"]]
    assert provider["alias"] == "us_east_1" and provider["region"] == "us-east-1"
    assert key["provider"] == "${aws.us_east_1}"
    assert resources["aws_route53_query_log.this"]["zone_id"] == "${aws_route53_zone.this.zone_id}"
    assert named(dns, "module")["dns_query_logs"]["providers"] == {"aws": "${aws.us_east_1}"}
    assert named(dns, "output")["name_servers"]["value"] == "${aws_route53_zone.this.name_servers}"
    for case in ("zone-exists", "none"):
        bootstrap = domains[case] / "terraform" / "bootstrap"
        assert not (bootstrap / "dns.tf").exists(), case
        assert "aws_route53_zone" not in "".join(path.read_text() for path in bootstrap.glob("*.tf")), case


def test_deploy_roles_may_change_only_their_own_host_names_records(domains):
    for case, hosts in HOSTS.items():
        bootstrap = domains[case] / "terraform" / "bootstrap"
        environments = named(load_hcl(bootstrap / "variables.tf"), "variable")["environments"]["default"]
        assert {env: values["hostname"] for env, values in environments.items()} == hosts, case
        deploy = blocks(load_hcl(bootstrap / "iam.tf"), "data")["aws_iam_policy_document.deploy"]
        statements = {statement.get("sid"): statement for statement in deploy["statement"]}
        names = statements["DenyOtherHostNames"]
        assert names["effect"] == "Deny" and names["actions"] == ["route53:ChangeResourceRecordSets"]
        (condition,) = names["condition"]
        assert condition["test"] == "ForAnyValue:StringNotLike"
        assert condition["variable"] == "route53:ChangeResourceRecordSetsNormalizedRecordNames"
        assert condition["values"] == ["${each.value.hostname}", "_*.${each.value.hostname}"]
        # only the kinds of record it writes: the apex's NS and SOA records are production's name too
        types = statements["DenyOtherRecordTypes"]
        assert types["effect"] == "Deny" and types["actions"] == ["route53:ChangeResourceRecordSets"]
        (condition,) = types["condition"]
        assert condition["test"] == "ForAnyValue:StringNotEquals"
        assert condition["variable"] == "route53:ChangeResourceRecordSetsRecordTypes"
        assert condition["values"] == ["A", "CNAME"]
        zone = statements["DenyZoneChanges"]
        assert zone["effect"] == "Deny" and "route53:DeleteHostedZone" in zone["actions"]
        assert "route53:DisableHostedZoneDNSSEC" in zone["actions"]
        assert not any(action.startswith(("route53:Get", "route53:List")) for action in zone["actions"])
        # PowerUserAccess reaches the bootstrap's untagged keys: disabling the DNSSEC signing key
        # would make the whole domain unresolvable for validating resolvers
        keys = statements["DenyKeyChanges"]
        created = case == "zone-created"
        denied_keys = str(keys["resources"])  # a list, or an expression that concatenates one
        assert ("aws_kms_key.dnssec.arn" in denied_keys) is created, case
        assert ("module.dns_query_logs.kms_key_arn" in denied_keys) is created, case
        assert {"kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"} <= set(keys["actions"])
        assert ("DenyDnsQueryLogChanges" in statements) is created, case
        if created:
            assert "logs:DeleteLogGroup" in statements["DenyDnsQueryLogChanges"]["actions"]


@pytest.mark.parametrize("case", ["zone-created", "none"])
def test_the_access_log_bucket_is_the_access_logs_module_and_its_state_moves_there(domains, case):
    """With or without a domain the load balancer logs to the sibling module access-logs; every
    resource the service module had for its access logs moves into module.access_logs."""
    service = module_files(domains[case], "service")
    call = named(service, "module")["access_logs"]
    assert call["source"] == "../access-logs"
    assert (call["bucket_name"], call["retention_days"], call["force_destroy"]) == (
        "${var.access_logs_bucket_name}",
        "${var.log_retention_days}",
        "${!var.deletion_protection}",
    )
    assert named(service, "output")["access_logs_bucket"]["value"] == "${module.access_logs.bucket_id}"
    access_logs = module_files(domains[case], "access-logs")
    resources = blocks(access_logs, "resource")
    assert len(resources) == 7
    moved = {(block["from"], block["to"]) for block in service["moved"]}
    assert {
        (f"${{{name.split('.')[0]}.access_logs}}", f"${{module.access_logs.{name}}}") for name in resources
    } <= moved
    assert not any(name.startswith("aws_s3_") for name in blocks(service, "resource"))
    assert "aws_elb_service_account.this" in blocks(access_logs, "data")
    statements = {s["sid"] for s in blocks(access_logs, "data")["aws_iam_policy_document.this"]["statement"]}
    assert statements == {"LoadBalancerLogDelivery", "DenyInsecureTransport"}


def test_without_a_domain_the_load_balancer_stays_internal(domains):
    project = domains["none"]
    assert not (project / "terraform" / "modules" / "waf").exists()
    for env in ("dev", "staging", "prod"):
        root = project / "terraform" / "environments" / env
        main = load_hcl(root / "main.tf")
        assert not any(name.startswith("aws_route53_zone.") for name in blocks(main, "data")), env
        modules = named(main, "module")
        assert "waf" not in modules, env
        assert not {"hostname", "zone_id", "public_subnet_ids"} & set(modules["service"]), env
        assert "service_url" not in named(load_hcl(root / "outputs.tf"), "output"), env
        assert "rate_limit_per_minute" not in load_hcl(root / "terraform.tfvars"), env
    bootstrap = project / "terraform" / "bootstrap"
    environments = named(load_hcl(bootstrap / "variables.tf"), "variable")["environments"]["default"]
    assert all("hostname" not in values for values in environments.values())
    deploy = blocks(load_hcl(bootstrap / "iam.tf"), "data")["aws_iam_policy_document.deploy"]
    sids = {statement.get("sid") for statement in deploy["statement"]}
    assert not {"DenyOtherHostNames", "DenyZoneChanges"} & sids
