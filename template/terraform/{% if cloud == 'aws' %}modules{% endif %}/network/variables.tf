variable "name" {
  description = "Name prefix of every resource in the network, e.g. `my-service-prod`."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,45}$", var.name))
    error_message = "name must be 2-46 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "cidr" {
  description = "IPv4 range of the VPC."
  type        = string

  validation {
    condition     = can(cidrhost(var.cidr, 0)) && can(regex("^[0-9.]+/[0-9]+$", var.cidr))
    error_message = "cidr must be an IPv4 CIDR block such as 10.40.0.0/16."
  }
}

variable "zones" {
  description = "Availability zones to spread the subnets over, one private and one public subnet each."
  type        = list(string)

  validation {
    condition     = length(var.zones) >= 1 && length(var.zones) == length(distinct(var.zones))
    error_message = "zones must list at least one zone, each once."
  }
}

variable "private_subnets" {
  description = "IPv4 range of the private (workload) subnet in each zone, in the order of `zones`."
  type        = list(string)

  validation {
    condition     = length(var.private_subnets) == length(var.zones) && alltrue([for cidr in var.private_subnets : can(cidrhost(cidr, 0))])
    error_message = "private_subnets must hold one CIDR block per zone."
  }
}

variable "public_subnets" {
  description = "IPv4 range of the public (load balancer and NAT) subnet in each zone, in the order of `zones`."
  type        = list(string)

  validation {
    condition     = length(var.public_subnets) == length(var.zones) && alltrue([for cidr in var.public_subnets : can(cidrhost(cidr, 0))])
    error_message = "public_subnets must hold one CIDR block per zone."
  }
}

variable "nat_per_zone" {
  description = "One NAT gateway per zone (survives a zone outage) instead of a single shared one (cheaper)."
  type        = bool
  default     = false
}

variable "flow_log_retention_days" {
  description = "Days to keep VPC flow logs in CloudWatch Logs."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_retention_days)
    error_message = "flow_log_retention_days must be a retention period CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653)."
  }
}

variable "tags" {
  description = "Tags added to every resource, on top of the provider's default tags."
  type        = map(string)
  default     = {}
}
