variable "name" {
  description = "Name of the log group, e.g. `/aws/eks/<cluster>/cluster`."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_./#-]{1,512}$", var.name))
    error_message = "name must be 1-512 characters: letters, digits, '_', '-', '/', '.' and '#'."
  }
}

variable "key_alias" {
  description = "Alias of the log group's KMS key, without the `alias/` prefix."
  type        = string
}

variable "description" {
  description = "Description of the log group's KMS key, e.g. what the logs are."
  type        = string
}

variable "retention_days" {
  description = "Days CloudWatch Logs keeps the events."
  type        = number

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.retention_days)
    error_message = "retention_days must be a retention period CloudWatch Logs supports (e.g. 30, 90, 365)."
  }
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}
