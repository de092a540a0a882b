variable "name" {
  description = "Name of the backup plan and prefix of its key (`<name>-backup`), e.g. `my-service-prod`."
  type        = string

  validation {
    condition     = can(regex("^[a-z]([a-z0-9-]{0,54}[a-z0-9])?$", var.name))
    error_message = "name must be 1-56 lowercase letters, digits or '-', starting with a letter and not ending with '-'."
  }
}

variable "cluster_id" {
  description = "ID of the GKE cluster to back up, `projects/<project>/locations/<location>/clusters/<name>`; its Backup for GKE agent must be enabled."
  type        = string

  validation {
    condition     = can(regex("^projects/[^/]+/locations/[^/]+/clusters/[^/]+$", var.cluster_id))
    error_message = "cluster_id must be projects/<project>/locations/<location>/clusters/<name>."
  }
}

variable "location" {
  description = "Region of the backup plan and its key: the cluster's region."
  type        = string
}

variable "namespaces" {
  description = "Namespaces whose resources and volumes are backed up. Empty: every namespace and the cluster-scoped resources."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for ns in var.namespaces : can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", ns))])
    error_message = "namespaces must hold Kubernetes namespace names."
  }
}

variable "retention_days" {
  description = "Days each backup is kept before Backup for GKE deletes it."
  type        = number

  validation {
    condition     = var.retention_days >= 1 && var.retention_days <= 365 && floor(var.retention_days) == var.retention_days
    error_message = "retention_days must be a whole number from 1 to 365."
  }
}

variable "delete_lock_days" {
  description = "Days after creation during which nobody can delete a backup, not even its plan's owner. 0: no lock."
  type        = number
  default     = 0

  validation {
    condition     = var.delete_lock_days >= 0 && var.delete_lock_days <= var.retention_days && floor(var.delete_lock_days) == var.delete_lock_days
    error_message = "delete_lock_days must be a whole number from 0 to retention_days."
  }
}

variable "schedule" {
  description = "When the daily backup starts, as a cron expression in UTC."
  type        = string
  default     = "0 3 * * *"

  validation {
    condition     = length(split(" ", trimspace(var.schedule))) == 5
    error_message = "schedule must be a five-field cron expression such as \"0 3 * * *\"."
  }
}

variable "labels" {
  description = "Labels added to the plan and its key, on top of the provider's default labels."
  type        = map(string)
  default     = {}
}
