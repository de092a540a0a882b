variable "name" {
  description = "Name of the registry: 5-50 letters and digits, unique across Azure; images are `<name>.azurecr.io/<repository>`."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9]{5,50}$", var.name))
    error_message = "name must be 5-50 letters and digits."
  }
}

variable "resource_group_name" {
  description = "Resource group of the registry."
  type        = string
}

variable "location" {
  description = "Azure region of the registry, e.g. `eastus`."
  type        = string
}

variable "sku" {
  description = "Service tier: `Standard`, or `Premium` for private endpoints, geo-replication and zone redundancy."
  type        = string
  default     = "Standard"

  validation {
    condition     = contains(["Standard", "Premium"], var.sku)
    error_message = "sku must be Standard or Premium."
  }
}

variable "push_principal_ids" {
  description = "Object IDs of the managed identities that may push (AcrPush), by a key known before apply."
  type        = map(string)
  default     = {}
}

variable "pull_principal_ids" {
  description = "Object IDs of the managed identities that may pull (AcrPull), by a key known before apply."
  type        = map(string)
  default     = {}
}

variable "tags" {
  description = "Tags of the registry."
  type        = map(string)
  default     = {}
}
