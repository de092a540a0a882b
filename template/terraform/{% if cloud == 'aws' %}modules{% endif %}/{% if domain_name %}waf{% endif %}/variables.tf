variable "name" {
  description = "Name of the web ACL, its metrics and its log group (`aws-waf-logs-<name>`), e.g. `my-service-prod`."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9-]{1,115}$", var.name))
    error_message = "name must be 1-115 letters, digits or '-'."
  }
}

variable "resource_arn" {
  description = "ARN of the Application Load Balancer the web ACL protects."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:loadbalancer/app/", var.resource_arn))
    error_message = "resource_arn must be the ARN of an Application Load Balancer."
  }
}

variable "rate_limit_per_minute" {
  description = "Requests one client IP may send per minute before the web ACL blocks it (until its rate falls again)."
  type        = number
  default     = 600

  validation {
    condition     = var.rate_limit_per_minute >= 10 && var.rate_limit_per_minute <= 2000000000 && floor(var.rate_limit_per_minute) == var.rate_limit_per_minute
    error_message = "rate_limit_per_minute must be a whole number from 10 to 2,000,000,000."
  }
}

variable "log_retention_days" {
  description = "Days the web ACL's decisions are kept in CloudWatch Logs."
  type        = number
}

variable "tags" {
  description = "Tags added to every resource, on top of the provider's default tags."
  type        = map(string)
  default     = {}
}
