variable "name" {
  description = "Name of the cluster and prefix of its other resources, e.g. `my-service-prod`."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,52}[a-z0-9]$", var.name))
    error_message = "name must be 2-54 lowercase letters, digits or '-', starting with a letter (it is also the API server's DNS prefix)."
  }
}

variable "resource_group_name" {
  description = "Resource group of the cluster, its node pools, workload identity and data collection rule."
  type        = string
}

variable "location" {
  description = "Azure region of the cluster, e.g. `eastus`."
  type        = string
}

variable "node_resource_group" {
  description = "Name of the resource group AKS creates for the nodes, load balancers and disks (it must not exist yet)."
  type        = string

  validation {
    condition     = length(var.node_resource_group) >= 1 && length(var.node_resource_group) <= 80
    error_message = "node_resource_group must be 1-80 characters."
  }
}

variable "zones" {
  description = "Availability zones the node pools spread over, e.g. `[\"1\", \"2\", \"3\"]`."
  type        = list(string)

  validation {
    condition     = length(var.zones) >= 1 && alltrue([for zone in var.zones : contains(["1", "2", "3"], zone)]) && length(var.zones) == length(distinct(var.zones))
    error_message = "zones must list zones \"1\", \"2\" or \"3\", each once."
  }
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the cluster, e.g. `1.34`; its patch releases are applied automatically."
  type        = string

  validation {
    condition     = can(regex("^1\\.[0-9]+$", var.kubernetes_version))
    error_message = "kubernetes_version must be a minor version such as 1.34."
  }
}

variable "sku_tier" {
  description = "AKS pricing tier: `Standard` (financially backed uptime SLA, for production), `Free` (no SLA) or `Premium`."
  type        = string
  default     = "Standard"

  validation {
    condition     = contains(["Free", "Standard", "Premium"], var.sku_tier)
    error_message = "sku_tier must be Free, Standard or Premium."
  }
}

variable "cluster_identity_id" {
  description = "Resource ID of the user-assigned identity of the control plane (Network Contributor and Key Vault Crypto User on the resource group; see terraform/bootstrap)."
  type        = string
}

variable "kubelet_identity_id" {
  description = "Resource ID of the user-assigned identity of the nodes (AcrPull on the registry)."
  type        = string
}

variable "kubelet_identity_client_id" {
  description = "Client ID of the nodes' identity."
  type        = string
}

variable "kubelet_identity_object_id" {
  description = "Object (principal) ID of the nodes' identity."
  type        = string
}

variable "nodes_subnet_id" {
  description = "Resource ID of the nodes' subnet; its NAT gateway carries the outbound traffic."
  type        = string
}

variable "pods_cidr" {
  description = "Range of pod addresses (Azure CNI Overlay), outside the VNet."
  type        = string

  validation {
    condition     = can(cidrnetmask(var.pods_cidr))
    error_message = "pods_cidr must be an IPv4 CIDR block."
  }
}

variable "services_cidr" {
  description = "Range of Service addresses, outside the VNet and pods_cidr."
  type        = string

  validation {
    condition     = can(cidrnetmask(var.services_cidr))
    error_message = "services_cidr must be an IPv4 CIDR block."
  }
}

variable "dns_service_ip" {
  description = "Address of the cluster DNS Service: the .10 address of services_cidr."
  type        = string
}

variable "kms_key_id" {
  description = "Versioned ID of the Key Vault key that encrypts Kubernetes secrets in etcd (the vault must allow public network access)."
  type        = string
}

variable "log_analytics_workspace_id" {
  description = "Resource ID of the Log Analytics workspace that receives the control-plane logs and Container Insights."
  type        = string
}

variable "system_node_vm_size" {
  description = "VM size of the system pool, e.g. `Standard_D2s_v5`."
  type        = string
}

variable "system_node_min_size" {
  description = "Minimum number of system nodes, across all zones."
  type        = number

  validation {
    condition     = var.system_node_min_size >= 1
    error_message = "system_node_min_size must be at least 1."
  }
}

variable "system_node_max_size" {
  description = "Maximum number of system nodes, across all zones."
  type        = number

  validation {
    condition     = var.system_node_max_size >= var.system_node_min_size
    error_message = "system_node_max_size must be at least system_node_min_size."
  }
}

variable "node_vm_size" {
  description = "VM size of the service's node pool, e.g. `Standard_D2s_v5`."
  type        = string
}

variable "spot_nodes" {
  description = "Run the service's node pool on Spot VMs: much cheaper, but Azure may evict them at any time. AKS taints them, so the service must tolerate `kubernetes.azure.com/scalesetpriority=spot:NoSchedule`."
  type        = bool
  default     = false
}

variable "node_min_size" {
  description = "Minimum number of nodes of the service's pool, across all zones."
  type        = number

  validation {
    condition     = var.node_min_size >= 0
    error_message = "node_min_size must not be negative."
  }
}

variable "node_desired_size" {
  description = "Number of nodes the service's pool starts with; the autoscaler takes over after creation."
  type        = number

  validation {
    condition     = var.node_desired_size >= var.node_min_size && var.node_desired_size <= var.node_max_size
    error_message = "node_desired_size must lie between node_min_size and node_max_size."
  }
}

variable "node_max_size" {
  description = "Maximum number of nodes of the service's pool, across all zones."
  type        = number

  validation {
    condition     = var.node_max_size >= 1 && var.node_max_size >= var.node_min_size
    error_message = "node_max_size must be at least 1 and at least node_min_size."
  }
}

variable "node_os_disk_size_gb" {
  description = "Size of each node's managed OS disk in GB."
  type        = number
  default     = 64

  validation {
    condition     = var.node_os_disk_size_gb >= 30 && var.node_os_disk_size_gb <= 2048
    error_message = "node_os_disk_size_gb must be from 30 to 2048."
  }
}

variable "max_pods" {
  description = "Most pods per node."
  type        = number
  default     = 110

  validation {
    condition     = var.max_pods >= 50 && var.max_pods <= 250
    error_message = "max_pods must be from 50 to 250."
  }
}

variable "maintenance_day" {
  description = "Day of the weekly window in which AKS applies patch releases and node images."
  type        = string
  default     = "Sunday"

  validation {
    condition     = contains(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"], var.maintenance_day)
    error_message = "maintenance_day must be a day of the week such as Sunday."
  }
}

variable "maintenance_start_time" {
  description = "Start (HH:MM, UTC) of the weekly four-hour maintenance window."
  type        = string
  default     = "03:00"

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]$", var.maintenance_start_time))
    error_message = "maintenance_start_time must be HH:MM in 24-hour time."
  }
}

variable "admin_object_ids" {
  description = "Microsoft Entra object IDs of the users or groups who administer the cluster (Azure Kubernetes Service RBAC Cluster Admin on its resource group, which should hold no other cluster)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.admin_object_ids : can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id))])
    error_message = "admin_object_ids must hold object IDs (UUIDs)."
  }
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
  description = "Kubernetes service account of the service's pods; only it may use the workload identity."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.workload_service_account))
    error_message = "workload_service_account must be a Kubernetes name (DNS label)."
  }
}

variable "deletion_protection" {
  description = "Lock the cluster against deletion (a CanNotDelete lock, which also keeps its node pools, extensions and role assignments from being deleted or replaced)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags of every resource of the module; AKS passes the cluster's on to the node resource group."
  type        = map(string)
  default     = {}
}
