variable "name" {
  description = "Name of the profile, endpoint and firewall policy, e.g. `my-service-prod`."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,44}[a-z0-9]$", var.name))
    error_message = "name must be 3-46 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "resource_group_name" {
  description = "Resource group of the profile and its firewall policy."
  type        = string
}

variable "location" {
  description = "Azure region of the Container Apps environment (where Front Door makes its private endpoint, or in the nearest region that offers Front Door Private Link)."
  type        = string
}

variable "hostname" {
  description = "Public host name of the service, in the zone dns_zone_name, e.g. `prod.example.com`."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.hostname))
    error_message = "hostname must be a lowercase DNS name."
  }
}

variable "dns_zone_name" {
  description = "Public Azure DNS zone the host name's records go in."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.dns_zone_name))
    error_message = "dns_zone_name must be a lowercase DNS name."
  }
}

variable "dns_zone_resource_group_name" {
  description = "Resource group of the DNS zone."
  type        = string
}

variable "environment_id" {
  description = "Resource ID of the Container Apps environment (workload profiles, internal, public network access disabled): the Private Link target."
  type        = string
}

variable "origin_host_name" {
  description = "Host name of the container app inside the environment (its ingress FQDN)."
  type        = string
}

variable "service_name" {
  description = "Name of the container app, the first part of its revision labels' host names."
  type        = string
}

variable "default_domain" {
  description = "Default domain of the Container Apps environment."
  type        = string
}

variable "candidate_label" {
  description = "Revision label of the release under test: requests with candidate_header set to it reach that revision."
  type        = string
  default     = "candidate"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,19}$", var.candidate_label))
    error_message = "candidate_label must be a lowercase Container Apps revision label."
  }
}

variable "candidate_header" {
  description = "Request header that routes a request to the candidate revision."
  type        = string
  default     = "X-Release-Candidate"
}

variable "rate_limit_per_minute" {
  description = "Requests a minute one client address may send before the firewall blocks it for the rest of the minute."
  type        = number
  default     = 600

  validation {
    condition     = var.rate_limit_per_minute >= 10 && floor(var.rate_limit_per_minute) == var.rate_limit_per_minute
    error_message = "rate_limit_per_minute must be a whole number of at least 10."
  }
}

variable "log_analytics_workspace_id" {
  description = "Log Analytics workspace of the access, firewall and health probe logs."
  type        = string
}

variable "tags" {
  description = "Tags of every resource that takes tags."
  type        = map(string)
  default     = {}
}
