output "rule_name" {
  description = "EventBridge rule that matches unexpected access to the secrets."
  value       = try(aws_cloudwatch_event_rule.this.name, null)
}

output "topic_arn" {
  description = "SNS topic the alert goes to (the given one, or the module's own)."
  value       = try(local.topic_arn, null)
}
