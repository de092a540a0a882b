variable "name" {
  description = "Name prefix of the environment, its alerts and lock, e.g. `my-service-prod`."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,55}[a-z0-9]$", var.name))
    error_message = "name must be 3-57 lowercase letters, digits or '-', starting and ending with a letter or digit."
  }
}

variable "service_name" {
  description = "Name of the container app: the service's name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}[a-z0-9]$", var.service_name)) && !strcontains(var.service_name, "--")
    error_message = "service_name must be 2-32 lowercase letters, digits or '-' (never two in a row), starting with a letter."
  }
}

variable "environment_name" {
  description = "Name of the Container Apps environment, e.g. `my-service-prod`."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,58}[a-z0-9]$", var.environment_name))
    error_message = "environment_name must be 2-60 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "resource_group_name" {
  description = "Resource group everything is created in."
  type        = string
}

variable "location" {
  description = "Azure region, e.g. `eastus`."
  type        = string
}

variable "subnet_id" {
  description = "Subnet of the environment's nodes, delegated to Microsoft.App/environments (/27 or larger)."
  type        = string
}

variable "vnet_id" {
  description = "VNet the environment's private DNS zone is linked to."
  type        = string
}

variable "infrastructure_resource_group_name" {
  description = "Resource group Container Apps creates for the environment's infrastructure (it must not exist yet)."
  type        = string
}

variable "zone_redundant" {
  description = "Spread the environment's nodes over the region's availability zones."
  type        = bool
  default     = false
}

variable "log_analytics_workspace_id" {
  description = "Log Analytics workspace of the containers' console and system logs."
  type        = string
}

variable "image" {
  description = "Image of the app, pinned by digest: `<registry>/<repository>@sha256:<64 hex>`."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9.-]+(:[0-9]+)?/[a-z0-9._/-]+@sha256:[0-9a-f]{64}$", var.image))
    error_message = "image must be pinned by digest: <registry>/<repository>@sha256:<64 hex digits>."
  }
}

variable "registry_server" {
  description = "Login server of the registry the image is pulled from, e.g. `myregistry.azurecr.io`."
  type        = string
}

variable "identity_id" {
  description = "Resource ID of the user-assigned identity the app runs as: it pulls the image (AcrPull) and writes metrics (Monitoring Metrics Publisher)."
  type        = string
}

variable "identity_client_id" {
  description = "Client ID of that identity, for the collector's sign-in."
  type        = string
}

variable "port" {
  description = "Port the app listens on (/healthz, /readyz, /metrics)."
  type        = number
  default     = 8080
}

variable "cpu" {
  description = "vCPU of the app container, in steps of 0.25."
  type        = number

  validation {
    condition     = var.cpu >= 0.25 && var.cpu <= 3.75 && floor(var.cpu * 4) == var.cpu * 4
    error_message = "cpu must be a multiple of 0.25 from 0.25 to 3.75."
  }
}

variable "memory_mib" {
  description = "Memory the app needs, in MiB; the app container gets at least this (2 GiB per vCPU, so more vCPU if needed)."
  type        = number

  validation {
    condition     = var.memory_mib >= 256 && var.memory_mib <= 7680
    error_message = "memory_mib must be from 256 to 7680."
  }
}

variable "min_replicas" {
  description = "Fewest replicas of the revisions that take traffic."
  type        = number

  validation {
    condition     = var.min_replicas >= 1 && floor(var.min_replicas) == var.min_replicas
    error_message = "min_replicas must be a whole number of at least 1: the service never scales to zero."
  }
}

variable "max_replicas" {
  description = "Most replicas of a revision."
  type        = number

  validation {
    condition     = var.max_replicas >= 1 && var.max_replicas <= 1000 && floor(var.max_replicas) == var.max_replicas
    error_message = "max_replicas must be a whole number from 1 to 1000."
  }
}

variable "concurrent_requests" {
  description = "Concurrent requests per replica above which Container Apps adds replicas."
  type        = number
  default     = 50
}

variable "environment_variables" {
  description = "Environment variables of the app container."
  type        = map(string)
  default     = {}
}

variable "scrape_job_name" {
  description = "Prometheus job name of the app's metrics (the job label of every series)."
  type        = string
}

variable "remote_write_url" {
  description = "Prometheus remote-write URL of the Azure Monitor workspace's data collection rule."
  type        = string
}

variable "collector_image" {
  description = "Image of the OpenTelemetry collector beside the app (the contrib distribution: it has the azureauth extension)."
  type        = string
  default     = "otel/opentelemetry-collector-contrib:0.139.0"
}

variable "max_inactive_revisions" {
  description = "Inactive revisions Container Apps keeps: the revisions a rollback can return to."
  type        = number
  default     = 10

  validation {
    condition     = var.max_inactive_revisions >= 2 && var.max_inactive_revisions <= 100
    error_message = "max_inactive_revisions must be from 2 to 100."
  }
}

variable "action_group_ids" {
  description = "Resource ID of the action group of each routing level: page, notify, ticket."
  type = object({
    page   = string
    notify = string
    ticket = string
  })
}

variable "runbook_url" {
  description = "Where the runbooks live, without a trailing '/': each alert links <runbook_url>/<alert-in-kebab-case>.md."
  type        = string
}

variable "edge_5xx_threshold" {
  description = "5xx answers of the ingress in 5 minutes above which Edge5xxErrors goes off."
  type        = number
  default     = 25
}

variable "deletion_protection" {
  description = "Lock the Container Apps environment against deletion until this is turned off."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags of every resource that takes tags."
  type        = map(string)
  default     = {}
}

variable "secrets" {
  description = "Secrets of the service by name: the versionless Key Vault secret ID (`https://<vault>.vault.azure.net/secrets/<name>`) and, optionally, the environment variable that carries it. Each is also a file in secrets_path. The identity must have Key Vault Secrets User on the vault."
  type = map(object({
    key_vault_secret_id  = string
    environment_variable = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for name, secret in var.secrets : can(regex("^[a-z0-9][a-z0-9.-]{0,251}[a-z0-9]$", name)) && can(regex("^https://[^/]+/secrets/[a-zA-Z0-9-]+$", secret.key_vault_secret_id))])
    error_message = "Each secret needs a lowercase name (letters, digits, '-', '.') and a versionless Key Vault secret ID, https://<vault>.vault.azure.net/secrets/<name>: a version pins it and stops rotation."
  }
}

variable "secrets_path" {
  description = "Directory where each secret is a read-only file named after it."
  type        = string
  default     = "/mnt/secrets"
}
