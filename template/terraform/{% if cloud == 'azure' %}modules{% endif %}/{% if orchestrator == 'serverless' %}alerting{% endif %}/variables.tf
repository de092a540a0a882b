variable "name" {
  description = "Name prefix of the workspace, data collection endpoint and rule, e.g. `my-service-prod`."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$", var.name))
    error_message = "name must be 3-40 lowercase letters, digits or '-', starting and ending with a letter or digit."
  }
}

variable "resource_group_name" {
  description = "Resource group everything is created in."
  type        = string
}

variable "location" {
  description = "Azure region of the workspace and its rules, e.g. `eastus`."
  type        = string
}

variable "alert_rules" {
  description = "Content of a Prometheus rule file (groups of recording and alerting rules); every alert carries a severity label P0 to P4."
  type        = string

  validation {
    condition     = can(yamldecode(var.alert_rules).groups)
    error_message = "alert_rules must be a Prometheus rule file with a top-level `groups` list."
  }
}

variable "rule_source" {
  description = "What the rules belong to, for the rule groups' descriptions (the service's name)."
  type        = string
}

variable "action_group_names" {
  description = "Names of the action groups per routing level: page (P0, P1), notify (P2, P3) and ticket (P4)."
  type = object({
    page   = string
    notify = string
    ticket = string
  })
}

variable "ticket_email" {
  description = "E-mail address the ticket action group writes to."
  type        = string

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.ticket_email))
    error_message = "ticket_email must be an e-mail address."
  }
}

variable "publisher_principal_ids" {
  description = "Object IDs of the identities that remote-write samples (the service's collector), by a name of your choice."
  type        = map(string)
  default     = {}
}

variable "deletion_protection" {
  description = "Lock the Azure Monitor workspace against deletion until this is turned off."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags of every resource that takes tags."
  type        = map(string)
  default     = {}
}
