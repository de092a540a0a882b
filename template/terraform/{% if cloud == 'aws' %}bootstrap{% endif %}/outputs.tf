output "state_bucket" {
  description = "S3 bucket holding every environment's Terraform state (backend `bucket`)."
  value       = aws_s3_bucket.state.id
}

output "state_kms_key_arn" {
  description = "KMS key that encrypts the state (backend `kms_key_id`)."
  value       = module.state_key.key_arn
}

output "state_kms_key_alias" {
  description = "Alias of the state KMS key."
  value       = module.state_key.alias_name
}

output "log_bucket" {
  description = "S3 bucket receiving the access logs of the state and trail buckets."
  value       = aws_s3_bucket.logs.id
}

output "ci_oidc_provider_arn" {
  description = "IAM OIDC provider of the CI platform, trusted by the CI roles."
  value       = aws_iam_openid_connect_provider.ci.arn
}

output "deploy_role_arns" {
  description = "Deploy role ARN per environment, assumed by that environment's CI deploy job."
  value       = { for env, role in aws_iam_role.deploy : env => role.arn }
}

output "plan_role_arn" {
  description = "Read-only role for pull request plans."
  value       = aws_iam_role.plan.arn
}

output "publish_role_arn" {
  description = "Role that pushes images from the main branch."
  value       = aws_iam_role.publish.arn
}

output "repository_url" {
  description = "ECR repository URL of the service image."
  value       = module.registry.repository_url
}
