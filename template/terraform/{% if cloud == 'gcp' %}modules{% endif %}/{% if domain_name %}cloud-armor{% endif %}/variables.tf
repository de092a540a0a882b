variable "name" {
  description = "Name of the security policy, e.g. `my-service-prod-waf`; a GKE chart's GCPBackendPolicy names it."
  type        = string

  validation {
    condition     = can(regex("^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$", var.name))
    error_message = "name must be 1-63 lowercase letters, digits or '-', starting with a letter and not ending with '-'."
  }
}

variable "description" {
  description = "What the security policy protects, e.g. `Web application firewall of api.example.com`."
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
