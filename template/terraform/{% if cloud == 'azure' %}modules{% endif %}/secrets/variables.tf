variable "name" {
  description = "Prefix of the alert's name, e.g. `my-service-prod`."
  type        = string
}

variable "key_vault_name" {
  description = "Name of the environment's key vault, made by terraform/bootstrap."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$", var.key_vault_name)) && !strcontains(var.key_vault_name, "--")
    error_message = "key_vault_name must be 3-24 letters, digits or single '-', starting with a letter and ending with a letter or digit."
  }
}

variable "resource_group_name" {
  description = "Resource group of the vault and of what this module makes."
  type        = string
}

variable "location" {
  description = "Azure region of the private endpoint and the alert, e.g. `eastus`."
  type        = string
}

variable "secret_names" {
  description = "Secrets the workload reads (made by terraform/bootstrap), e.g. [\"signing-key\"]."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for name in var.secret_names : can(regex("^[a-zA-Z0-9-]{1,127}$", name))])
    error_message = "Secret names must be 1-127 letters, digits or '-'."
  }
}

variable "private_endpoint" {
  description = "Reach the vault through a private endpoint in the VNet (production: its public access is closed)."
  type        = bool
  default     = false
}

variable "vnet_id" {
  description = "Resource ID of the VNet the private DNS zone is linked to (with private_endpoint)."
  type        = string
  default     = null
}

variable "endpoints_subnet_id" {
  description = "Subnet of the private endpoint (with private_endpoint)."
  type        = string
  default     = null

  validation {
    condition     = !var.private_endpoint || (var.endpoints_subnet_id != null && var.vnet_id != null)
    error_message = "private_endpoint needs endpoints_subnet_id and vnet_id."
  }
}

variable "granted_reader_principal_ids" {
  description = "Object IDs of identities this module grants Key Vault Secrets User on the vault, by a name of your choice."
  type        = map(string)
  default     = {}
}

variable "reader_principal_ids" {
  description = "Object IDs of every identity expected to read secret values (the workload's), by name: a read by anyone else raises the alert."
  type        = map(string)
}

variable "log_analytics_workspace_id" {
  description = "Log Analytics workspace that receives the vault's audit log (AuditEvent) and that the alert queries."
  type        = string
}

variable "action_group_ids" {
  description = "Action groups the unusual-access alert (P3) goes to."
  type        = list(string)

  validation {
    condition     = length(var.action_group_ids) > 0
    error_message = "action_group_ids must name at least one action group."
  }
}

variable "runbook_url" {
  description = "Runbook the alert links to."
  type        = string
}

variable "tags" {
  description = "Tags of what this module makes."
  type        = map(string)
  default     = {}
}
