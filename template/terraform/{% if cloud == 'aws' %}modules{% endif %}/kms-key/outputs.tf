output "key_arn" {
  description = "ARN of the KMS key."
  value       = try(aws_kms_key.this.arn, null)
}

output "key_id" {
  description = "ID of the KMS key."
  value       = try(aws_kms_key.this.key_id, null)
}

output "alias_name" {
  description = "Name of the alias, `alias/<alias>`."
  value       = try(aws_kms_alias.this.name, null)
}

output "alias_arn" {
  description = "ARN of the alias, for IAM policies that protect it."
  value       = try(aws_kms_alias.this.arn, null)
}
