data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id

  # A client above the rate limit is blocked first, before the other rules spend capacity on it.
  rate_limit_rule = {
    Name     = "RateLimitPerClientIp"
    Priority = 0
    Action   = { Block = {} }
    Statement = {
      RateBasedStatement = {
        Limit               = var.rate_limit_per_minute
        AggregateKeyType    = "IP"
        EvaluationWindowSec = 60
      }
    }
    VisibilityConfig = {
      CloudWatchMetricsEnabled = true
      MetricName               = "${var.name}-RateLimitPerClientIp"
      SampledRequestsEnabled   = true
    }
  }

  # Then AWS's managed rule groups, in this order, each blocking what its own rules block (none
  # is set to count).
  managed_rule_groups = [
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesCommonRuleSet",
  ]

  rules = concat([local.rate_limit_rule], [
    for index, group in local.managed_rule_groups : {
      Name           = group
      Priority       = 10 * (index + 1)
      OverrideAction = { None = {} }
      Statement = {
        ManagedRuleGroupStatement = { VendorName = "AWS", Name = group }
      }
      VisibilityConfig = {
        CloudWatchMetricsEnabled = true
        MetricName               = "${var.name}-${group}"
        SampledRequestsEnabled   = true
      }
    }
  ])
}

# The rules in AWS WAF's JSON form (rule_json) from local.rules: one list to read, with no limit
# on how deep statements nest.
resource "aws_wafv2_web_acl" "this" {
  #checkov:skip=CKV_AWS_175:The rules are in rule_json, which checkov does not read: a rate limit and three AWS managed rule groups.
  #checkov:skip=CKV_AWS_192:The rules are in rule_json, which checkov does not read; AWSManagedRulesKnownBadInputsRuleSet (Log4Shell among its rules) is one of them.
  name        = var.name
  description = "Protects the load balancer of ${var.name}: AWS managed rules and a rate limit per client IP"
  scope       = "REGIONAL"
  rule_json   = jsonencode(local.rules)

  default_action {
    allow {}
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = var.name
    sampled_requests_enabled   = true
  }

  tags = var.tags
}

resource "aws_wafv2_web_acl_association" "this" {
  resource_arn = var.resource_arn
  web_acl_arn  = aws_wafv2_web_acl.this.arn
}

# ---------------------------------------------------------------- decisions log

# AWS WAF delivers only to log groups whose names start with aws-waf-logs-.
module "log_group" {
  source = "../log-group"

  name           = "aws-waf-logs-${var.name}"
  key_alias      = "${var.name}-waf-logs"
  description    = "Encrypts the web ACL decisions of ${var.name}"
  retention_days = var.log_retention_days
  tags           = var.tags
}

# Log delivery writes the decisions of this account's web ACLs into this log group only.
data "aws_iam_policy_document" "log_delivery" {
  statement {
    sid       = "WafLogDelivery"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${module.log_group.arn}:*"]

    principals {
      type        = "Service"
      identifiers = ["delivery.logs.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.region}:${local.account_id}:*"]
    }
  }
}

resource "aws_cloudwatch_log_resource_policy" "this" {
  policy_name     = "${var.name}-waf-logs"
  policy_document = data.aws_iam_policy_document.log_delivery.json
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  resource_arn            = aws_wafv2_web_acl.this.arn
  log_destination_configs = [module.log_group.arn]

  # Credentials never reach the log.
  redacted_fields {
    single_header {
      name = "authorization"
    }
  }

  redacted_fields {
    single_header {
      name = "cookie"
    }
  }

  depends_on = [aws_cloudwatch_log_resource_policy.this]
}
