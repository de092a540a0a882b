output "vault_arn" {
  description = "ARN of the backup vault."
  value       = try(aws_backup_vault.this.arn, null)
}

output "vault_name" {
  description = "Name of the backup vault."
  value       = try(aws_backup_vault.this.name, null)
}

output "plan_id" {
  description = "ID of the daily backup plan."
  value       = try(aws_backup_plan.this.id, null)
}

output "role_arn" {
  description = "ARN of the IAM role AWS Backup uses for the selected resources."
  value       = try(aws_iam_role.this.arn, null)
}

output "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the vault."
  value       = module.key.key_arn
}
