data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region

  # Besides the workspace's alert manager, these may publish to the topics.
  alarm_arns = "arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${var.name}-*"
  rule_arns  = "arn:${local.partition}:events:${local.region}:${local.account_id}:rule/${var.name}-*"

  # Without alert rules (monitoring cloud-native) no Prometheus workspace: CloudWatch alarms alone
  # publish to the topics.
  prometheus = var.alert_rules != null
}

moved {
  from = module.workspace_key
  to   = module.workspace_key[0]
}

moved {
  from = module.log_group
  to   = module.log_group[0]
}

moved {
  from = aws_prometheus_workspace.this
  to   = aws_prometheus_workspace.this[0]
}

moved {
  from = aws_prometheus_rule_group_namespace.this
  to   = aws_prometheus_rule_group_namespace.this[0]
}

moved {
  from = aws_prometheus_alert_manager_definition.this
  to   = aws_prometheus_alert_manager_definition.this[0]
}

# ---------------------------------------------------------------- Prometheus workspace

module "workspace_key" {
  source = "../kms-key"
  count  = local.prometheus ? 1 : 0

  alias       = "${var.name}-prometheus"
  description = "Encrypts the metrics, rules and alert manager of the Prometheus workspace ${var.name}"
  tags        = var.tags
}

# Under /aws/vendedlogs/ the log delivery's resource policy stays small however many workspaces log.
module "log_group" {
  source = "../log-group"
  count  = local.prometheus ? 1 : 0

  name           = "/aws/vendedlogs/prometheus/${var.name}"
  key_alias      = "${var.name}-prometheus-logs"
  description    = "Encrypts the rule and alert manager logs of the Prometheus workspace ${var.name}"
  retention_days = var.log_retention_days
  tags           = var.tags
}

resource "aws_prometheus_workspace" "this" {
  count = local.prometheus ? 1 : 0

  alias       = var.name
  kms_key_arn = module.workspace_key[0].key_arn

  logging_configuration {
    log_group_arn = "${module.log_group[0].arn}:*"
  }

  tags = var.tags
}

resource "aws_prometheus_rule_group_namespace" "this" {
  count = local.prometheus ? 1 : 0

  name         = var.rule_namespace
  workspace_id = aws_prometheus_workspace.this[0].id
  data         = var.alert_rules

  tags = var.tags
}

resource "aws_prometheus_alert_manager_definition" "this" {
  count = local.prometheus ? 1 : 0

  workspace_id = aws_prometheus_workspace.this[0].id
  definition   = "alertmanager_config: |\n  ${indent(2, chomp(var.alertmanager_config))}\n"

  # The alert manager publishes to the topics as soon as it has a definition.
  depends_on = [aws_sns_topic_policy.this]
}

# ---------------------------------------------------------------- alert topics

# A key policy's "*" resource is the key itself.
data "aws_iam_policy_document" "topics_key" {
  #checkov:skip=CKV_AWS_111:key policy; "*" is this key, used by the services that publish alerts to its topics
  #checkov:skip=CKV_AWS_356:key policy; "*" is this key, used by the services that publish alerts to its topics
  statement {
    sid       = "AlertSourcesPublish"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = concat(local.prometheus ? ["aps.amazonaws.com"] : [], ["cloudwatch.amazonaws.com", "events.amazonaws.com"])
    }
  }
}

module "topics_key" {
  source = "../kms-key"

  alias            = "${var.name}-alerts"
  description      = "Encrypts the alert topics of ${var.name}"
  policy_documents = [data.aws_iam_policy_document.topics_key.json]
  tags             = var.tags
}

resource "aws_sns_topic" "this" {
  for_each = var.topic_names

  name              = each.value
  kms_master_key_id = module.topics_key.key_arn

  tags = var.tags
}

# Publishers: this workspace's alert manager, and the CloudWatch alarms and EventBridge rules of
# this environment (named <name>-*), all of this account.
data "aws_iam_policy_document" "topic" {
  for_each = var.topic_names

  dynamic "statement" {
    for_each = aws_prometheus_workspace.this

    content {
      sid       = "PrometheusAlertManager"
      actions   = ["sns:Publish", "sns:GetTopicAttributes"]
      resources = [aws_sns_topic.this[each.key].arn]

      principals {
        type        = "Service"
        identifiers = ["aps.amazonaws.com"]
      }

      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [local.account_id]
      }

      condition {
        test     = "ArnEquals"
        variable = "aws:SourceArn"
        values   = [statement.value.arn]
      }
    }
  }

  statement {
    sid       = "CloudWatchAlarms"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.this[each.key].arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.alarm_arns]
    }
  }

  statement {
    sid       = "EventBridgeRules"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.this[each.key].arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.rule_arns]
    }
  }
}

resource "aws_sns_topic_policy" "this" {
  for_each = var.topic_names

  arn    = aws_sns_topic.this[each.key].arn
  policy = data.aws_iam_policy_document.topic[each.key].json
}

# Page and notify are subscribed once by their owners (PagerDuty, Slack through AWS Chatbot);
# tickets go by email.
resource "aws_sns_topic_subscription" "ticket_email" {
  topic_arn = aws_sns_topic.this["ticket"].arn
  protocol  = "email"
  endpoint  = var.ticket_email
}
