variable "name" {
  description = "Prefix of the environment's resource names, e.g. `my-service-prod`; the chart's Gateway values name the address, certificate map and policies after it."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}$", var.name))
    error_message = "name must be 2-41 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "region" {
  description = "Region of the log bucket that keeps the request logs, e.g. `us-central1`."
  type        = string
}

variable "hostname" {
  description = "Host name the service answers on, e.g. `api.example.com`: its certificate and its A record."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.hostname))
    error_message = "hostname must be a lowercase DNS name without a trailing dot, e.g. api.example.com."
  }
}

variable "dns_zone_name" {
  description = "Name of the public Cloud DNS zone (of this project) that holds the host name's records."
  type        = string
}

variable "rate_limit_per_minute" {
  description = "Requests a minute one client address may send; Cloud Armor answers 429 above it."
  type        = number
  default     = 600

  validation {
    condition     = var.rate_limit_per_minute >= 1 && floor(var.rate_limit_per_minute) == var.rate_limit_per_minute
    error_message = "rate_limit_per_minute must be a whole number, 1 or more."
  }
}

variable "log_retention_days" {
  description = "Days the load balancer's request logs are kept, in their own log bucket."
  type        = number
}

variable "labels" {
  description = "Labels added to the resources that take labels, on top of the provider's default labels."
  type        = map(string)
  default     = {}
}
