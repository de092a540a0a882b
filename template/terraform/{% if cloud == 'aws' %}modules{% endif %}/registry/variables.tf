variable "name" {
  description = "Name of the ECR repository, e.g. `my-service`."
  type        = string

  validation {
    condition     = length(var.name) >= 2 && length(var.name) <= 256 && can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", var.name))
    error_message = "name must be 2-256 lowercase letters, digits, and '.', '_', '-' or '/' separators."
  }
}

variable "pull_principal_arns" {
  description = "IAM principal ARNs (roles or `arn:aws:iam::<account>:root`) allowed to pull images. Empty: no repository policy, only same-account IAM policies grant access."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.pull_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(root|role/.+)$", arn))])
    error_message = "pull_principal_arns must hold IAM role ARNs or account root ARNs; wildcards are not allowed."
  }
}

variable "untagged_expiry_days" {
  description = "Untagged images (for example layers left by a failed push) are deleted this many days after they were pushed."
  type        = number
  default     = 14

  validation {
    condition     = var.untagged_expiry_days >= 1 && var.untagged_expiry_days <= 3650 && floor(var.untagged_expiry_days) == var.untagged_expiry_days
    error_message = "untagged_expiry_days must be a whole number from 1 to 3650."
  }
}

variable "keep_image_count" {
  description = "Number of most recent images kept; older ones are deleted. Keep it well above the number of builds between two production releases so a rollback target is never expired."
  type        = number
  default     = 200

  validation {
    condition     = var.keep_image_count >= 1 && var.keep_image_count <= 10000 && floor(var.keep_image_count) == var.keep_image_count
    error_message = "keep_image_count must be a whole number from 1 to 10000."
  }
}

variable "kms_deletion_window_days" {
  description = "Waiting period before the repository's KMS key is deleted after it is scheduled for deletion."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30 && floor(var.kms_deletion_window_days) == var.kms_deletion_window_days
    error_message = "kms_deletion_window_days must be a whole number from 7 to 30."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
