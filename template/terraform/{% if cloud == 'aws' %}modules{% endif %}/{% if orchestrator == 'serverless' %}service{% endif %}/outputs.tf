output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = try(aws_ecs_cluster.this.name, null)
}

output "cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = try(aws_ecs_cluster.this.arn, null)
}

output "service_name" {
  description = "Name of the ECS service."
  value       = try(aws_ecs_service.this.name, null)
}

output "service_arn" {
  description = "ARN of the ECS service."
  value       = try(aws_ecs_service.this.id, null)
}

output "task_definition_arn" {
  description = "ARN (with revision) of the task definition of `image`; deploying means updating the service to it."
  value       = try(aws_ecs_task_definition.this.arn, null)
}

output "task_definition_family" {
  description = "Family of the service's task definitions."
  value       = try(aws_ecs_task_definition.this.family, null)
}

output "container_name" {
  description = "Name of the service's container in the task definition."
  value       = local.app
}

output "production_target_group_arn" {
  description = "Target group of the service in the load balancer (the `blue` one). Blue-green and canary deployments move production traffic to `alternate_target_group_arn` and back; the production listener rule's weights tell which one is live."
  value       = try(aws_lb_target_group.this["blue"].arn, null)
}

output "alternate_target_group_arn" {
  description = "Blue-green and canary: the second target group (`green`) a new version starts in; null for rolling deployments."
  value       = try(aws_lb_target_group.this["green"].arn, null)
}

output "target_group_arns" {
  description = "Every target group of the service, keyed `blue` (and `green`)."
  value       = { for key, group in aws_lb_target_group.this : key => group.arn }
}

output "load_balancer_arn" {
  description = "ARN of the Application Load Balancer (internal without a hostname, internet-facing with one)."
  value       = try(aws_lb.this.arn, null)
}

output "load_balancer_arn_suffix" {
  description = "The load balancer's `LoadBalancer` dimension in CloudWatch (AWS/ApplicationELB metrics)."
  value       = try(aws_lb.this.arn_suffix, null)
}

output "load_balancer_dns_name" {
  description = "DNS name of the load balancer: without a hostname internal, reachable from allowed_cidrs on port 80; with one, `hostname` is its alias."
  value       = try(aws_lb.this.dns_name, null)
}

output "production_listener_rule_arn" {
  description = "Blue-green and canary: the listener rule whose weights ECS shifts; null for rolling deployments."
  value       = try(aws_lb_listener_rule.production[0].arn, null)
}

output "test_listener_url" {
  description = "Blue-green and canary: URL of the test listener, which reaches the new version before production traffic does; null for rolling deployments."
  value       = local.progressive ? (local.public ? "https://${var.hostname}:${local.test_port}" : "http://${aws_lb.this.dns_name}:${local.test_port}") : null
}

output "service_url" {
  description = "With a hostname: the service's public address, `https://<hostname>`; null without one."
  value       = local.public ? "https://${var.hostname}" : null
}

output "certificate_arn" {
  description = "With a hostname: the ACM certificate of the HTTPS listeners; null without one."
  value       = try(aws_acm_certificate_validation.this[0].certificate_arn, null)
}

output "load_balancer_security_group_id" {
  description = "Security group of the load balancer."
  value       = try(aws_security_group.load_balancer.id, null)
}

output "tasks_security_group_id" {
  description = "Security group of the tasks; allow it in the security groups of the data stores the service uses."
  value       = try(aws_security_group.tasks.id, null)
}

output "task_role_arn" {
  description = "ARN of the tasks' IAM role; attach the permissions the service needs to it."
  value       = try(aws_iam_role.task.arn, null)
}

output "task_role_name" {
  description = "Name of the tasks' IAM role, for `aws_iam_role_policy`."
  value       = try(aws_iam_role.task.name, null)
}

output "execution_role_arn" {
  description = "ARN of the role ECS starts the tasks with."
  value       = try(aws_iam_role.execution.arn, null)
}

output "log_group_name" {
  description = "CloudWatch Logs group of both containers (stream prefixes `app` and `collector`)."
  value       = module.log_group.name
}

output "access_logs_bucket" {
  description = "S3 bucket with the load balancer's access logs (prefix `alb/`)."
  value       = module.access_logs.bucket_id
}

output "rollback_alarm_names" {
  description = "Alarms that roll a deployment back while it runs or bakes."
  value       = local.rollback_alarm_names
}

output "alarm_names" {
  description = "Alarms that notify the alert topics, by name in the runbooks."
  value = {
    EcsTasksBelowDesired = aws_cloudwatch_metric_alarm.tasks_below_desired.alarm_name
    EcsCpuSaturation     = aws_cloudwatch_metric_alarm.cpu_saturation.alarm_name
    EcsMemorySaturation  = aws_cloudwatch_metric_alarm.memory_saturation.alarm_name
    TargetsUnhealthy     = aws_cloudwatch_metric_alarm.targets_unhealthy.alarm_name
    DeploymentRolledBack = aws_cloudwatch_event_rule.deployment_rolled_back.name
  }
}
