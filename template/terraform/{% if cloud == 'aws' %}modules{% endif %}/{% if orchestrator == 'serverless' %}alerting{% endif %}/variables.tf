variable "name" {
  description = "Name of the workspace and prefix of the module's other resources, e.g. `my-service-prod`. CloudWatch alarms and EventBridge rules named `<name>-*` may publish to the topics."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,45}$", var.name))
    error_message = "name must be 2-46 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "topic_names" {
  description = "Names of the SNS topics of the alert routing levels, keyed `page` (P0-P1), `notify` (P2-P3) and `ticket` (P4)."
  type        = map(string)

  validation {
    condition     = toset(keys(var.topic_names)) == toset(["page", "notify", "ticket"]) && alltrue([for name in values(var.topic_names) : can(regex("^[A-Za-z0-9_-]{1,256}$", name))])
    error_message = "topic_names must map exactly page, notify and ticket to SNS topic names (letters, digits, '_' and '-')."
  }
}

variable "ticket_email" {
  description = "Address subscribed to the `ticket` topic; AWS asks it to confirm the subscription once."
  type        = string

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.ticket_email))
    error_message = "ticket_email must be an email address."
  }
}

variable "rule_namespace" {
  description = "Name of the workspace's rule groups namespace that holds alert_rules."
  type        = string
  default     = "alerts"

  validation {
    condition     = can(regex("^[0-9A-Za-z][-.0-9A-Z_a-z]{0,63}$", var.rule_namespace))
    error_message = "rule_namespace must be 1-64 letters, digits, '-', '.' or '_', starting with a letter or digit."
  }
}

variable "alert_rules" {
  description = "Prometheus rule file (YAML with `groups`) the workspace evaluates, e.g. file(\"monitoring/prometheus/alerts.yml\"); null for no Prometheus workspace at all (CloudWatch alarms only)."
  type        = string
  default     = null

  validation {
    condition     = var.alert_rules == null || can(yamldecode(var.alert_rules).groups)
    error_message = "alert_rules must be a Prometheus rule file: YAML with a top-level `groups` list."
  }
}

variable "alertmanager_config" {
  description = "Alertmanager configuration (plain YAML with `route` and `receivers`, sns_configs naming the topics) of the workspace's alert manager; the module wraps it in AMP's `alertmanager_config` document. Required with alert_rules."
  type        = string
  default     = null

  validation {
    condition     = var.alertmanager_config == null || can(yamldecode(var.alertmanager_config).route)
    error_message = "alertmanager_config must be an Alertmanager configuration: YAML with a top-level `route`."
  }
}

variable "log_retention_days" {
  description = "Days to keep the workspace's rule evaluation and alert manager logs."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention period CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653)."
  }
}

variable "tags" {
  description = "Tags added to every resource, on top of the provider's default tags."
  type        = map(string)
  default     = {}
}
