output "load_balancer_arn" {
  description = "ARN of the internet-facing Application Load Balancer."
  value       = try(aws_lb.this.arn, null)
}

output "load_balancer_dns_name" {
  description = "DNS name of the load balancer; `hostname` is an alias of it."
  value       = try(aws_lb.this.dns_name, null)
}

output "target_group_arn" {
  description = "ARN of the target group of the service's pods, for the chart's TargetGroupBinding."
  value       = try(aws_lb_target_group.this.arn, null)
}

output "certificate_arn" {
  description = "ARN of the ACM certificate of `hostname`."
  value       = try(aws_acm_certificate_validation.this.certificate_arn, null)
}

output "access_logs_bucket_name" {
  description = "S3 bucket of the load balancer's access logs (prefix `alb/`)."
  value       = module.access_logs.bucket_id
}

output "controller_role_arn" {
  description = "ARN of the IAM role of the AWS Load Balancer Controller (EKS Pod Identity)."
  value       = try(aws_iam_role.controller.arn, null)
}

output "service_url" {
  description = "Public address of the service, `https://<hostname>`."
  value       = "https://${var.hostname}"
}
