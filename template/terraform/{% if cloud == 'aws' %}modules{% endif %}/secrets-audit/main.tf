data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region
  own_topic  = var.topic_arn == null
  topic_arn  = local.own_topic ? aws_sns_topic.this[0].arn : var.topic_arn
  runbook    = "${var.runbook_url}/secret-accessed.md"
}

# ---------------------------------------------------------------- unexpected access

# CloudTrail records every Secrets Manager call as a management event; EventBridge receives the
# read-only ones (GetSecretValue) only on rules in this state. Anyone but the workload reading or
# changing one of the environment's secrets, successfully or not, is a P3 (notify).
resource "aws_cloudwatch_event_rule" "this" {
  name        = "${var.name}-SecretAccessed"
  description = "P3: a secret of ${var.name} was read or changed by someone other than its workload. Runbook: ${local.runbook}"
  state       = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"

  event_pattern = jsonencode({
    source        = ["aws.secretsmanager"]
    "detail-type" = ["AWS API Call via CloudTrail"]
    detail = {
      eventSource = ["secretsmanager.amazonaws.com"]
      eventName   = var.watched_actions
      requestParameters = {
        secretId = [
          { prefix = var.secret_name_prefix },
          { prefix = "arn:${local.partition}:secretsmanager:${local.region}:${local.account_id}:secret:${var.secret_name_prefix}" },
        ]
      }
      # The workload's sessions: arn:aws:sts::<account>:assumed-role/<role name>/<session>.
      userIdentity = {
        arn = [{ "anything-but" = { wildcard = [for name in var.workload_role_names : "arn:${local.partition}:sts::${local.account_id}:assumed-role/${name}/*"] } }]
      }
    }
  })

  tags = var.tags
}

resource "aws_cloudwatch_event_target" "this" {
  rule = aws_cloudwatch_event_rule.this.name
  arn  = local.topic_arn

  input_transformer {
    input_paths = {
      action    = "$.detail.eventName"
      principal = "$.detail.userIdentity.arn"
      secret    = "$.detail.requestParameters.secretId"
      error     = "$.detail.errorCode"
      time      = "$.time"
    }
    input_template = "\"P3 SecretAccessed: <principal> called <action> on <secret> at <time> (error: <error>). Only the workload of ${var.name} is expected to read its secrets. Runbook: ${local.runbook}\""
  }
}

# ---------------------------------------------------------------- own topic (no alert topic given)

# A key policy's "*" resource is the key itself.
data "aws_iam_policy_document" "topic_key" {
  #checkov:skip=CKV_AWS_111:key policy; "*" is this key, used only by EventBridge to publish to the secret-access topic
  #checkov:skip=CKV_AWS_356:key policy; "*" is this key, used only by EventBridge to publish to the secret-access topic
  statement {
    sid       = "EventBridgePublish"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
  }
}

module "topic_key" {
  source = "../kms-key"
  count  = local.own_topic ? 1 : 0

  alias            = "${var.name}-secret-alerts"
  description      = "Encrypts the secret-access alert topic of ${var.name}"
  policy_documents = [data.aws_iam_policy_document.topic_key.json]
  tags             = var.tags
}

resource "aws_sns_topic" "this" {
  count = local.own_topic ? 1 : 0

  name              = "${var.name}-secret-alerts"
  kms_master_key_id = module.topic_key[0].key_arn

  tags = var.tags
}

data "aws_iam_policy_document" "topic" {
  count = local.own_topic ? 1 : 0

  statement {
    sid       = "EventBridgeRule"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.this[0].arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.this.arn]
    }
  }
}

resource "aws_sns_topic_policy" "this" {
  count = local.own_topic ? 1 : 0

  arn    = aws_sns_topic.this[0].arn
  policy = data.aws_iam_policy_document.topic[0].json
}

resource "aws_sns_topic_subscription" "email" {
  for_each = local.own_topic ? toset(var.alert_emails) : toset([])

  topic_arn = aws_sns_topic.this[0].arn
  protocol  = "email"
  endpoint  = each.value
}
