variable "name" {
  description = "Suffix of the module's resource names, e.g. `my-service-prod`: `alb-<name>`, `waf-<name>`, `id-<name>-alb-controller`."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,50}[a-z0-9]$", var.name))
    error_message = "name must be 2-52 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "resource_group_name" {
  description = "Resource group of the load balancer, its firewall policy and the controller's identity."
  type        = string
}

variable "location" {
  description = "Azure region, the cluster's, e.g. `eastus` (the firewall policy must be in the load balancer's region)."
  type        = string
}

variable "subnet_id" {
  description = "Resource ID of the /24 subnet delegated to Microsoft.ServiceNetworking/trafficControllers (modules/network)."
  type        = string
}

variable "frontend_name" {
  description = "Name of the frontend; the chart's Gateway names it in its addresses."
  type        = string
  default     = "public"

  validation {
    condition     = can(regex("^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$", var.frontend_name))
    error_message = "frontend_name must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit."
  }
}

variable "rate_limit_per_minute" {
  description = "Requests one client IP address may send per minute before the firewall blocks it."
  type        = number
  default     = 600

  validation {
    condition     = var.rate_limit_per_minute >= 10 && floor(var.rate_limit_per_minute) == var.rate_limit_per_minute
    error_message = "rate_limit_per_minute must be a whole number of at least 10."
  }
}

variable "log_analytics_workspace_id" {
  description = "Log Analytics workspace of the access and firewall logs."
  type        = string
}

variable "dns_zone_name" {
  description = "Public DNS zone of the host name, e.g. `example.com`."
  type        = string
}

variable "dns_zone_resource_group_name" {
  description = "Resource group of the DNS zone."
  type        = string
}

variable "record_name" {
  description = "Name of the host's CNAME record relative to the zone, e.g. `dev` or `www`; never the apex (`@`)."
  type        = string
}

variable "oidc_issuer_url" {
  description = "OIDC issuer of the cluster's service account tokens (workload identity)."
  type        = string
}

variable "controller_namespace" {
  description = "Namespace of the ALB controller."
  type        = string
  default     = "azure-alb-system"
}

variable "controller_service_account" {
  description = "Service account of the ALB controller."
  type        = string
  default     = "alb-controller-sa"
}

variable "cluster_resource_group_id" {
  description = "Resource ID of the cluster's resource group, which the controller reads."
  type        = string
}

variable "tags" {
  description = "Tags of every resource of the module."
  type        = map(string)
  default     = {}
}
