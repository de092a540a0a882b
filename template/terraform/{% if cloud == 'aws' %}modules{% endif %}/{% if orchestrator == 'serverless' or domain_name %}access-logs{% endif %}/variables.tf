variable "bucket_name" {
  description = "Name of the S3 bucket created for the load balancer's access logs (globally unique)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name (3-63 lowercase letters, digits, '.' or '-')."
  }
}

variable "prefix" {
  description = "Prefix the load balancer writes its logs under (its `access_logs.prefix`), without slashes at either end."
  type        = string
  default     = "alb"

  validation {
    condition     = can(regex("^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*$", var.prefix)) && !strcontains(var.prefix, "AWSLogs")
    error_message = "prefix must be S3 key characters without a leading or trailing '/' and must not contain 'AWSLogs'."
  }
}

variable "retention_days" {
  description = "Days to keep the access logs; S3 expires older objects (and noncurrent versions after 30 more days)."
  type        = number

  validation {
    condition     = var.retention_days >= 1
    error_message = "retention_days must be at least 1."
  }
}

variable "force_destroy" {
  description = "Let Terraform delete the bucket with the logs in it, e.g. outside production; otherwise destroying a non-empty bucket fails."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}
