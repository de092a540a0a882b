variable "name" {
  description = "Name of the budget, unique in the account, e.g. `my-service-prod`."
  type        = string

  validation {
    condition     = length(var.name) >= 1 && length(var.name) <= 100 && !can(regex("[:\\\\]", var.name))
    error_message = "name must be 1-100 characters without ':' or '\\'."
  }
}

variable "limit_usd" {
  description = "Monthly cost limit in US dollars; e-mails go out at 80% of actual and 100% of forecasted cost."
  type        = number

  validation {
    condition     = var.limit_usd > 0
    error_message = "limit_usd must be greater than 0."
  }
}

variable "notification_emails" {
  description = "E-mail addresses notified when a threshold is crossed (1-10)."
  type        = list(string)

  validation {
    condition     = length(var.notification_emails) >= 1 && length(var.notification_emails) <= 10 && alltrue([for email in var.notification_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", email))])
    error_message = "notification_emails must hold 1-10 e-mail addresses."
  }
}

variable "cost_filter_tag_key" {
  description = "Cost allocation tag that selects the costs counted, e.g. `Environment`. The tag must be activated under Billing > Cost allocation tags. Null: the budget counts every cost of the account."
  type        = string
  default     = null

  validation {
    condition     = var.cost_filter_tag_key == null || can(regex("^[^$]{1,128}$", var.cost_filter_tag_key))
    error_message = "cost_filter_tag_key must be 1-128 characters without '$'."
  }
}

variable "cost_filter_tag_value" {
  description = "Value of `cost_filter_tag_key` whose costs are counted, e.g. `prod`. Set together with `cost_filter_tag_key`."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags added to the budget."
  type        = map(string)
  default     = {}
}
