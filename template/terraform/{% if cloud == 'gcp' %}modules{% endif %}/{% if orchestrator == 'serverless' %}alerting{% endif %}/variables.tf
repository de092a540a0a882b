variable "name" {
  description = "Prefix of the environment's resource names, e.g. `my-service-prod`."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}$", var.name))
    error_message = "name must be 2-41 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "namespace" {
  description = "The environment's `namespace` label: the Managed Service for Prometheus sidecar gives it the Cloud Run service's name. Every selector of the alert policies matches it, as all environments write to one project."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,48}[a-z0-9]$", var.namespace))
    error_message = "namespace must be a Cloud Run service name: lowercase letters, digits or '-'."
  }
}

variable "alert_rules" {
  description = "Prometheus rule file (YAML): its alerting rules become alert policies, with the recording rules they read inlined."
  type        = string
}

variable "ticket_email" {
  description = "Address of the ticket alerts (P4), and of every alert until page_channels and notify_channels are set."
  type        = string

  validation {
    condition     = can(regex("^[^@ ]+@[^@ ]+\\.[^@ ]+$", var.ticket_email))
    error_message = "ticket_email must be an e-mail address."
  }
}

variable "page_channels" {
  description = "Notification channels (IDs) of the paging alerts, P0-P1, e.g. a PagerDuty channel created once by hand."
  type        = list(string)
  default     = []
}

variable "notify_channels" {
  description = "Notification channels (IDs) of the P2-P3 alerts, e.g. a Slack channel created once by hand."
  type        = list(string)
  default     = []
}

variable "labels" {
  description = "Labels added to the resources that take labels, on top of the provider's default labels."
  type        = map(string)
  default     = {}
}
