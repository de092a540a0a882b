data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  region = data.aws_region.current.region
  arn    = "arn:${data.aws_partition.current.partition}:logs:${local.region}:${data.aws_caller_identity.current.account_id}:log-group:${var.name}"
}

# CloudWatch Logs may use the key only for this log group.
data "aws_iam_policy_document" "key" {
  statement {
    sid = "CloudWatchLogsUse"
    actions = [
      "kms:Encrypt*",
      "kms:Decrypt*",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:Describe*",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = [local.arn]
    }
  }
}

module "key" {
  source = "../kms-key"

  alias            = var.key_alias
  description      = var.description
  policy_documents = [data.aws_iam_policy_document.key.json]
  tags             = var.tags
}

resource "aws_cloudwatch_log_group" "this" {
  # Retention is chosen per environment: production keeps a year, others less to save cost.
  #checkov:skip=CKV_AWS_338:retention is an input; production passes 365 days
  name              = var.name
  retention_in_days = var.retention_days
  kms_key_id        = module.key.key_arn

  tags = var.tags
}
