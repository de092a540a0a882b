output "name" {
  description = "Name of the log group."
  value       = try(aws_cloudwatch_log_group.this.name, null)
}

output "arn" {
  description = "ARN of the log group."
  value       = try(aws_cloudwatch_log_group.this.arn, null)
}

output "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the log group."
  value       = module.key.key_arn
}
