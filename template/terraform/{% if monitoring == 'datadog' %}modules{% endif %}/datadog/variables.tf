variable "environment" {
  description = "Environment name: the `env` tag of the service's metrics (unified service tagging) and of everything this module creates."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,11}$", var.environment))
    error_message = "environment must be a lowercase DNS label of at most 12 characters."
  }
}

variable "service" {
  description = "Service name: the `service` tag of its metrics (the project slug)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,28}[a-z0-9]$", var.service))
    error_message = "service must be a DNS-1123 label of at most 30 characters."
  }
}

variable "service_title" {
  description = "Human name of the service, used in monitor messages and dashboard titles."
  type        = string
}

variable "team" {
  description = "Owning team: the `team` tag of everything this module creates."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,29}$", var.team))
    error_message = "team must be a lowercase DNS label of at most 30 characters."
  }
}

variable "kube_namespace" {
  description = "Kubernetes namespace the service runs in: the `kube_namespace` tag of the Kubernetes metrics."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.kube_namespace))
    error_message = "kube_namespace must be a DNS-1123 label."
  }
}

variable "kube_cluster_name" {
  description = "Cluster name the Datadog Agent reports (`clusterName` of its chart values): the `kube_cluster_name` tag."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9.-]{0,78}[a-z0-9])?$", var.kube_cluster_name))
    error_message = "kube_cluster_name must be lowercase letters, digits, '.' or '-' (at most 80)."
  }
}

variable "metric_namespace" {
  description = "Prefix the Agent's openmetrics check gives the service's metrics (its `namespace`), e.g. `my_service` for `my_service.http_requests.count`."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,99}$", var.metric_namespace))
    error_message = "metric_namespace must be lowercase letters, digits or '_', starting with a letter."
  }
}

variable "deployment_kind" {
  description = "What runs the pods: `deployment` (rolling update) or `rollout` (Argo Rollouts, blue-green or canary). Chooses DeploymentReplicasUnavailable and DeploymentRolloutFailed, or RolloutReplicasUnavailable and RolloutDegraded."
  type        = string

  validation {
    condition     = contains(["deployment", "rollout"], var.deployment_kind)
    error_message = "deployment_kind must be deployment or rollout."
  }
}

variable "slo_availability" {
  description = "Availability objective in percent: share of requests (probes and scrapes excluded) answered without a 5xx status, over 30 days."
  type        = number

  validation {
    condition     = var.slo_availability >= 90 && var.slo_availability < 100
    error_message = "slo_availability must be at least 90 and below 100."
  }
}

variable "slo_latency_ms" {
  description = "Latency objective: 99% of requests are answered within this many milliseconds. The service's duration histogram has a bucket at exactly this bound."
  type        = number

  validation {
    condition     = var.slo_latency_ms >= 10 && var.slo_latency_ms <= 60000 && floor(var.slo_latency_ms) == var.slo_latency_ms
    error_message = "slo_latency_ms must be a whole number from 10 to 60000."
  }
}

variable "slo_latency_bucket" {
  description = "The `upper_bound` tag of the histogram bucket at slo_latency_ms, as the Agent writes it: the bound in seconds as a canonical float (`0.3`, `1.0`). Null: computed from slo_latency_ms."
  type        = string
  default     = null

  validation {
    condition     = var.slo_latency_bucket == null || can(regex("^[0-9]+(\\.[0-9]+)?$", var.slo_latency_bucket))
    error_message = "slo_latency_bucket must be a decimal number such as 0.3 or 1.0."
  }
}

variable "page_handles" {
  description = "Who a page (P0-P1) notifies: Datadog handles such as `@pagerduty-<service>` and `@slack-<channel>`."
  type        = list(string)

  validation {
    condition     = length(var.page_handles) > 0 && alltrue([for handle in var.page_handles : can(regex("^@[A-Za-z0-9][A-Za-z0-9_.@+-]*$", handle))])
    error_message = "page_handles must list at least one Datadog handle, each starting with '@' and without spaces."
  }
}

variable "chat_handles" {
  description = "Who P2-P3 alerts notify: Datadog handles such as `@slack-<channel>`."
  type        = list(string)

  validation {
    condition     = length(var.chat_handles) > 0 && alltrue([for handle in var.chat_handles : can(regex("^@[A-Za-z0-9][A-Za-z0-9_.@+-]*$", handle))])
    error_message = "chat_handles must list at least one Datadog handle, each starting with '@' and without spaces."
  }
}

variable "ticket_handles" {
  description = "Who P4 alerts (tickets) notify: Datadog handles such as `@team-alerts@example.com`."
  type        = list(string)

  validation {
    condition     = length(var.ticket_handles) > 0 && alltrue([for handle in var.ticket_handles : can(regex("^@[A-Za-z0-9][A-Za-z0-9_.@+-]*$", handle))])
    error_message = "ticket_handles must list at least one Datadog handle, each starting with '@' and without spaces."
  }
}

variable "runbook_url" {
  description = "Web address of the repository's docs/runbooks folder (files, not the listing), e.g. `https://github.com/acme/my-service/blob/main/docs/runbooks`."
  type        = string

  validation {
    condition     = can(regex("^https://[^ ]+[^/]$", var.runbook_url))
    error_message = "runbook_url must be an https:// address without a trailing '/'."
  }
}

variable "min_request_rate" {
  description = "Requests per second below which the burn-rate alerts stay silent (over their long window): a few failures of an idle service page nobody."
  type        = number
  default     = 0.1

  validation {
    condition     = var.min_request_rate >= 0
    error_message = "min_request_rate must not be negative."
  }
}

variable "tags" {
  description = "Extra tags (`key:value`) for everything this module creates, on top of env, service and team."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for tag in var.tags : can(regex("^[a-z][a-z0-9_./-]*:[^ ,]+$", tag))])
    error_message = "tags must be key:value pairs with a lowercase key and no spaces or commas."
  }
}
