variable "name" {
  description = "Name of the key ring and of its one key, e.g. `my-service-prod-gke-secrets`."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,63}$", var.name))
    error_message = "name must be 1-63 letters, digits, '_' or '-'."
  }
}

variable "location" {
  description = "Cloud KMS location of the key ring; the same region as the resources it encrypts, e.g. `us-central1`."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+(-[a-z0-9]+)*$", var.location))
    error_message = "location must be a Cloud KMS location such as us-central1 or global."
  }
}

variable "encrypter_decrypter_members" {
  description = "IAM members (e.g. `serviceAccount:service-<number>@container-engine-robot.iam.gserviceaccount.com`) that may encrypt and decrypt with the key. The binding is authoritative: nobody else gets the role on this key."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for member in var.encrypter_decrypter_members : can(regex("^(serviceAccount|group|user|principal|principalSet):.+$", member))])
    error_message = "encrypter_decrypter_members must be IAM members such as serviceAccount:<email>; allUsers and allAuthenticatedUsers are not allowed."
  }
}

variable "rotation_period" {
  description = "How often a new primary key version is created, in seconds with an `s` suffix. At most 90 days."
  type        = string
  default     = "7776000s"

  validation {
    condition     = can(regex("^[0-9]+s$", var.rotation_period)) && try(tonumber(trimsuffix(var.rotation_period, "s")) >= 86400 && tonumber(trimsuffix(var.rotation_period, "s")) <= 7776000, false)
    error_message = "rotation_period must be from 86400s (1 day) to 7776000s (90 days)."
  }
}

variable "destroy_scheduled_duration" {
  description = "Waiting period before a key version scheduled for destruction is destroyed; it can be restored until then."
  type        = string
  default     = "2592000s"

  validation {
    condition     = can(regex("^[0-9]+s$", var.destroy_scheduled_duration)) && try(tonumber(trimsuffix(var.destroy_scheduled_duration, "s")) >= 86400 && tonumber(trimsuffix(var.destroy_scheduled_duration, "s")) <= 10368000, false)
    error_message = "destroy_scheduled_duration must be from 86400s (1 day) to 10368000s (120 days)."
  }
}

variable "labels" {
  description = "Labels added to the key, on top of the provider's default labels."
  type        = map(string)
  default     = {}
}
