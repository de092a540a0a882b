variable "name" {
  description = "Name of the log bucket, of the sink that fills it and of the _Default exclusion, e.g. `my-service-prod-flow-logs`."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9_-]{2,99}$", var.name))
    error_message = "name must be 3-100 lowercase letters, digits, '_' or '-', starting with a letter."
  }
}

variable "description" {
  description = "What the log bucket holds."
  type        = string
}

variable "location" {
  description = "Region of the log bucket, e.g. `us-central1`."
  type        = string
}

variable "filter" {
  description = "Cloud Logging query selecting the entries kept in the bucket (and left out of _Default)."
  type        = string

  validation {
    condition     = length(trimspace(var.filter)) > 0
    error_message = "filter must not be empty: an empty filter would move every log entry of the project."
  }
}

variable "retention_days" {
  description = "Days Cloud Logging keeps the entries."
  type        = number

  validation {
    condition     = var.retention_days >= 1 && var.retention_days <= 3650 && floor(var.retention_days) == var.retention_days
    error_message = "retention_days must be a whole number from 1 to 3650."
  }
}
