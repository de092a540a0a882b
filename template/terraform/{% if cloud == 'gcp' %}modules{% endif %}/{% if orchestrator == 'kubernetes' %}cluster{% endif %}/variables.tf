variable "name" {
  description = "Name of the cluster and prefix of its other resources, e.g. `my-service-prod`."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.name))
    error_message = "name must be 3-40 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "region" {
  description = "Region of the cluster and its key and log bucket, e.g. `us-central1`."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a region such as us-central1."
  }
}

variable "zones" {
  description = "Zones of the region the nodes spread over; a zonal cluster's control plane runs in the first."
  type        = list(string)

  validation {
    condition     = length(var.zones) >= 1 && length(var.zones) == length(distinct(var.zones))
    error_message = "zones must list at least one zone, each once."
  }
}

variable "regional" {
  description = "Regional control plane (replicated across the region's zones, for production) instead of a zonal one in `zones[0]`."
  type        = bool
}

variable "kubernetes_version" {
  description = "Minimum Kubernetes minor version of the control plane, e.g. `1.34`; the REGULAR release channel upgrades from there."
  type        = string

  validation {
    condition     = can(regex("^1\\.[0-9]+$", var.kubernetes_version))
    error_message = "kubernetes_version must be a minor version such as 1.34."
  }
}

variable "network_id" {
  description = "ID of the VPC network the cluster runs in."
  type        = string
}

variable "subnetwork_id" {
  description = "ID of the subnet of the nodes; its secondary ranges hold pods and Services."
  type        = string
}

variable "pods_range_name" {
  description = "Name of the subnet's secondary range for pods."
  type        = string
}

variable "services_range_name" {
  description = "Name of the subnet's secondary range for Services."
  type        = string
}

variable "node_service_account" {
  description = "E-mail of the nodes' service account (logging, monitoring and image pulls only; see terraform/bootstrap)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]+\\.iam\\.gserviceaccount\\.com$", var.node_service_account))
    error_message = "node_service_account must be a user-managed service account e-mail, never the Compute Engine default one."
  }
}

variable "node_machine_type" {
  description = "Compute Engine machine type of the nodes, e.g. `e2-standard-2`."
  type        = string
}

variable "node_disk_size_gb" {
  description = "Size of each node's boot disk in GB."
  type        = number
  default     = 50

  validation {
    condition     = var.node_disk_size_gb >= 20
    error_message = "node_disk_size_gb must be at least 20."
  }
}

variable "spot_nodes" {
  description = "Run the nodes on Spot VMs: much cheaper, but Compute Engine may reclaim them at any time."
  type        = bool
  default     = false
}

variable "node_min_size" {
  description = "Minimum number of nodes, across all zones."
  type        = number

  validation {
    condition     = var.node_min_size >= 1
    error_message = "node_min_size must be at least 1: the cluster's system pods need a node to run on."
  }
}

variable "node_desired_size" {
  description = "Number of nodes to start with, across all zones; the autoscaler takes over after creation."
  type        = number

  validation {
    condition     = var.node_desired_size >= var.node_min_size && var.node_desired_size <= var.node_max_size
    error_message = "node_desired_size must lie between node_min_size and node_max_size."
  }
}

variable "node_max_size" {
  description = "Maximum number of nodes, across all zones."
  type        = number

  validation {
    condition     = var.node_max_size >= var.node_min_size
    error_message = "node_max_size must be at least node_min_size."
  }
}

variable "secrets_key_name" {
  description = "Name of the key ring and key that encrypt Kubernetes secrets. Null: `<name>-gke-secrets`."
  type        = string
  default     = null

  validation {
    condition     = var.secrets_key_name == null || can(regex("^[a-zA-Z0-9_-]{1,63}$", var.secrets_key_name))
    error_message = "secrets_key_name must be 1-63 letters, digits, '_' or '-'."
  }
}

variable "log_retention_days" {
  description = "Days the cluster's logs are kept in its log bucket."
  type        = number
  default     = 365

  validation {
    condition     = var.log_retention_days >= 1 && var.log_retention_days <= 3650 && floor(var.log_retention_days) == var.log_retention_days
    error_message = "log_retention_days must be a whole number from 1 to 3650."
  }
}

variable "maintenance_start_time" {
  description = "Start (HH:MM, UTC) of the daily four-hour window in which GKE may upgrade or repair the cluster."
  type        = string
  default     = "03:00"

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]$", var.maintenance_start_time))
    error_message = "maintenance_start_time must be HH:MM in 24-hour time."
  }
}

variable "managed_prometheus" {
  description = "Enable Google Cloud Managed Service for Prometheus; it collects only what PodMonitoring resources ask for."
  type        = bool
  default     = true
}

variable "backup_agent" {
  description = "Install the Backup for GKE agent (needed by a backup plan for this cluster)."
  type        = bool
  default     = false
}

variable "workload_namespace" {
  description = "Kubernetes namespace of the service's pods."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.workload_namespace))
    error_message = "workload_namespace must be a Kubernetes name (DNS label)."
  }
}

variable "workload_service_account" {
  description = "Kubernetes service account of the service's pods; `workload_principal` names it in IAM."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.workload_service_account))
    error_message = "workload_service_account must be a Kubernetes name (DNS label)."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the cluster until this is turned off."
  type        = bool
  default     = false
}

variable "labels" {
  description = "Labels added to the cluster, its nodes and key, on top of the provider's default labels."
  type        = map(string)
  default     = {}
}
