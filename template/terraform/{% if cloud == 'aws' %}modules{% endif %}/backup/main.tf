data "aws_partition" "current" {}

locals {
  partition = data.aws_partition.current.partition
}

module "key" {
  source = "../kms-key"

  alias       = "${var.name}-backup"
  description = "Encrypts the recovery points in the ${var.name} backup vault"
  tags        = var.tags
}

resource "aws_backup_vault" "this" {
  name        = var.name
  kms_key_arn = module.key.key_arn
  tags        = var.tags
}

resource "aws_backup_plan" "this" {
  name = var.name

  rule {
    rule_name         = "daily"
    target_vault_name = aws_backup_vault.this.name
    schedule          = var.schedule
    start_window      = 60
    completion_window = 360

    lifecycle {
      delete_after = var.retention_days
    }

    recovery_point_tags = var.tags
  }

  tags = var.tags
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["backup.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "${var.name}-backup"
  description        = "Lets AWS Backup back up and restore the resources tagged ${var.selection_tag_key}=${var.selection_tag_value}"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "this" {
  for_each = toset([
    "AWSBackupServiceRolePolicyForBackup",
    "AWSBackupServiceRolePolicyForRestores",
  ])

  role       = aws_iam_role.this.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/${each.key}"
}

resource "aws_backup_selection" "this" {
  name         = "tagged-resources"
  plan_id      = aws_backup_plan.this.id
  iam_role_arn = aws_iam_role.this.arn

  selection_tag {
    type  = "STRINGEQUALS"
    key   = var.selection_tag_key
    value = var.selection_tag_value
  }
}

# Backup jobs that end in any state but success are sent to the topic (optional).
resource "aws_cloudwatch_event_rule" "failed" {
  count = var.failure_topic_arn != null ? 1 : 0

  name        = "${var.name}-backup-failed"
  description = "Backup jobs of the ${var.name} vault that failed, aborted or expired"
  event_pattern = jsonencode({
    source      = ["aws.backup"]
    detail-type = ["Backup Job State Change"]
    detail = {
      state           = ["FAILED", "ABORTED", "EXPIRED"]
      backupVaultName = [aws_backup_vault.this.name]
    }
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_target" "failed" {
  count = var.failure_topic_arn != null ? 1 : 0

  rule      = aws_cloudwatch_event_rule.failed[0].name
  target_id = "sns"
  arn       = var.failure_topic_arn
}
