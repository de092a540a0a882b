variable "name" {
  description = "Prefix of the backup's resource names, e.g. `my-service-prod`."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{1,40}[a-zA-Z0-9]$", var.name))
    error_message = "name must be 3-42 letters, digits or '-', starting with a letter."
  }
}

variable "resource_group_name" {
  description = "Resource group of the vault, the policy and the staging storage account."
  type        = string
}

variable "location" {
  description = "Azure region, the cluster's, e.g. `eastus`."
  type        = string
}

variable "cluster_id" {
  description = "Resource ID of the AKS cluster to back up; its control-plane identity needs Contributor on the snapshot resource group (terraform/bootstrap)."
  type        = string
}

variable "snapshot_resource_group_name" {
  description = "Resource group that holds the volume snapshots."
  type        = string
}

variable "snapshot_resource_group_id" {
  description = "Resource ID of that resource group."
  type        = string
}

variable "namespaces" {
  description = "Kubernetes namespaces whose resources and persistent volumes are backed up."
  type        = list(string)

  validation {
    condition     = length(var.namespaces) >= 1 && alltrue([for ns in var.namespaces : can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", ns))])
    error_message = "namespaces must list at least one Kubernetes namespace name."
  }
}

variable "retention_days" {
  description = "Days each daily backup is kept."
  type        = number

  validation {
    condition     = var.retention_days >= 1 && var.retention_days <= 360 && floor(var.retention_days) == var.retention_days
    error_message = "retention_days must be a whole number from 1 to 360."
  }
}

variable "backup_time" {
  description = "Time of day (HH:MM, UTC) the daily backup starts."
  type        = string
  default     = "02:00"

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]$", var.backup_time))
    error_message = "backup_time must be HH:MM in 24-hour time."
  }
}

variable "storage_account_name" {
  description = "Name of the staging storage account: 3-24 lowercase letters and digits, unique across Azure."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]{3,24}$", var.storage_account_name))
    error_message = "storage_account_name must be 3-24 lowercase letters and digits."
  }
}

variable "storage_replication_type" {
  description = "Replication of the staging storage account."
  type        = string
  default     = "GRS"

  validation {
    condition     = contains(["GRS", "RAGRS", "GZRS", "RAGZRS"], var.storage_replication_type)
    error_message = "storage_replication_type must be GRS, RAGRS, GZRS or RAGZRS."
  }
}

variable "vault_redundancy" {
  description = "Redundancy of the backup vault's own store."
  type        = string
  default     = "GeoRedundant"

  validation {
    condition     = contains(["LocallyRedundant", "ZoneRedundant", "GeoRedundant"], var.vault_redundancy)
    error_message = "vault_redundancy must be LocallyRedundant, ZoneRedundant or GeoRedundant."
  }
}

variable "soft_delete_days" {
  description = "Days a deleted blob or container of the staging account stays recoverable."
  type        = number
  default     = 30

  validation {
    condition     = var.soft_delete_days >= 1 && var.soft_delete_days <= 365 && floor(var.soft_delete_days) == var.soft_delete_days
    error_message = "soft_delete_days must be a whole number from 1 to 365."
  }
}

variable "allowed_subnet_ids" {
  description = "Subnets (with a Microsoft.Storage service endpoint) whose traffic the staging account admits: the nodes', where the extension runs."
  type        = list(string)
}

variable "log_analytics_workspace_id" {
  description = "Resource ID of the Log Analytics workspace that receives the staging account's blob audit log."
  type        = string
}

variable "tags" {
  description = "Tags of every resource of the module."
  type        = map(string)
  default     = {}
}
