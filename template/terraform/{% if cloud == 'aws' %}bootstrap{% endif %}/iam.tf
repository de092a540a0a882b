# ---------------------------------------------------------------- CI identity
# The OIDC provider of the CI platform and who may assume each role live in ci-identity.tf;
# what each role may do is defined here, the same whatever the platform.

locals {
  iam_arn   = "arn:${local.partition}:iam::${var.aws_account_id}"
  state_arn = aws_s3_bucket.state.arn

  # Every role CI assumes: one deploy role per environment, the plan role for pull or merge
  # requests, the publish role for the main branch. ci-identity.tf maps each to its trust.
  ci_roles = merge(
    { for env, e in var.environments : e.deploy_role_name => { kind = "deploy", environment = env } },
    {
      (var.plan_role_name)    = { kind = "plan", environment = null }
      (var.publish_role_name) = { kind = "publish", environment = null }
    },
  )

  bootstrap_role_arns = [for name in keys(local.ci_roles) : "${local.iam_arn}:role/${name}"]

  # IAM changes a deploy role may make to its own environment's roles, policies and instance profiles.
  iam_write_actions = [
    "iam:AddRoleToInstanceProfile",
    "iam:AttachRolePolicy",
    "iam:CreateInstanceProfile",
    "iam:CreatePolicy",
    "iam:CreatePolicyVersion",
    "iam:CreateRole",
    "iam:DeleteInstanceProfile",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:DeleteRole",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePolicy",
    "iam:RemoveRoleFromInstanceProfile",
    "iam:SetDefaultPolicyVersion",
    "iam:TagInstanceProfile",
    "iam:TagPolicy",
    "iam:TagRole",
    "iam:UntagInstanceProfile",
    "iam:UntagPolicy",
    "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
  ]
  iam_read_actions = [
    "iam:GetInstanceProfile",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:ListInstanceProfilesForRole",
    "iam:ListPolicyVersions",
    "iam:ListRolePolicies",
  ]
  oidc_provider_actions = [
    "iam:AddClientIDToOpenIDConnectProvider",
    "iam:CreateOpenIDConnectProvider",
    "iam:DeleteOpenIDConnectProvider",
    "iam:GetOpenIDConnectProvider",
    "iam:RemoveClientIDFromOpenIDConnectProvider",
    "iam:TagOpenIDConnectProvider",
    "iam:UntagOpenIDConnectProvider",
    "iam:UpdateOpenIDConnectProviderThumbprint",
  ]
}

# The trust of every CI role: tokens of the platform's OIDC provider, with the audience and the
# subject ci-identity.tf gives that role. AWS compares no other claim of a CI token.
data "aws_iam_policy_document" "ci_trust" {
  for_each = local.ci_trust

  statement {
    sid     = "CiOidc"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.ci.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.ci_issuer}:aud"
      values   = [each.value.audience]
    }
    condition {
      test     = each.value.subject_test
      variable = "${local.ci_issuer}:sub"
      values   = [each.value.subject]
    }
    dynamic "condition" {
      for_each = each.value.subject_not == null ? [] : [each.value.subject_not]
      content {
        test     = "StringNotLike"
        variable = "${local.ci_issuer}:sub"
        values   = [condition.value]
      }
    }
  }
}

# ---------------------------------------------------------------- deploy roles (one per environment)

resource "aws_iam_role" "deploy" {
  for_each = var.environments

  name                 = each.value.deploy_role_name
  description          = "Runs terraform apply for the ${each.key} environment from its CI deploy job"
  assume_role_policy   = data.aws_iam_policy_document.ci_trust[each.value.deploy_role_name].json
  max_session_duration = 7200
}

resource "aws_iam_role_policy_attachment" "deploy_power_user" {
  for_each = var.environments

  role       = aws_iam_role.deploy[each.key].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/PowerUserAccess"
}

data "aws_iam_policy_document" "deploy" {
  for_each = var.environments

  # PowerUserAccess excludes IAM; these grant it back for this environment's names only.
  statement {
    sid     = "EnvironmentIam"
    actions = concat(local.iam_write_actions, local.iam_read_actions)
    resources = [
      "${local.iam_arn}:role/${each.value.resource_prefix}-*",
      "${local.iam_arn}:policy/${each.value.resource_prefix}-*",
      "${local.iam_arn}:instance-profile/${each.value.resource_prefix}-*",
    ]
  }

  statement {
    sid       = "PassEnvironmentRoles"
    actions   = ["iam:PassRole"]
    resources = ["${local.iam_arn}:role/${each.value.resource_prefix}-*"]
  }

  # An EKS cluster's OIDC issuer ID is only known once the cluster exists.
  statement {
    sid       = "EksOidcProviders"
    actions   = local.oidc_provider_actions
    resources = ["${local.iam_arn}:oidc-provider/oidc.eks.${var.region}.amazonaws.com/id/*"]
  }

  statement {
    sid       = "ReadAwsManagedPolicies"
    actions   = ["iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions"]
    resources = ["arn:${local.partition}:iam::aws:policy/*"]
  }

  statement {
    sid       = "StateList"
    actions   = ["s3:ListBucket"]
    resources = [local.state_arn]
  }

  statement {
    sid       = "StateObject"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${local.state_arn}/${each.value.state_key}"]
  }

  statement {
    sid       = "StateLockFile"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${local.state_arn}/${each.value.state_key}.tflock"]
  }

  statement {
    sid       = "StateKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [module.state_key.key_arn]
  }

  # The rest of the bootstrap is out of reach even where PowerUserAccess or the name prefix
  # would allow it: the CI roles themselves, IAM of environments whose prefix extends this one
  # (`dev-*` also matches `dev-eu-*`), other state files, the buckets, keys and registry.
  statement {
    sid     = "DenyBootstrapAndOtherEnvironmentIam"
    effect  = "Deny"
    actions = concat(local.iam_write_actions, ["iam:PassRole"])
    resources = concat(local.bootstrap_role_arns, flatten([
      for env, e in var.environments : [
        "${local.iam_arn}:role/${e.resource_prefix}-*",
        "${local.iam_arn}:policy/${e.resource_prefix}-*",
        "${local.iam_arn}:instance-profile/${e.resource_prefix}-*",
      ] if env != each.key && startswith(e.resource_prefix, "${each.value.resource_prefix}-")
    ]))
  }

  statement {
    sid     = "DenyOtherState"
    effect  = "Deny"
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = concat(
      [for env, e in var.environments : "${local.state_arn}/${e.state_key}*" if env != each.key],
      ["${local.state_arn}/bootstrap/*"],
    )
  }

  statement {
    sid    = "DenyLogChanges"
    effect = "Deny"
    actions = [
      "s3:DeleteObject",
      "s3:DeleteObjectVersion",
      "s3:PutObject",
      "s3:PutObjectRetention",
    ]
    resources = ["${aws_s3_bucket.logs.arn}/*"]
  }

  statement {
    sid       = "DenyStateVersionDeletion"
    effect    = "Deny"
    actions   = ["s3:DeleteObjectVersion"]
    resources = ["${local.state_arn}/*"]
  }

  statement {
    sid    = "DenyBucketChanges"
    effect = "Deny"
    actions = [
      "s3:DeleteBucket",
      "s3:DeleteBucketPolicy",
      "s3:PutBucketAcl",
      "s3:PutBucketLogging",
      "s3:PutBucketOwnershipControls",
      "s3:PutBucketPolicy",
      "s3:PutBucketPublicAccessBlock",
      "s3:PutBucketVersioning",
      "s3:PutEncryptionConfiguration",
      "s3:PutLifecycleConfiguration",
    ]
    resources = [local.state_arn, aws_s3_bucket.logs.arn]
  }

  statement {
    sid    = "DenyKeyChanges"
    effect = "Deny"
    actions = [
      "kms:CreateAlias",
      "kms:DeleteAlias",
      "kms:DisableKey",
      "kms:DisableKeyRotation",
      "kms:PutKeyPolicy",
      "kms:ScheduleKeyDeletion",
      "kms:UpdateAlias",
    ]
    # The backends name the state key by its alias: repointing it would move the state to another key.
    resources = [
      module.state_key.key_arn,
      module.state_key.alias_arn,
      module.registry.kms_key_arn,
      module.registry.kms_alias_arn,
    ]
  }

  # Images are published only by the publish role; deploys promote them by digest.
  statement {
    sid    = "DenyRegistryChanges"
    effect = "Deny"
    actions = [
      "ecr:BatchDeleteImage",
      "ecr:CompleteLayerUpload",
      "ecr:DeleteLifecyclePolicy",
      "ecr:DeleteRepository",
      "ecr:DeleteRepositoryPolicy",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:PutImageScanningConfiguration",
      "ecr:PutImageTagMutability",
      "ecr:PutLifecyclePolicy",
      "ecr:SetRepositoryPolicy",
      "ecr:UploadLayerPart",
    ]
    resources = [module.registry.repository_arn]
  }
}

resource "aws_iam_role_policy" "deploy" {
  for_each = var.environments

  name   = "environment-scope"
  role   = aws_iam_role.deploy[each.key].id
  policy = data.aws_iam_policy_document.deploy[each.key].json
}

# ---------------------------------------------------------------- plan role (pull or merge requests)

resource "aws_iam_role" "plan" {
  name               = var.plan_role_name
  description        = "Runs terraform plan -lock=false for pull or merge requests; read-only"
  assume_role_policy = data.aws_iam_policy_document.ci_trust[var.plan_role_name].json
}

resource "aws_iam_role_policy_attachment" "plan_read_only" {
  role       = aws_iam_role.plan.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/ReadOnlyAccess"
}

# Plans run with -lock=false, so the role never writes: not even the lock file.
data "aws_iam_policy_document" "plan" {
  statement {
    sid       = "StateList"
    actions   = ["s3:ListBucket"]
    resources = [local.state_arn]
  }

  statement {
    sid       = "StateRead"
    actions   = ["s3:GetObject"]
    resources = [for e in values(var.environments) : "${local.state_arn}/${e.state_key}"]
  }

  statement {
    sid       = "StateDecrypt"
    actions   = ["kms:Decrypt"]
    resources = [module.state_key.key_arn]
  }
}

resource "aws_iam_role_policy" "plan" {
  name   = "state-read"
  role   = aws_iam_role.plan.id
  policy = data.aws_iam_policy_document.plan.json
}

# ---------------------------------------------------------------- publish role (main branch)

resource "aws_iam_role" "publish" {
  name               = var.publish_role_name
  description        = "Pushes the service image to ${var.registry_repository} from the main branch"
  assume_role_policy = data.aws_iam_policy_document.ci_trust[var.publish_role_name].json
}

data "aws_iam_policy_document" "publish" {
  # GetAuthorizationToken has no resource-level permissions; the token only works where
  # the statement below allows.
  statement {
    sid       = "RegistryLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "PushImages"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:DescribeImages",
      "ecr:GetDownloadUrlForLayer",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = [module.registry.repository_arn]
  }
}

resource "aws_iam_role_policy" "publish" {
  name   = "registry-push"
  role   = aws_iam_role.publish.id
  policy = data.aws_iam_policy_document.publish.json
}
