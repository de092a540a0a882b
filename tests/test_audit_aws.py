"""The AWS account's audit trail (terraform/bootstrap/cloudtrail.tf): one multi-region trail of every
management event, validated log files on a customer-managed key, a hardened bucket only CloudTrail
writes to, a CloudWatch Logs copy, and deploy roles that cannot silence any of it.

Parsed from the rendered Terraform (python-hcl2); the render matrix runs the validators and the
scanners over the same files, these tests check what they cannot.
"""

from pathlib import Path

import pytest
from helpers import load_hcl, render

from extensions import catalog

SLUG = "payments-api"
TRAIL_ARN = "arn:${local.partition}:cloudtrail:${var.region}:${var.aws_account_id}:trail/${var.cloudtrail_name}"
PRODUCTION_LOG_DAYS = catalog.PRODUCTION["log_retention_days"]

pytestmark = pytest.mark.xdist_group("audit-aws")


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("audit-aws")
    return {
        "kubernetes": render(root / "kubernetes", cloud="aws", region="us-east-1"),
        # serverless with a zone bootstrap creates: the other branch of iam.tf's deny on keys
        "serverless": render(
            root / "serverless", cloud="aws", region="eu-west-1", orchestrator="serverless", domain_name="example.com"
        ),
    }


def bootstrap(project: Path, kind: str) -> dict[str, dict]:
    """Blocks of one kind over every .tf file of terraform/bootstrap: "type.name" (or "name") -> body."""
    out = {}
    for path in sorted((project / "terraform" / "bootstrap").glob("*.tf")):
        for block in load_hcl(path).get(kind, []):
            for first, body in block.items():
                if kind in ("resource", "data"):
                    out.update({f"{first}.{name}": inner for name, inner in body.items()})
                elif kind == "locals":
                    out.update(block)
                else:
                    out[first] = body
    return out


def statements(policy: dict) -> dict[str, dict]:
    return {s["sid"]: s for s in policy["statement"]}


def conditions(statement: dict) -> dict[str, tuple[str, list]]:
    return {c["variable"]: (c["test"], c["values"]) for c in statement.get("condition", [])}


def service(statement: dict) -> list[str]:
    (principal,) = statement["principals"]
    assert principal["type"] == "Service"
    return principal["identifiers"]


ORCHESTRATORS = pytest.mark.parametrize("orchestrator", ["kubernetes", "serverless"])


@ORCHESTRATORS
def test_one_multi_region_trail_of_every_management_event(projects, orchestrator):
    project = projects[orchestrator]
    variables = bootstrap(project, "variable")
    assert variables["create_cloudtrail"]["default"] is True
    assert variables["cloudtrail_name"]["default"] == f"{SLUG}-audit"
    trail = bootstrap(project, "resource")["aws_cloudtrail.this"]
    assert trail["count"] == "${local.trail_count}"
    assert bootstrap(project, "locals")["trail_count"] == "${var.create_cloudtrail ? 1 : 0}"
    assert trail["name"] == "${var.cloudtrail_name}"
    assert trail["is_multi_region_trail"] is True
    assert trail["include_global_service_events"] is True
    assert trail["enable_log_file_validation"] is True
    # read events too: EventBridge sees GetSecretValue (secrets-audit) only if the trail records it
    (selector,) = trail["event_selector"]
    assert selector["read_write_type"] == "All" and selector["include_management_events"] is True
    assert "data_resource" not in selector and "advanced_event_selector" not in trail, "no data events"
    assert "sns_topic_name" not in trail
    # the ARN the policies name is the trail's
    assert bootstrap(project, "locals")["trail_arn"] == TRAIL_ARN


@ORCHESTRATORS
def test_log_files_are_encrypted_with_a_key_only_this_trail_uses(projects, orchestrator):
    project = projects[orchestrator]
    trail = bootstrap(project, "resource")["aws_cloudtrail.this"]
    assert trail["kms_key_id"] == "${module.trail_key[0].key_arn}"
    key = bootstrap(project, "module")["trail_key"]
    assert key["source"] == "../modules/kms-key" and key["count"] == "${local.trail_count}"
    assert key["policy_documents"] == ["${data.aws_iam_policy_document.trail_key.json}"]
    policy = statements(bootstrap(project, "data")["aws_iam_policy_document.trail_key"])
    assert set(policy) == {"CloudTrailEncryptLogs", "CloudTrailDescribeKey"}
    for statement in policy.values():
        assert service(statement) == ["cloudtrail.amazonaws.com"]
        assert conditions(statement)["aws:SourceArn"] == ("StringEquals", ["${local.trail_arn}"])
        assert not [a for a in statement["actions"] if a in ("kms:*", "kms:Decrypt", "kms:ScheduleKeyDeletion")]
    encrypt = policy["CloudTrailEncryptLogs"]
    assert encrypt["actions"] == ["kms:GenerateDataKey*"]
    assert conditions(encrypt)["kms:EncryptionContext:aws:cloudtrail:arn"] == (
        "StringLike",
        ["arn:${local.partition}:cloudtrail:*:${var.aws_account_id}:trail/*"],
    )
    # the bucket's default encryption is the same key
    (rule,) = bootstrap(project, "resource")["aws_s3_bucket_server_side_encryption_configuration.trail"]["rule"]
    (default,) = rule["apply_server_side_encryption_by_default"]
    assert default == {"sse_algorithm": "aws:kms", "kms_master_key_id": "${module.trail_key[0].key_arn}"}


@ORCHESTRATORS
def test_only_this_trail_writes_to_its_bucket_and_only_over_tls(projects, orchestrator):
    project = projects[orchestrator]
    data = bootstrap(project, "data")
    resources = bootstrap(project, "resource")
    assert resources["aws_s3_bucket_policy.trail"]["policy"] == "${data.aws_iam_policy_document.trail_bucket.json}"
    assert bootstrap(project, "locals")["trail_bucket"] == "arn:${local.partition}:s3:::${var.cloudtrail_bucket_name}"
    policy = statements(data["aws_iam_policy_document.trail_bucket"])
    assert set(policy) == {"CloudTrailAclCheck", "CloudTrailWrite", "DenyInsecureTransport"}
    for sid in ("CloudTrailAclCheck", "CloudTrailWrite"):
        statement = policy[sid]
        assert service(statement) == ["cloudtrail.amazonaws.com"]
        found = conditions(statement)
        assert found["aws:SourceArn"] == ("StringEquals", ["${local.trail_arn}"]), sid
        assert found["aws:SourceAccount"] == ("StringEquals", ["${var.aws_account_id}"]), sid
    assert policy["CloudTrailAclCheck"]["actions"] == ["s3:GetBucketAcl"]
    write = policy["CloudTrailWrite"]
    assert write["actions"] == ["s3:PutObject"]
    assert write["resources"] == ["${local.trail_bucket}/AWSLogs/${var.aws_account_id}/*"]
    assert conditions(write)["s3:x-amz-acl"] == ("StringEquals", ["bucket-owner-full-control"])
    tls = policy["DenyInsecureTransport"]
    assert tls["effect"] == "Deny" and tls["actions"] == ["s3:*"]
    assert tls["resources"] == ["${local.trail_bucket}", "${local.trail_bucket}/*"]
    assert conditions(tls)["aws:SecureTransport"] == ("Bool", ["false"])


@ORCHESTRATORS
def test_the_bucket_is_hardened_like_the_state_bucket(projects, orchestrator):
    resources = bootstrap(projects[orchestrator], "resource")
    access = resources["aws_s3_bucket_public_access_block.trail"]
    for setting in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"):
        assert access[setting] is True, setting
    assert resources["aws_s3_bucket_ownership_controls.trail"]["rule"][0]["object_ownership"] == "BucketOwnerEnforced"
    assert resources["aws_s3_bucket_versioning.trail"]["versioning_configuration"][0]["status"] == "Enabled"
    logging = resources["aws_s3_bucket_logging.trail"]
    assert logging["target_bucket"] == "${aws_s3_bucket.logs.id}"
    assert logging["target_prefix"] == "s3/${var.cloudtrail_bucket_name}/"
    # the access log bucket lets S3 deliver the trail bucket's logs, from this bucket only
    logs_policy = resources["aws_s3_bucket_policy.logs"]["policy"]
    assert "S3ServerAccessLogsOfTrailBucket" in logs_policy and "s3/${var.cloudtrail_bucket_name}/*" in logs_policy
    for name, resource in resources.items():
        if name.startswith("aws_s3_bucket") and name.endswith(".trail"):
            assert resource["count"] == "${local.trail_count}", name


@ORCHESTRATORS
def test_logs_are_kept_as_long_as_production_keeps_its_logs(projects, orchestrator):
    project = projects[orchestrator]
    variables = bootstrap(project, "variable")
    assert variables["cloudtrail_log_days"]["default"] == PRODUCTION_LOG_DAYS == 365
    (rule,) = bootstrap(project, "resource")["aws_s3_bucket_lifecycle_configuration.trail"]["rule"]
    assert rule["status"] == "Enabled"
    assert rule["expiration"] == [{"days": "${var.cloudtrail_log_days}"}]
    (transition,) = rule["transition"]
    assert transition == {"days": "${var.cloudtrail_archive_after_days}", "storage_class": "GLACIER_IR"}
    assert variables["cloudtrail_archive_after_days"]["default"] < PRODUCTION_LOG_DAYS
    # S3 refuses a rule that expires files no later than it archives them: the variables say so
    # before an apply fails (cloudtrail_log_days may be as low as 90, the archive default).
    guards = [v["condition"] for v in variables["cloudtrail_archive_after_days"]["validation"]]
    assert "${var.cloudtrail_archive_after_days < var.cloudtrail_log_days}" in guards, guards
    logs = bootstrap(project, "module")["trail_logs"]
    assert logs["source"] == "../modules/log-group"
    assert logs["retention_days"] == "${var.cloudtrail_log_days}"


@ORCHESTRATORS
def test_cloudwatch_logs_copy_through_a_role_only_this_trail_assumes(projects, orchestrator):
    project = projects[orchestrator]
    resources = bootstrap(project, "resource")
    data = bootstrap(project, "data")
    trail = resources["aws_cloudtrail.this"]
    assert trail["cloud_watch_logs_group_arn"] == "${module.trail_logs[0].arn}:*"
    assert trail["cloud_watch_logs_role_arn"] == "${aws_iam_role.trail_logs[0].arn}"
    (trust,) = statements(data["aws_iam_policy_document.trail_logs_trust"]).values()
    assert trust["actions"] == ["sts:AssumeRole"] and service(trust) == ["cloudtrail.amazonaws.com"]
    assert "condition" not in trust  # the documented role: a condition CloudTrail does not send fails CreateTrail
    (write,) = statements(data["aws_iam_policy_document.trail_logs"]).values()
    assert write["actions"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert write["resources"] == ["${module.trail_logs[0].arn}:log-stream:${var.aws_account_id}_CloudTrail_*"]
    # not a name a deploy role's IAM rights reach (<slug>-<env>-*)
    role = bootstrap(project, "locals")["trail_role_name"]
    assert role == "${var.cloudtrail_name}-cloudwatch-logs"
    for env in ("dev", "staging", "prod"):
        assert not f"{SLUG}-audit-cloudwatch-logs".startswith(f"{SLUG}-{env}-")


@ORCHESTRATORS
def test_deploy_roles_cannot_silence_the_trail(projects, orchestrator):
    deploy = statements(bootstrap(projects[orchestrator], "data")["aws_iam_policy_document.deploy"])
    trail = deploy["DenyTrailChanges"]
    assert trail["effect"] == "Deny"
    for action in (
        "cloudtrail:StopLogging",
        "cloudtrail:DeleteTrail",
        "cloudtrail:UpdateTrail",
        "cloudtrail:PutEventSelectors",
        "logs:DeleteLogGroup",
        "logs:PutRetentionPolicy",
        "logs:DisassociateKmsKey",
        "logs:PutLogEvents",
    ):
        assert action in trail["actions"], action
    log_group = "arn:${local.partition}:logs:${var.region}:${var.aws_account_id}:log-group:${local.trail_log_group}"
    assert trail["resources"] == ["${local.trail_arn}", log_group, f"{log_group}:*"]
    assert bootstrap(projects[orchestrator], "locals")["trail_log_group"] == "/aws/cloudtrail/${var.cloudtrail_name}"
    # its bucket: no deletion, no settings, no objects written or deleted
    buckets = deploy["DenyBucketChanges"]
    assert buckets["effect"] == "Deny" and "${local.trail_bucket}" in buckets["resources"]
    assert {"s3:DeleteBucket", "s3:PutBucketPolicy", "s3:PutLifecycleConfiguration"} <= set(buckets["actions"])
    objects = deploy["DenyLogChanges"]
    assert "${local.trail_bucket}/*" in objects["resources"]
    assert {"s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObject"} <= set(objects["actions"])
    # its keys: neither disabled nor scheduled for deletion
    keys = deploy["DenyKeyChanges"]
    assert {"kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"} <= set(keys["actions"])
    for reference in (
        "module.trail_key[*].key_arn",
        "module.trail_key[*].alias_arn",
        "module.trail_logs[*].kms_key_arn",
    ):
        assert reference in keys["resources"], reference


def test_other_clouds_have_no_cloudtrail(tmp_path):
    project = render(tmp_path / "gcp", cloud="gcp", region="us-central1")
    assert not list((project / "terraform").rglob("cloudtrail.tf"))
