output "workspace_id" {
  description = "ID of the Amazon Managed Service for Prometheus workspace."
  value       = try(aws_prometheus_workspace.this[0].id, null)
}

output "workspace_arn" {
  description = "ARN of the workspace, for IAM policies (aps:RemoteWrite, aps:QueryMetrics)."
  value       = try(aws_prometheus_workspace.this[0].arn, null)
}

output "prometheus_endpoint" {
  description = "Prometheus-compatible endpoint of the workspace, ending in `/`: its HTTP API is under `<endpoint>api/v1/` (SigV4, service `aps`)."
  value       = try(aws_prometheus_workspace.this[0].prometheus_endpoint, null)
}

output "remote_write_url" {
  description = "URL collectors remote-write to (SigV4, service `aps`)."
  value       = try("${aws_prometheus_workspace.this[0].prometheus_endpoint}api/v1/remote_write", null)
}

output "topic_arns" {
  description = "ARNs of the alert topics, keyed `page`, `notify` and `ticket`."
  value       = { for level, topic in aws_sns_topic.this : level => topic.arn }
}

output "topics_kms_key_arn" {
  description = "KMS key of the topics; a subscriber that reads messages from a queue needs to use it."
  value       = module.topics_key.key_arn
}

output "log_group_name" {
  description = "CloudWatch Logs group of the workspace's rule evaluation and alert manager."
  value       = try(module.log_group[0].name, null)
}
