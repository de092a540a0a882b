variable "account_id" {
  description = "New Relic account the data is in and everything this module creates belongs to."
  type        = number

  validation {
    condition     = var.account_id > 0 && floor(var.account_id) == var.account_id
    error_message = "account_id must be a New Relic account number."
  }
}

variable "environment" {
  description = "Environment name: part of every name this module creates."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,11}$", var.environment))
    error_message = "environment must be a lowercase DNS label of at most 12 characters."
  }
}

variable "service" {
  description = "Service name (the project slug)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,28}[a-z0-9]$", var.service))
    error_message = "service must be a DNS-1123 label of at most 30 characters."
  }
}

variable "service_title" {
  description = "Human name of the service, used in descriptions and the dashboard's name."
  type        = string
}

variable "team" {
  description = "Owning team, named in policies and the dashboard's description."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,29}$", var.team))
    error_message = "team must be a lowercase DNS label of at most 30 characters."
  }
}

variable "kube_namespace" {
  description = "Kubernetes namespace the service runs in: `namespace` of its Prometheus metrics, `namespaceName` of the Kubernetes integration's samples."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.kube_namespace))
    error_message = "kube_namespace must be a DNS-1123 label."
  }
}

variable "kube_cluster_name" {
  description = "Cluster name the New Relic Kubernetes integration reports (`global.cluster` of nri-bundle): `cluster_name` of the Prometheus metrics, `clusterName` of the samples."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9.-]{0,78}[a-z0-9])?$", var.kube_cluster_name))
    error_message = "kube_cluster_name must be lowercase letters, digits, '.' or '-' (at most 80)."
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
  description = "Availability objective in percent: share of requests (probes and scrapes excluded) answered without a 5xx status."
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
    condition     = var.min_request_rate > 0
    error_message = "min_request_rate must be above 0."
  }
}

variable "slack_destination_id" {
  description = "ID of the Slack notification destination (Alerts > Destinations, connected once to the workspace): P2-P3 alerts, and pages outside production. Null: they go to ticket_emails."
  type        = string
  default     = null

  validation {
    condition     = var.slack_destination_id == null || can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.slack_destination_id))
    error_message = "slack_destination_id must be the UUID of a Slack destination in New Relic (Alerts > Destinations); connect Slack once, then set it in terraform.tfvars."
  }
}

variable "slack_channel_id" {
  description = "Slack channel ID (not its name) the alerts are posted to, e.g. `C0123456789`; required with slack_destination_id."
  type        = string
  default     = null

  validation {
    condition     = var.slack_channel_id == null ? var.slack_destination_id == null : can(regex("^[CG][A-Z0-9]{8,}$", var.slack_channel_id))
    error_message = "slack_channel_id must be a Slack channel ID such as C0123456789 (channel details in Slack), set together with slack_destination_id."
  }
}

variable "pagerduty_destination_id" {
  description = "ID of the PagerDuty (service integration) destination pages go to. Null: pages go to Slack only (environments where nobody is woken up)."
  type        = string
  default     = null

  validation {
    condition     = var.pagerduty_destination_id == null || can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.pagerduty_destination_id))
    error_message = "pagerduty_destination_id must be null or the UUID of a PagerDuty destination in New Relic."
  }
}

variable "ticket_emails" {
  description = "E-mail addresses P4 alerts (tickets) go to; the module creates their destination."
  type        = list(string)

  validation {
    condition     = length(var.ticket_emails) > 0 && alltrue([for email in var.ticket_emails : can(regex("^[^@ ,]+@[^@ ,]+\\.[^@ ,]+$", email))])
    error_message = "ticket_emails must list at least one e-mail address."
  }
}

variable "compound_conditions" {
  description = "Join each burn-rate pair's long and short window in a compound condition (a preview feature New Relic enables per account). False: each pair alerts on its long window alone."
  type        = bool
  default     = false
}
