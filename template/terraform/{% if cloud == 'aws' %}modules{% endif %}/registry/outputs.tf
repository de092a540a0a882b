output "repository_url" {
  description = "Registry URL of the repository, `<account>.dkr.ecr.<region>.amazonaws.com/<name>`."
  value       = try(aws_ecr_repository.this.repository_url, null)
}

output "repository_arn" {
  description = "ARN of the repository, for IAM policies that push or pull."
  value       = try(aws_ecr_repository.this.arn, null)
}

output "repository_name" {
  description = "Name of the repository."
  value       = try(aws_ecr_repository.this.name, null)
}

output "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the images."
  value       = module.key.key_arn
}

output "kms_alias_arn" {
  description = "ARN of the alias of the KMS key that encrypts the images."
  value       = module.key.alias_arn
}
