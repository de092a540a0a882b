variable "name" {
  description = "Name of the VNet and prefix of its other resources, e.g. `my-service-prod`."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9][a-zA-Z0-9._-]{0,60}[a-zA-Z0-9_]$", var.name))
    error_message = "name must be 2-62 letters, digits, '.', '_' or '-', starting with a letter or digit."
  }
}

variable "resource_group_name" {
  description = "Resource group of the VNet and everything in it."
  type        = string
}

variable "location" {
  description = "Azure region, e.g. `eastus`."
  type        = string
}

variable "vnet_cidr" {
  description = "Address space of the VNet; both subnets lie inside it."
  type        = string

  validation {
    condition     = can(cidrnetmask(var.vnet_cidr))
    error_message = "vnet_cidr must be an IPv4 CIDR block."
  }
}

variable "nodes_cidr" {
  description = "Subnet of the cluster's nodes (with Azure CNI Overlay, one address per node)."
  type        = string

  validation {
    condition     = can(cidrnetmask(var.nodes_cidr)) && tonumber(split("/", var.nodes_cidr)[1]) <= 26
    error_message = "nodes_cidr must be an IPv4 CIDR block of /26 or larger."
  }
}

variable "endpoints_cidr" {
  description = "Subnet of private endpoints (and, later, an internal ingress)."
  type        = string

  validation {
    condition     = can(cidrnetmask(var.endpoints_cidr)) && tonumber(split("/", var.endpoints_cidr)[1]) <= 28
    error_message = "endpoints_cidr must be an IPv4 CIDR block of /28 or larger."
  }
}

variable "nat_ip_count" {
  description = "Number of static public addresses outbound traffic leaves from (1-16); each adds 64,512 ports."
  type        = number
  default     = 1

  validation {
    condition     = var.nat_ip_count >= 1 && var.nat_ip_count <= 16 && floor(var.nat_ip_count) == var.nat_ip_count
    error_message = "nat_ip_count must be a whole number from 1 to 16."
  }
}

variable "nat_zone" {
  description = "Availability zone that holds the NAT gateway and its addresses; null lets Azure place them (no zone)."
  type        = string
  default     = null

  validation {
    condition     = var.nat_zone == null || can(regex("^[1-3]$", var.nat_zone))
    error_message = "nat_zone must be \"1\", \"2\", \"3\" or null."
  }
}

variable "tags" {
  description = "Tags of every resource of the module."
  type        = map(string)
  default     = {}
}
