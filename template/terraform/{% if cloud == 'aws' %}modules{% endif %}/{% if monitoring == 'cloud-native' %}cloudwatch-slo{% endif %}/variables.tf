variable "name" {
  description = "Prefix of the alarms and the dashboard, e.g. `my-service-prod`: the alert topics accept alarms named `<name>-*` (module alerting)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,45}$", var.name))
    error_message = "name must be 2-46 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "service_title" {
  description = "Human name of the service, in alarm descriptions and on the dashboard."
  type        = string
}

variable "load_balancer_arn_suffix" {
  description = "The `LoadBalancer` dimension of the service's Application Load Balancer (`aws_lb.arn_suffix`): its request metrics are the SLIs."
  type        = string

  validation {
    condition     = can(regex("^app/[A-Za-z0-9-]{1,32}/[0-9a-f]+$", var.load_balancer_arn_suffix))
    error_message = "load_balancer_arn_suffix must be an Application Load Balancer's ARN suffix, app/<name>/<id>."
  }
}

variable "cluster_name" {
  description = "ECS cluster of the service (AWS/ECS ClusterName dimension), for the saturation graphs."
  type        = string
}

variable "service_name" {
  description = "ECS service (AWS/ECS ServiceName dimension), for the saturation graphs."
  type        = string
}

variable "slo_availability" {
  description = "Availability objective in percent over 30 days: the share of requests not answered 5xx (by the targets or the load balancer)."
  type        = number

  validation {
    condition     = var.slo_availability >= 90 && var.slo_availability < 100
    error_message = "slo_availability must be at least 90 and below 100."
  }
}

variable "slo_latency_ms" {
  description = "Latency objective: 99% of the requests the targets answer take at most this many milliseconds (TargetResponseTime)."
  type        = number

  validation {
    condition     = var.slo_latency_ms >= 10 && var.slo_latency_ms <= 60000
    error_message = "slo_latency_ms must be from 10 to 60000."
  }
}

variable "min_request_rate" {
  description = "Traffic guard: a burn-rate pair only fires while the service handles more than this many requests per second over its long window, so a handful of failures on an idle service pages nobody."
  type        = number
  default     = 0.1

  validation {
    condition     = var.min_request_rate >= 0
    error_message = "min_request_rate must not be negative."
  }
}

variable "topic_arns" {
  description = "SNS topics of the routing levels, keyed `page` (P0-P1), `notify` (P2-P3) and `ticket` (P4) (module alerting's topic_arns)."
  type        = map(string)

  validation {
    condition     = toset(keys(var.topic_arns)) == toset(["page", "notify", "ticket"])
    error_message = "topic_arns must map exactly page, notify and ticket to SNS topic ARNs."
  }
}

variable "runbook_url" {
  description = "URL of the repository's docs/runbooks directory; every alarm links `<runbook_url>/<alert>.md`."
  type        = string
}

variable "tags" {
  description = "Tags added to every alarm, on top of the provider's default tags."
  type        = map(string)
  default     = {}
}
