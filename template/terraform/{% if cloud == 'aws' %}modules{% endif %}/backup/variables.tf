variable "name" {
  description = "Name of the vault and plan, and prefix of the IAM role (`<name>-backup`), e.g. `my-service-prod`."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{2,50}$", var.name))
    error_message = "name must be 2-50 letters, digits, '-' or '_'."
  }
}

variable "retention_days" {
  description = "Days each daily recovery point is kept before AWS Backup deletes it."
  type        = number

  validation {
    condition     = var.retention_days >= 1 && var.retention_days <= 36500 && floor(var.retention_days) == var.retention_days
    error_message = "retention_days must be a whole number from 1 to 36500."
  }
}

variable "selection_tag_key" {
  description = "Tag key that selects the resources to back up."
  type        = string

  validation {
    condition     = length(var.selection_tag_key) >= 1 && length(var.selection_tag_key) <= 128
    error_message = "selection_tag_key must be 1-128 characters."
  }
}

variable "selection_tag_value" {
  description = "Value of `selection_tag_key` on the resources to back up."
  type        = string

  validation {
    condition     = length(var.selection_tag_value) >= 1 && length(var.selection_tag_value) <= 256
    error_message = "selection_tag_value must be 1-256 characters."
  }
}

variable "schedule" {
  description = "When the daily backup starts, as an AWS cron expression in UTC."
  type        = string
  default     = "cron(0 3 * * ? *)"

  validation {
    condition     = can(regex("^cron\\(.+\\)$", var.schedule))
    error_message = "schedule must be an AWS cron expression such as cron(0 3 * * ? *)."
  }
}

variable "failure_topic_arn" {
  description = "SNS topic notified when a backup job fails, aborts or expires. Its policy must allow `events.amazonaws.com` to publish. Null: no notification."
  type        = string
  default     = null

  validation {
    condition     = var.failure_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:.+$", var.failure_topic_arn))
    error_message = "failure_topic_arn must be an SNS topic ARN."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module and to the recovery points."
  type        = map(string)
  default     = {}
}
