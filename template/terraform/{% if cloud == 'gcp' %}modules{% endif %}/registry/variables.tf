variable "name" {
  description = "ID of the Artifact Registry repository, e.g. `my-service`; its key ring is `<name>-registry`."
  type        = string

  validation {
    condition     = can(regex("^[a-z]([a-z0-9-]{0,52}[a-z0-9])?$", var.name))
    error_message = "name must be 1-54 lowercase letters, digits or '-', starting with a letter and not ending with '-'."
  }
}

variable "location" {
  description = "Region of the repository and its key, e.g. `us-central1`."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.location))
    error_message = "location must be a region such as us-central1."
  }
}

variable "service_agent_member" {
  description = "IAM member of the project's Artifact Registry service agent, `serviceAccount:service-<number>@gcp-sa-artifactregistry.iam.gserviceaccount.com`, which encrypts the images with the repository's key. It must exist: Google creates it lazily, `google_project_service_identity` on demand."
  type        = string

  validation {
    condition     = can(regex("^serviceAccount:service-[0-9]+@gcp-sa-artifactregistry\\.iam\\.gserviceaccount\\.com$", var.service_agent_member))
    error_message = "service_agent_member must be serviceAccount:service-<project number>@gcp-sa-artifactregistry.iam.gserviceaccount.com."
  }
}

variable "writer_members" {
  description = "IAM members allowed to push images (roles/artifactregistry.writer). Authoritative for the role on this repository."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for member in var.writer_members : can(regex("^(serviceAccount|group|user|principal|principalSet):.+$", member))])
    error_message = "writer_members must be IAM members such as serviceAccount:<email>; allUsers and allAuthenticatedUsers are not allowed."
  }
}

variable "reader_members" {
  description = "IAM members allowed to pull images (roles/artifactregistry.reader), e.g. the nodes' service accounts. Authoritative for the role on this repository."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for member in var.reader_members : can(regex("^(serviceAccount|group|user|principal|principalSet):.+$", member))])
    error_message = "reader_members must be IAM members such as serviceAccount:<email>; allUsers and allAuthenticatedUsers are not allowed."
  }
}

variable "untagged_expiry_days" {
  description = "Untagged image versions (for example left by a failed push) are deleted this many days after they were pushed."
  type        = number
  default     = 14

  validation {
    condition     = var.untagged_expiry_days >= 1 && var.untagged_expiry_days <= 3650 && floor(var.untagged_expiry_days) == var.untagged_expiry_days
    error_message = "untagged_expiry_days must be a whole number from 1 to 3650."
  }
}

variable "expiry_days" {
  description = "Tagged image versions older than this are deleted unless they are among the newest `keep_image_count`."
  type        = number
  default     = 30

  validation {
    condition     = var.expiry_days >= 1 && var.expiry_days <= 3650 && floor(var.expiry_days) == var.expiry_days
    error_message = "expiry_days must be a whole number from 1 to 3650."
  }
}

variable "keep_image_count" {
  description = "Number of most recent image versions always kept. Keep it well above the number of builds between two production releases so a rollback target is never deleted."
  type        = number
  default     = 200

  validation {
    condition     = var.keep_image_count >= 1 && var.keep_image_count <= 10000 && floor(var.keep_image_count) == var.keep_image_count
    error_message = "keep_image_count must be a whole number from 1 to 10000."
  }
}

variable "labels" {
  description = "Labels added to every resource of the module, on top of the provider's default labels."
  type        = map(string)
  default     = {}
}
