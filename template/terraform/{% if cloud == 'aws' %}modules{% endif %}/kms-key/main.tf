data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

data "aws_iam_policy_document" "this" {
  # A key policy's "*" resource is the key itself, and the account statement only hands
  # control to IAM, as AWS's default key policy does.
  #checkov:skip=CKV_AWS_109:key policy; "*" is this key and the principal is the owning account
  #checkov:skip=CKV_AWS_111:key policy; "*" is this key and the principal is the owning account
  #checkov:skip=CKV_AWS_356:key policy; "*" is this key and the principal is the owning account
  source_policy_documents = var.policy_documents

  # Declared here, it wins over any statement of policy_documents with the same Sid.
  statement {
    sid       = "AccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = var.description
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_in_days
  policy                  = data.aws_iam_policy_document.this.json

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.alias}"
  target_key_id = aws_kms_key.this.key_id
}
