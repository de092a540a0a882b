variable "name" {
  description = "Prefix of the metric's and the alert policy's names, e.g. `my-service-prod`."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,62}$", var.name))
    error_message = "name must be lowercase letters, digits or '-', starting with a letter."
  }
}

variable "secret_prefix" {
  description = "Start of the secret IDs watched, e.g. `my-service-prod-`."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]+$", var.secret_prefix))
    error_message = "secret_prefix must be the start of a secret ID: letters, digits, '_' or '-'."
  }
}

variable "workload_principal" {
  description = "The one principal expected to read the values: a service account's e-mail, or a Workload Identity principal (`principal://...`)."
  type        = string
}

variable "workload_principal_aliases" {
  description = "Other names under which the audit log may record workload_principal, e.g. a GKE pod's `serviceAccount:<project>.svc.id.goog[<namespace>/<name>]`: their reads do not count either."
  type        = list(string)
  default     = []
}

variable "ignored_secret_ids" {
  description = "IDs of secrets under secret_prefix that hold no secret value and that CI changes, e.g. Cloud Run's `<name>-collector-config`: their reads and changes do not alert."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.ignored_secret_ids : can(regex("^[a-zA-Z0-9_-]+$", id))])
    error_message = "ignored_secret_ids must be secret IDs: letters, digits, '_' or '-'."
  }
}

variable "principal_field" {
  description = "Field of the audit log's authenticationInfo that names the reader: principalEmail for service accounts, principalSubject for Workload Identity principals."
  type        = string
  default     = "principalEmail"

  validation {
    condition     = contains(["principalEmail", "principalSubject"], var.principal_field)
    error_message = "principal_field must be principalEmail or principalSubject."
  }
}

variable "notification_channels" {
  description = "Cloud Monitoring notification channel IDs the alert goes to."
  type        = list(string)

  validation {
    condition     = length(var.notification_channels) > 0
    error_message = "Give at least one notification channel."
  }
}

variable "runbook_url" {
  description = "Address of the runbook the alert links to."
  type        = string
}

variable "labels" {
  description = "User labels added to the alert policy."
  type        = map(string)
  default     = {}
}
