output "web_acl_arn" {
  description = "ARN of the web ACL."
  value       = try(aws_wafv2_web_acl.this.arn, null)
}

output "web_acl_name" {
  description = "Name of the web ACL (and prefix of its CloudWatch metrics)."
  value       = try(aws_wafv2_web_acl.this.name, null)
}

output "log_group_name" {
  description = "CloudWatch Logs group of the web ACL's decisions."
  value       = module.log_group.name
}
