"""A domain on EKS: a Terraform-owned internet-facing load balancer (HTTPS only, port 80 redirects),
its certificate, record, web ACL and access logs per environment; the AWS Load Balancer Controller
binds the pods to its target group (the chart's TargetGroupBinding).

Parsed from the rendered Terraform (python-hcl2), the Makefile (`make --dry-run`) and `helm
template`; the render matrix runs the validators over the same files.
"""

import subprocess
from pathlib import Path

import pytest
import yaml
from copier import run_copy, run_update
from helpers import GIT, ROOT, answers, load_hcl, render, root_blocks, snapshot, unavailable

HELM = ROOT / ".tools" / "bin" / "helm"
DIGEST = "sha256:" + "0" * 64
SLUG = "payments-api"
DOMAIN = "payments.example.com"
ENVIRONMENTS = ("dev", "staging", "prod")
HOSTS = {
    # bootstrap creates the zone; production on the domain itself; canary
    "zone-created": {"dev": f"dev.{DOMAIN}", "staging": f"staging.{DOMAIN}", "prod": DOMAIN},
    # the zone exists already; production on api.<domain>; blue-green
    "zone-exists": {"dev": f"dev.{DOMAIN}", "staging": f"staging.{DOMAIN}", "prod": f"api.{DOMAIN}"},
}
TARGET_GROUP = "arn:aws:elasticloadbalancing:us-east-1:210987654321:targetgroup/payments-api-dev/0123456789abcdef"

pytestmark = pytest.mark.xdist_group("public-aws-kubernetes")


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("public-aws-kubernetes")
    return {
        "zone-created": render(root / "created", deploy_strategy="canary", domain_name=DOMAIN),
        "zone-exists": render(
            root / "exists",
            deploy_strategy="blue-green",
            domain_name=DOMAIN,
            production_host="api",
            dns_zone_exists=True,
        ),
        "none": render(root / "none", deploy_strategy="blue-green"),
    }


def module(project: Path, name: str, kind: str) -> dict[str, dict]:
    return root_blocks(project / "terraform" / "modules" / name, kind)


def environment(project: Path, env: str, kind: str) -> dict[str, dict]:
    return root_blocks(project / "terraform" / "environments" / env, kind)


@pytest.mark.parametrize("case", sorted(HOSTS))
def test_every_environment_gets_its_load_balancer_certificate_record_and_web_acl(projects, case):
    project = projects[case]
    for env, host in HOSTS[case].items():
        zone = environment(project, env, "data")["aws_route53_zone.this"]
        assert zone == {"name": DOMAIN, "private_zone": False}, (case, env)
        modules = environment(project, env, "module")
        balancer = modules["load_balancer"]
        assert balancer["source"] == "../../modules/load-balancer"
        assert balancer["hostname"] == host, (case, env)
        assert balancer["zone_id"] == "${data.aws_route53_zone.this.zone_id}"
        assert balancer["public_subnet_ids"] == "${module.network.public_subnet_ids}"
        assert balancer["pods_security_group_id"] == "${module.cluster.cluster_security_group_id}"
        assert balancer["cluster_arn"] == "${module.cluster.cluster_arn}"
        assert balancer["deletion_protection"] == "${var.deletion_protection}"
        waf = modules["waf"]
        assert waf["source"] == "../../modules/waf"
        assert waf["resource_arn"] == "${module.load_balancer.load_balancer_arn}"
        assert waf["rate_limit_per_minute"] == "${var.rate_limit_per_minute}"
        assert waf["log_retention_days"] == "${var.log_retention_days}"
        root = project / "terraform" / "environments" / env
        tfvars = load_hcl(root / "terraform.tfvars")
        assert tfvars["rate_limit_per_minute"] == 600
        assert tfvars["deletion_protection"] is (env == "prod")
        assert environment(project, env, "variable")["rate_limit_per_minute"]["default"] == 600
        outputs = environment(project, env, "output")
        assert outputs["service_url"]["value"] == "${module.load_balancer.service_url}"
        assert outputs["target_group_arn"]["value"] == "${module.load_balancer.target_group_arn}"
    assert (project / "terraform" / "modules" / "waf" / "main.tf").is_file()


def test_the_load_balancer_serves_tls_only_and_port_80_only_redirects(projects):
    project = projects["zone-created"]
    resources = module(project, "load-balancer", "resource")
    variables = module(project, "load-balancer", "variable")
    assert variables["ssl_policy"]["default"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert variables["health_check_path"]["default"] == "/readyz"

    balancer = resources["aws_lb.this"]
    assert balancer["internal"] is False and balancer["load_balancer_type"] == "application"
    assert balancer["subnets"] == "${var.public_subnet_ids}"
    assert balancer["drop_invalid_header_fields"] is True
    assert balancer["enable_deletion_protection"] == "${var.deletion_protection}"
    assert balancer["access_logs"][0]["enabled"] is True
    assert balancer["access_logs"][0]["bucket"] == "${module.access_logs.bucket_id}"
    assert balancer["access_logs"][0]["prefix"] == "${module.access_logs.prefix}"

    listeners = {name.split(".")[1]: body for name, body in resources.items() if name.startswith("aws_lb_listener.")}
    assert set(listeners) == {"https", "redirect"}
    https = listeners["https"]
    assert (https["port"], https["protocol"], https["ssl_policy"]) == (
        "${local.https_port}",
        "HTTPS",
        "${var.ssl_policy}",
    )
    assert https["certificate_arn"] == "${aws_acm_certificate_validation.this.certificate_arn}"
    assert https["default_action"][0] == {"type": "forward", "target_group_arn": "${aws_lb_target_group.this.arn}"}
    redirect = listeners["redirect"]
    assert (redirect["port"], redirect["protocol"]) == ("${local.redirect_port}", "HTTP")
    (action,) = redirect["default_action"]
    assert action["type"] == "redirect" and "target_group_arn" not in action
    assert action["redirect"] == [
        {"protocol": "HTTPS", "port": "${tostring(local.https_port)}", "status_code": "HTTP_301"}
    ]
    locals_ = module(project, "load-balancer", "locals")
    assert (locals_["https_port"], locals_["redirect_port"]) == (443, 80)
    # anyone reaches those two ports, and nothing else
    ingress = resources["aws_vpc_security_group_ingress_rule.load_balancer"]
    assert ingress["for_each"] == {"https": "${local.https_port}", "redirect": "${local.redirect_port}"}
    assert ingress["from_port"] == ingress["to_port"] == "${each.value}"

    group = resources["aws_lb_target_group.this"]
    assert (group["target_type"], group["port"]) == ("ip", "${var.target_port}")
    check = group["health_check"][0]
    assert (check["path"], check["matcher"], check["port"]) == ("${var.health_check_path}", "200", "traffic-port")


def test_the_certificate_and_record_are_the_host_names(projects):
    resources = module(projects["zone-created"], "load-balancer", "resource")
    certificate = resources["aws_acm_certificate.this"]
    assert (certificate["domain_name"], certificate["validation_method"]) == ("${var.hostname}", "DNS")
    validation = resources["aws_acm_certificate_validation.this"]
    assert validation["validation_record_fqdns"] == ["${aws_route53_record.certificate_validation.fqdn}"]
    assert resources["aws_route53_record.certificate_validation"]["zone_id"] == "${var.zone_id}"
    record = resources["aws_route53_record.service"]
    assert (record["zone_id"], record["name"], record["type"]) == ("${var.zone_id}", "${var.hostname}", "A")
    assert record["alias"][0]["name"] == "${aws_lb.this.dns_name}"
    assert (
        module(projects["zone-created"], "load-balancer", "output")["service_url"]["value"] == "https://${var.hostname}"
    )


def test_access_logs_go_to_a_hardened_bucket_the_load_balancer_may_write(projects):
    project = projects["zone-created"]
    call = module(project, "load-balancer", "module")["access_logs"]
    assert call["source"] == "../access-logs"
    assert (call["bucket_name"], call["retention_days"], call["force_destroy"]) == (
        "${var.access_logs_bucket_name}",
        "${var.log_retention_days}",
        "${!var.deletion_protection}",
    )
    resources = module(project, "access-logs", "resource")
    assert resources["aws_s3_bucket.this"]["bucket"] == "${var.bucket_name}"
    block = resources["aws_s3_bucket_public_access_block.this"]
    assert all(
        block[key] is True
        for key in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )
    (rule,) = resources["aws_s3_bucket_lifecycle_configuration.this"]["rule"]
    assert rule["expiration"] == [{"days": "${var.retention_days}"}]
    encryption = resources["aws_s3_bucket_server_side_encryption_configuration.this"]
    assert encryption["rule"][0]["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "AES256"
    data = module(project, "access-logs", "data")
    policy = data["aws_iam_policy_document.this"]
    statements = {s["sid"]: s for s in policy["statement"]}
    delivery = statements["LoadBalancerLogDelivery"]
    assert delivery["principals"] == [
        {"type": "Service", "identifiers": ["logdelivery.elasticloadbalancing.amazonaws.com"]}
    ]
    assert delivery["actions"] == ["s3:PutObject"]
    assert statements["DenyInsecureTransport"]["effect"] == "Deny"
    assert "aws_elb_service_account.this" in data
    assert resources["aws_s3_bucket_policy.this"]["policy"] == "${data.aws_iam_policy_document.this.json}"


def test_the_access_log_bucket_is_the_shared_module(projects):
    """The load-balancer module was born with the access-logs module: nothing of its own to move."""
    project = projects["zone-created"]
    assert "moved" not in load_hcl(project / "terraform" / "modules" / "load-balancer" / "main.tf")
    assert len(module(project, "access-logs", "resource")) == 7
    assert not any(name.startswith("aws_s3_") for name in module(project, "load-balancer", "resource"))


def test_the_controller_may_only_register_targets_of_its_target_group(projects):
    project = projects["zone-created"]
    data = module(project, "load-balancer", "data")
    statements = {s["sid"]: s for s in data["aws_iam_policy_document.controller"]["statement"]}
    assert set(statements) == {"Describe", "Targets"}
    assert all(action.split(":")[1].startswith("Describe") for action in statements["Describe"]["actions"])
    targets = statements["Targets"]
    assert targets["actions"] == ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"]
    assert targets["resources"] == ["${aws_lb_target_group.this.arn}"]
    (trust,) = data["aws_iam_policy_document.controller_assume"]["statement"]
    assert trust["principals"] == [{"type": "Service", "identifiers": ["pods.eks.amazonaws.com"]}]
    conditions = {c["variable"]: c["values"] for c in trust["condition"]}
    assert conditions == {
        "aws:RequestTag/eks-cluster-arn": ["${var.cluster_arn}"],
        "aws:RequestTag/kubernetes-namespace": ["${var.controller_namespace}"],
        "aws:RequestTag/kubernetes-service-account": ["${var.controller_service_account}"],
    }
    association = module(project, "load-balancer", "resource")["aws_eks_pod_identity_association.controller"]
    assert association["role_arn"] == "${aws_iam_role.controller.arn}"
    variables = module(project, "load-balancer", "variable")
    assert (variables["controller_namespace"]["default"], variables["controller_service_account"]["default"]) == (
        "kube-system",
        "aws-load-balancer-controller",
    )
    values = yaml.safe_load((project / "deploy" / "ingress" / "values.yaml").read_text())
    assert values["serviceAccount"]["name"] == "aws-load-balancer-controller"
    assert values["enableWafv2"] is False and values["enableShield"] is False
    assert values["createIngressClassResource"] is False and values["enableServiceMutatorWebhook"] is False
    install = (project / "deploy" / "ingress" / "install.sh").read_text()
    assert "CONTROLLER_CHART_VERSION=1." in install and '--version "$CONTROLLER_CHART_VERSION"' in install
    assert "--rollback-on-failure --wait" in install
    assert f"SERVICE_NAMESPACE={SLUG}" in install and "elbv2.k8s.aws/pod-readiness-gate-inject=enabled" in install
    assert values["enableBackendSecurityGroup"] is False


def test_the_firewall_blocks_with_managed_rules_and_a_rate_limit(projects):
    locals_ = module(projects["zone-exists"], "waf", "locals")
    assert "AWSManagedRulesCommonRuleSet" in locals_["managed_rule_groups"]
    assert locals_["rate_limit_rule"]["Action"] == {"Block": {}}
    assert locals_["rate_limit_rule"]["Statement"]["RateBasedStatement"]["Limit"] == "${var.rate_limit_per_minute}"
    resources = module(projects["zone-exists"], "waf", "resource")
    assert resources["aws_wafv2_web_acl_association.this"]["resource_arn"] == "${var.resource_arn}"
    assert resources["aws_wafv2_web_acl_logging_configuration.this"]["log_destination_configs"] == [
        "${module.log_group.arn}"
    ]


def test_bootstrap_creates_the_zone_only_when_it_does_not_exist_and_scopes_the_deploy_roles(projects):
    for case in HOSTS:
        bootstrap = projects[case] / "terraform" / "bootstrap"
        assert (bootstrap / "dns.tf").exists() is (case == "zone-created"), case
        deploy = root_blocks(bootstrap, "data")["aws_iam_policy_document.deploy"]
        statements = {s.get("sid"): s for s in deploy["statement"]}
        (names,) = statements["DenyOtherHostNames"]["condition"]
        assert names["values"] == ["${each.value.hostname}", "_*.${each.value.hostname}"]
        (types,) = statements["DenyOtherRecordTypes"]["condition"]
        assert types["values"] == ["A", "CNAME"]
        assert "route53:DeleteHostedZone" in statements["DenyZoneChanges"]["actions"]
        plan = root_blocks(bootstrap, "data")["aws_iam_policy_document.plan"]
        assert "WebAclRead" in {s.get("sid") for s in plan["statement"]}
        hosts = root_blocks(bootstrap, "variable")["environments"]["default"]
        assert {env: values["hostname"] for env, values in hosts.items()} == HOSTS[case]


def dry_run(project: Path, *arguments: str) -> str:
    result = subprocess.run(["make", "--dry-run", *arguments], cwd=project, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_deploy_gives_the_chart_its_target_group_and_platform_installs_the_controller(projects):
    project = projects["zone-exists"]
    deploy = dry_run(project, "deploy", "ENV=dev", f"DIGEST={DIGEST}", f"TARGET_GROUP_ARN={TARGET_GROUP}")
    assert f"--set-string loadBalancer.targetGroupArn={TARGET_GROUP}" in deploy
    makefile = (project / "Makefile").read_text()
    assert "output -raw target_group_arn" in makefile
    platform = dry_run(project, "platform", "ENV=dev")
    assert "sh deploy/ingress/install.sh dev" in platform and "sh deploy/argo-rollouts/install.sh dev" in platform


def helm_objects(project: Path, env: str, *extra: str) -> list[dict]:
    if not HELM.is_file():
        unavailable("helm is not installed (scripts/install-tools)")
    out = subprocess.run(
        [str(HELM), "template", SLUG, str(project / "deploy" / "chart"), "--namespace", SLUG,
         "--values", str(project / "deploy" / f"values-{env}.yaml"), "--set", f"image.digest={DIGEST}", *extra],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return [doc for doc in yaml.safe_load_all(out) if doc]


@pytest.mark.parametrize("case", sorted(HOSTS))
def test_the_chart_binds_the_service_clients_call_and_admits_only_the_public_subnets(projects, case):
    project = projects[case]
    public_subnets = load_hcl(project / "terraform" / "environments" / "dev" / "terraform.tfvars")["public_subnets"]
    objects = helm_objects(project, "dev", "--set-string", f"loadBalancer.targetGroupArn={TARGET_GROUP}")
    (binding,) = [o for o in objects if o["kind"] == "TargetGroupBinding"]
    assert binding["apiVersion"] == "elbv2.k8s.aws/v1beta1"
    assert binding["spec"] == {
        "targetGroupARN": TARGET_GROUP,
        "targetType": "ip",
        "serviceRef": {"name": SLUG, "port": 80},
    }
    services = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Service"}
    bound = services[SLUG]
    if case == "zone-exists":  # blue-green: the active Service, which Argo Rollouts switches
        assert bound["metadata"]["labels"]["app.kubernetes.io/component"] == "active"
    else:  # canary: the Service of every pod (replica-weighted split)
        assert "app.kubernetes.io/component" not in bound["metadata"]["labels"]
    policies = {o["metadata"]["name"]: o for o in objects if o["kind"] == "NetworkPolicy"}
    assert set(policies) == {SLUG, f"{SLUG}-load-balancer"}
    # the service's own policy admits no address range; the load balancer's admits its subnets only
    (own,) = policies[SLUG]["spec"]["ingress"]
    assert not [peer for peer in own["from"] if "ipBlock" in peer]
    balancer = policies[f"{SLUG}-load-balancer"]["spec"]
    assert balancer["podSelector"] == policies[SLUG]["spec"]["podSelector"]
    assert balancer["policyTypes"] == ["Ingress"]
    (rule,) = balancer["ingress"]
    assert rule["from"] == [{"ipBlock": {"cidr": cidr}} for cidr in public_subnets]
    assert rule["ports"] == [{"port": "http", "protocol": "TCP"}]
    # each environment its own subnets
    prod_subnets = load_hcl(project / "terraform" / "environments" / "prod" / "terraform.tfvars")["public_subnets"]
    (prod,) = [o for o in helm_objects(project, "prod") if o["metadata"]["name"] == f"{SLUG}-load-balancer"]
    assert prod["spec"]["ingress"][0]["from"] == [{"ipBlock": {"cidr": cidr}} for cidr in prod_subnets]
    assert prod_subnets != public_subnets
    # without the target group (helm lint, a deploy without terraform output) nothing is bound
    assert not [o for o in helm_objects(project, "dev") if o["kind"] == "TargetGroupBinding"]


def test_the_readme_warns_that_blue_green_promotion_swaps_every_target(projects):
    """Argo Rollouts' blue-green behind an ALB is not zero-downtime: the active Service's new pods
    get no readiness gate and the target group swaps all targets at promotion."""
    blue_green = (projects["zone-exists"] / "README.md").read_text()
    assert "swaps all its targets at once" in blue_green and "503" in blue_green
    assert "swaps all its targets" not in (projects["zone-created"] / "README.md").read_text()


def test_without_a_domain_nothing_is_public(projects):
    project = projects["none"]
    for path in (
        "terraform/modules/load-balancer",
        "terraform/modules/access-logs",
        "terraform/modules/waf",
        "deploy/ingress",
        "terraform/bootstrap/dns.tf",
    ):
        assert not (project / path).exists(), path
    for env in ENVIRONMENTS:
        assert not {"load_balancer", "waf"} & set(environment(project, env, "module")), env
        assert "service_url" not in environment(project, env, "output"), env
        assert "rate_limit_per_minute" not in load_hcl(
            project / "terraform" / "environments" / env / "terraform.tfvars"
        )
        assert "ingressCIDRs" not in (project / "deploy" / f"values-{env}.yaml").read_text()
        assert f"{SLUG}-load-balancer" not in {
            o["metadata"]["name"] for o in helm_objects(project, env) if o["kind"] == "NetworkPolicy"
        }
    assert "loadBalancer" not in yaml.safe_load((project / "deploy" / "chart" / "values.yaml").read_text())
    assert not list((project / "deploy" / "chart" / "templates").glob("targetgroupbinding*"))
    assert "HELM_CLOUD_VALUES" not in (project / "Makefile").read_text()
    statements = {
        s.get("sid")
        for s in root_blocks(project / "terraform" / "bootstrap", "data")["aws_iam_policy_document.deploy"]["statement"]
    }
    assert "DenyOtherHostNames" not in statements


def test_a_domain_added_by_update_is_published_although_the_owner_files_stay(tmp_path):
    """`copier update --data domain_name=...` leaves terraform.tfvars and values-<env>.yaml alone
    (_skip_if_exists): what the entry needs is in template-owned files and variable defaults."""
    template = snapshot(tmp_path / "template")
    project = tmp_path / "project"
    run_copy(str(template), str(project), data=answers(deploy_strategy="canary"), defaults=True, unsafe=True,
             quiet=True, vcs_ref="v0.0.0")  # fmt: skip
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "generated"]):
        subprocess.run([*GIT, *command], cwd=project, check=True)
    owner_files = {path: path.read_text() for path in project.glob("deploy/values-*.yaml")}
    run_update(str(project), data={"domain_name": DOMAIN}, defaults=True, overwrite=True, unsafe=True, quiet=True)
    assert {path: path.read_text() for path in owner_files} == owner_files
    assert "rate_limit_per_minute" not in load_hcl(project / "terraform" / "environments" / "dev" / "terraform.tfvars")
    assert environment(project, "dev", "variable")["rate_limit_per_minute"]["default"] == 600
    assert environment(project, "dev", "module")["load_balancer"]["hostname"] == f"dev.{DOMAIN}"
    conflicts = subprocess.run(["git", "grep", "-l", "^<<<<<<< "], cwd=project, capture_output=True, text=True)
    assert conflicts.stdout == ""
    public_subnets = load_hcl(project / "terraform" / "environments" / "dev" / "terraform.tfvars")["public_subnets"]
    objects = helm_objects(project, "dev", "--set-string", f"loadBalancer.targetGroupArn={TARGET_GROUP}")
    (policy,) = [o for o in objects if o["metadata"]["name"] == f"{SLUG}-load-balancer"]
    assert policy["spec"]["ingress"][0]["from"] == [{"ipBlock": {"cidr": cidr}} for cidr in public_subnets]
    assert [o["kind"] for o in objects].count("TargetGroupBinding") == 1
