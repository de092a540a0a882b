variable "alias" {
  description = "Alias of the key without the `alias/` prefix, e.g. `my-service-prod-backup`."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9/_-]{1,250}$", var.alias)) && !startswith(var.alias, "aws/")
    error_message = "alias must be 1-250 letters, digits, '/', '_' or '-', and must not start with 'aws/'."
  }
}

variable "description" {
  description = "What the key encrypts, shown in the KMS console."
  type        = string
}

variable "policy_documents" {
  description = "IAM policy documents (JSON) with the key's service-specific statements, merged with the statement that hands the key's administration to the account's IAM policies."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for doc in var.policy_documents : can(jsondecode(doc).Statement)])
    error_message = "policy_documents must hold IAM policy documents in JSON, e.g. from data.aws_iam_policy_document's json."
  }
}

variable "deletion_window_in_days" {
  description = "Waiting period before the key is deleted after it is scheduled for deletion."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30 && floor(var.deletion_window_in_days) == var.deletion_window_in_days
    error_message = "deletion_window_in_days must be a whole number from 7 to 30."
  }
}

variable "tags" {
  description = "Tags added to the key, on top of the provider's default tags."
  type        = map(string)
  default     = {}
}
