variable "name" {
  description = "Name of the network and prefix of its other resources, e.g. `my-service-prod`."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,45}$", var.name))
    error_message = "name must be 2-46 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "region" {
  description = "Region of the subnet, router and NAT, e.g. `us-central1`."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a region such as us-central1."
  }
}

variable "nodes_cidr" {
  description = "Primary IPv4 range of the subnet: one address per node."
  type        = string

  validation {
    condition     = can(cidrhost(var.nodes_cidr, 0)) && can(regex("^[0-9.]+/[0-9]+$", var.nodes_cidr))
    error_message = "nodes_cidr must be an IPv4 CIDR block such as 10.40.0.0/19."
  }
}

variable "pods_cidr" {
  description = "Secondary range for pod addresses (a /24 per node at the default 110 pods per node)."
  type        = string

  validation {
    condition     = can(cidrhost(var.pods_cidr, 0)) && can(regex("^[0-9.]+/[0-9]+$", var.pods_cidr))
    error_message = "pods_cidr must be an IPv4 CIDR block."
  }
}

variable "services_cidr" {
  description = "Secondary range for Kubernetes Service (ClusterIP) addresses."
  type        = string

  validation {
    condition     = can(cidrhost(var.services_cidr, 0)) && can(regex("^[0-9.]+/[0-9]+$", var.services_cidr))
    error_message = "services_cidr must be an IPv4 CIDR block."
  }
}

variable "nat_ip_count" {
  description = "Number of reserved external addresses Cloud NAT sends outbound traffic from; add more when the nodes run out of NAT ports."
  type        = number
  default     = 1

  validation {
    condition     = var.nat_ip_count >= 1 && var.nat_ip_count <= 16 && floor(var.nat_ip_count) == var.nat_ip_count
    error_message = "nat_ip_count must be a whole number from 1 to 16."
  }
}

variable "flow_log_sampling" {
  description = "Share of the subnet's flows recorded in the VPC flow logs, from 0 (exclusive) to 1."
  type        = number
  default     = 0.5

  validation {
    condition     = var.flow_log_sampling > 0 && var.flow_log_sampling <= 1
    error_message = "flow_log_sampling must be greater than 0 and at most 1."
  }
}

variable "flow_log_retention_days" {
  description = "Days the VPC flow logs are kept, in their own log bucket."
  type        = number
  default     = 365

  validation {
    condition     = var.flow_log_retention_days >= 1 && var.flow_log_retention_days <= 3650 && floor(var.flow_log_retention_days) == var.flow_log_retention_days
    error_message = "flow_log_retention_days must be a whole number from 1 to 3650."
  }
}

variable "labels" {
  description = "Labels added to the resources that take labels, on top of the provider's default labels."
  type        = map(string)
  default     = {}
}
