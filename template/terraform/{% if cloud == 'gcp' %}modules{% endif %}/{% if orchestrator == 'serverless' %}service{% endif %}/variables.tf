variable "name" {
  description = "Prefix of the environment's resource names, e.g. `my-service-prod`."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}$", var.name))
    error_message = "name must be 2-41 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "service_name" {
  description = "Name of the Cloud Run service; revisions are named `<service_name>-<hash>`."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,38}[a-z0-9]$", var.service_name))
    error_message = "service_name must be a DNS label of at most 40 characters (revision names add 13)."
  }
}

variable "region" {
  description = "Region of the service, e.g. `us-central1`."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a region such as us-central1."
  }
}

variable "image" {
  description = "The app's image by digest, `<registry>/<repository>@sha256:<digest>`."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]*(:[0-9]+)?/[a-z0-9._/-]+@sha256:[0-9a-f]{64}$", var.image))
    error_message = "image must name the image by digest: <registry>/<repository>@sha256:<64 hex digits>."
  }
}

variable "collector_image" {
  description = "Image of the Managed Service for Prometheus sidecar that scrapes the app."
  type        = string
  default     = "us-docker.pkg.dev/cloud-ops-agents-artifacts/cloud-run-gmp-sidecar/cloud-run-gmp-sidecar:1.2.0"
}

variable "scrape_job_name" {
  description = "Prometheus job label of the app's metrics (the name of the collector's RunMonitoring)."
  type        = string
}

variable "service_account_email" {
  description = "Service account the revisions run as (created by terraform/bootstrap)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9-]+\\.iam\\.gserviceaccount\\.com$", var.service_account_email))
    error_message = "service_account_email must be the e-mail address of a user-managed service account."
  }
}

variable "network_id" {
  description = "VPC network the instances send their outbound traffic into (Direct VPC egress)."
  type        = string
}

variable "subnetwork_id" {
  description = "Subnet the instances take their addresses from."
  type        = string
}

variable "cpu_units" {
  description = "CPU of the app container in units of 1/1024 vCPU: 256, 512, 1024, 2048 or 4096."
  type        = number

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096], var.cpu_units)
    error_message = "cpu_units must be 256, 512, 1024, 2048 or 4096."
  }
}

variable "memory_mib" {
  description = "Memory of the app container in MiB."
  type        = number

  validation {
    condition     = var.memory_mib >= 256 && var.memory_mib <= 16384 && floor(var.memory_mib) == var.memory_mib
    error_message = "memory_mib must be a whole number from 256 to 16384."
  }
}

variable "min_instances" {
  description = "Instances each revision that serves traffic keeps running."
  type        = number

  validation {
    condition     = var.min_instances >= 0 && floor(var.min_instances) == var.min_instances
    error_message = "min_instances must be a whole number, 0 or more."
  }
}

variable "max_instances" {
  description = "Most instances of a revision Cloud Run may start."
  type        = number

  validation {
    condition     = var.max_instances >= 1 && floor(var.max_instances) == var.max_instances
    error_message = "max_instances must be a whole number, 1 or more."
  }
}

variable "max_concurrency" {
  description = "Requests one instance handles at once."
  type        = number
  default     = 80

  validation {
    condition     = var.max_concurrency >= 1 && var.max_concurrency <= 1000
    error_message = "max_concurrency must be from 1 to 1000."
  }
}

variable "environment_variables" {
  description = "Environment variables of the app container."
  type        = map(string)
  default     = {}
}

variable "secrets" {
  description = "Secret Manager secrets of the app, by short name: `secret` is the secret's ID in this project. The app reads `version` (default latest) as the read-only file /mnt/secrets/<name>/value and, when `env_name` is set, as that environment variable; a new `version` (a number, or back to latest) creates a new revision that starts with it. The runtime service account needs roles/secretmanager.secretAccessor on each (terraform/bootstrap grants it)."
  type = map(object({
    secret   = string
    env_name = optional(string)
    version  = optional(string, "latest")
  }))
  default = {}

  validation {
    condition     = alltrue([for name, s in var.secrets : can(regex("^[a-z][a-z0-9-]{0,40}$", name)) && can(regex("^[a-zA-Z0-9_-]{1,255}$", s.secret))])
    error_message = "secrets: names must be lowercase letters, digits or '-' (they name volumes); secret must be a secret ID of this project."
  }

  validation {
    condition     = alltrue([for s in values(var.secrets) : s.env_name == null || can(regex("^[A-Z_][A-Z0-9_]*$", s.env_name))])
    error_message = "secrets: env_name must be an upper-case environment variable name."
  }

  validation {
    condition     = alltrue([for s in values(var.secrets) : can(regex("^(latest|[1-9][0-9]*)$", s.version))])
    error_message = "secrets: version must be latest or a version number."
  }
}

variable "ingress" {
  description = "Where requests may come from: INGRESS_TRAFFIC_ALL (any network, IAM still decides), INGRESS_TRAFFIC_INTERNAL_ONLY or INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER."
  type        = string
  default     = "INGRESS_TRAFFIC_ALL"

  validation {
    condition     = contains(["INGRESS_TRAFFIC_ALL", "INGRESS_TRAFFIC_INTERNAL_ONLY", "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"], var.ingress)
    error_message = "ingress must be INGRESS_TRAFFIC_ALL, INGRESS_TRAFFIC_INTERNAL_ONLY or INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER."
  }
}

variable "invoker_members" {
  description = "IAM principals that may call the service, e.g. `serviceAccount:caller@PROJECT.iam.gserviceaccount.com`; never allUsers."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for member in var.invoker_members : !contains(["allUsers", "allAuthenticatedUsers"], member)])
    error_message = "invoker_members must not make the service public (allUsers, allAuthenticatedUsers)."
  }
}

variable "invoker_iam_disabled" {
  description = "Let every request that reaches the service in, without roles/run.invoker: only with ingress INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER, where a public load balancer is the way in."
  type        = bool
  default     = false

  validation {
    condition     = !var.invoker_iam_disabled || var.ingress == "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"
    error_message = "invoker_iam_disabled needs ingress INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER: the service would be open to the internet."
  }
}

variable "error_percent" {
  description = "Share of requests (percent) ending in 5xx at Cloud Run's edge above which the platform alert pages."
  type        = number

  validation {
    condition     = var.error_percent > 0 && var.error_percent <= 100
    error_message = "error_percent must be greater than 0 and at most 100."
  }
}

variable "notification_channels" {
  description = "Notification channels of each routing level: page, notify and ticket."
  type        = map(list(string))

  validation {
    condition     = alltrue([for level in ["page", "notify", "ticket"] : contains(keys(var.notification_channels), level)])
    error_message = "notification_channels must have the keys page, notify and ticket."
  }
}

variable "runbook_url" {
  description = "URL of the repository's docs/runbooks folder; each alert links its runbook there."
  type        = string
}

variable "log_retention_days" {
  description = "Days the service's logs are kept, in their own log bucket."
  type        = number

  validation {
    condition     = var.log_retention_days >= 1 && var.log_retention_days <= 3650 && floor(var.log_retention_days) == var.log_retention_days
    error_message = "log_retention_days must be a whole number from 1 to 3650."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the service until this is turned off."
  type        = bool
}

variable "labels" {
  description = "Labels added to the resources that take labels, on top of the provider's default labels."
  type        = map(string)
  default     = {}
}
