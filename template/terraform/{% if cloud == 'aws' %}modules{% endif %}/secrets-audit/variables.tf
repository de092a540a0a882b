variable "name" {
  description = "Prefix of the environment's resources, e.g. `my-service-prod`; the rule is `<name>-SecretAccessed`."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,50}$", var.name))
    error_message = "name must be lowercase letters, digits and '-', at most 51 characters."
  }
}

variable "secret_name_prefix" {
  description = "Name prefix of the environment's secrets, e.g. `my-service/prod/`."
  type        = string

  validation {
    condition     = endswith(var.secret_name_prefix, "/") && length(var.secret_name_prefix) > 1
    error_message = "secret_name_prefix must end with '/'."
  }
}

variable "workload_role_names" {
  description = "IAM roles whose sessions read the secrets as expected (the ECS task execution role, or the pods' role)."
  type        = list(string)

  validation {
    condition     = length(var.workload_role_names) > 0
    error_message = "workload_role_names must name at least one role."
  }
}

variable "watched_actions" {
  description = "Secrets Manager API calls on the secrets that alert when anyone but the workload makes them."
  type        = list(string)
  default = [
    "DeleteResourcePolicy",
    "DeleteSecret",
    "GetSecretValue",
    "PutResourcePolicy",
    "PutSecretValue",
    "RestoreSecret",
    "RotateSecret",
    "UpdateSecret",
    "UpdateSecretVersionStage",
  ]
}

variable "topic_arn" {
  description = "SNS topic of the environment's P3 (notify) alerts. When null, the module creates its own topic, emailed to alert_emails."
  type        = string
  default     = null
}

variable "alert_emails" {
  description = "Addresses subscribed to the module's own topic (only when topic_arn is null); each confirms once."
  type        = list(string)
  default     = []
}

variable "runbook_url" {
  description = "URL of the runbooks folder; the alert links `<runbook_url>/secret-accessed.md`."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource, on top of the provider's default tags."
  type        = map(string)
  default     = {}
}
