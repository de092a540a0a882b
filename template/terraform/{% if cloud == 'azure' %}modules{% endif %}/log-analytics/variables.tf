variable "name" {
  description = "Name of the Log Analytics workspace, unique in its resource group, e.g. `log-my-service-prod`."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]$", var.name))
    error_message = "name must be 4-63 letters, digits or '-', starting and ending with a letter or digit."
  }
}

variable "resource_group_name" {
  description = "Resource group the workspace is created in."
  type        = string
}

variable "location" {
  description = "Azure region of the workspace, e.g. `eastus`."
  type        = string
}

variable "retention_days" {
  description = "Days every table keeps its records (interactive retention)."
  type        = number
  default     = 365

  validation {
    condition     = var.retention_days >= 30 && var.retention_days <= 730 && floor(var.retention_days) == var.retention_days
    error_message = "retention_days must be a whole number from 30 to 730."
  }
}

variable "daily_quota_gb" {
  description = "Most GB ingested per day before ingestion stops until the next day; -1 for no cap."
  type        = number
  default     = -1

  validation {
    condition     = var.daily_quota_gb == -1 || var.daily_quota_gb >= 0.023
    error_message = "daily_quota_gb must be -1 (no cap) or at least 0.023."
  }
}

variable "tags" {
  description = "Tags of the workspace."
  type        = map(string)
  default     = {}
}
