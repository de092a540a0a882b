data "aws_partition" "current" {}

locals {
  partition    = data.aws_partition.current.partition
  account_root = "arn:${local.partition}:iam::${var.aws_account_id}:root"
  buckets = {
    state = aws_s3_bucket.state.id
    logs  = aws_s3_bucket.logs.id
  }
}

# ---------------------------------------------------------------- state encryption key

module "state_key" {
  source = "../modules/kms-key"

  alias       = var.state_bucket_name
  description = "Encrypts the Terraform state in ${var.state_bucket_name}"
}

# ---------------------------------------------------------------- state bucket

resource "aws_s3_bucket" "state" {
  #checkov:skip=CKV_AWS_144:State is versioned and KMS-encrypted in one region; cross-region replication is left to the owner's DR policy.
  #checkov:skip=CKV2_AWS_62:Nothing consumes events of the state bucket; access is audited through its access logs.
  bucket = var.state_bucket_name
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = module.state_key.key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    id     = "expire-old-state-versions"
    status = "Enabled"
    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.this["state"]]
}

resource "aws_s3_bucket_logging" "state" {
  bucket        = aws_s3_bucket.state.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "s3/${var.state_bucket_name}/"
}

resource "aws_s3_bucket_policy" "state" {
  bucket = aws_s3_bucket.state.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })

  depends_on = [aws_s3_bucket_public_access_block.this["state"]]
}

# ---------------------------------------------------------------- access log bucket

resource "aws_s3_bucket" "logs" {
  #checkov:skip=CKV_AWS_18:This is the access log bucket; logging it into itself would loop.
  #checkov:skip=CKV_AWS_145:S3 server access logging delivers only to buckets encrypted with SSE-S3, not SSE-KMS.
  #checkov:skip=CKV_AWS_144:Access logs are kept in one region; replicate them if the owner's audit policy requires it.
  #checkov:skip=CKV2_AWS_62:Nothing consumes events of the access log bucket.
  bucket = var.log_bucket_name
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id

  rule {
    id     = "expire-access-logs"
    status = "Enabled"
    filter {}

    expiration {
      days = var.access_log_days
    }

    noncurrent_version_expiration {
      noncurrent_days = 30
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.this["logs"]]
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "S3ServerAccessLogs"
        Effect    = "Allow"
        Principal = { Service = "logging.s3.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.logs.arn}/s3/${var.state_bucket_name}/*"
        Condition = {
          ArnEquals    = { "aws:SourceArn" = aws_s3_bucket.state.arn }
          StringEquals = { "aws:SourceAccount" = var.aws_account_id }
        }
      },
      {
        # The trail bucket's (cloudtrail.tf), under its own prefix.
        Sid       = "S3ServerAccessLogsOfTrailBucket"
        Effect    = "Allow"
        Principal = { Service = "logging.s3.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.logs.arn}/s3/${var.cloudtrail_bucket_name}/*"
        Condition = {
          ArnEquals    = { "aws:SourceArn" = "arn:${local.partition}:s3:::${var.cloudtrail_bucket_name}" }
          StringEquals = { "aws:SourceAccount" = var.aws_account_id }
        }
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.logs.arn, "${aws_s3_bucket.logs.arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })

  depends_on = [aws_s3_bucket_public_access_block.this["logs"]]
}

# ---------------------------------------------------------------- settings both buckets share

# ACLs disabled, no public access, every object version kept (until the lifecycle rules expire it).
resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = local.buckets

  bucket = each.value
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = local.buckets

  bucket                  = each.value
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = local.buckets

  bucket = each.value
  versioning_configuration {
    status = "Enabled"
  }
}

# ---------------------------------------------------------------- container registry

module "registry" {
  source = "../modules/registry"

  name = var.registry_repository
  # The account root delegates to IAM: any role of this account whose own policy allows
  # pulling (the EKS node roles get AmazonEC2ContainerRegistryReadOnly) can pull.
  pull_principal_arns = [local.account_root]
}

# ---------------------------------------------------------------- account defaults

# Every EBS volume created in this region (node disks, persistent volumes) is encrypted.
resource "aws_ebs_encryption_by_default" "this" {
  enabled = true
}
