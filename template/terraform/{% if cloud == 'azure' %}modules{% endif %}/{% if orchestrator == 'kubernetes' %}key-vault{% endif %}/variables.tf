variable "name" {
  description = "Name of the key vault: 3-24 letters, digits and '-', unique across Azure (a deleted vault keeps its name for `soft_delete_retention_days`)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$", var.name)) && !strcontains(var.name, "--")
    error_message = "name must be 3-24 letters, digits or single '-', starting with a letter and ending with a letter or digit."
  }
}

variable "resource_group_name" {
  description = "Resource group the vault is created in."
  type        = string
}

variable "location" {
  description = "Azure region of the vault, e.g. `eastus`."
  type        = string
}

variable "key_name" {
  description = "Name of the key, e.g. `aks-secrets`."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9-]{1,127}$", var.key_name))
    error_message = "key_name must be 1-127 letters, digits or '-'."
  }
}

variable "key_size" {
  description = "Size of the RSA key in bits."
  type        = number
  default     = 3072

  validation {
    condition     = contains([2048, 3072, 4096], var.key_size)
    error_message = "key_size must be 2048, 3072 or 4096."
  }
}

variable "rotation_days" {
  description = "Days between automatic key rotations (a new key version)."
  type        = number
  default     = 180

  validation {
    condition     = var.rotation_days >= 7 && floor(var.rotation_days) == var.rotation_days
    error_message = "rotation_days must be a whole number of at least 7."
  }
}

variable "soft_delete_retention_days" {
  description = "Days a deleted vault or key stays recoverable; purge protection forbids deleting it for good before then."
  type        = number
  default     = 90

  validation {
    condition     = var.soft_delete_retention_days >= 7 && var.soft_delete_retention_days <= 90 && floor(var.soft_delete_retention_days) == var.soft_delete_retention_days
    error_message = "soft_delete_retention_days must be a whole number from 7 to 90."
  }
}

variable "log_analytics_workspace_id" {
  description = "Resource ID of the Log Analytics workspace that receives the vault's audit log."
  type        = string
}

variable "tags" {
  description = "Tags of the vault and the key."
  type        = map(string)
  default     = {}
}
