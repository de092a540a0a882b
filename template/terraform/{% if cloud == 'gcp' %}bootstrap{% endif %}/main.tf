data "google_project" "this" {
  project_id = var.project_id
}

# The pipelines name the workload identity provider by the project's number.
check "project_number" {
  assert {
    condition     = data.google_project.this.number == var.project_number
    error_message = "Project ${var.project_id} has number ${data.google_project.this.number}, not ${var.project_number}: correct project_number here and gcp_project_number in .copier-answers.yml, then run copier update."
  }
}

# ---------------------------------------------------------------- APIs

locals {
  services = toset([
    "artifactregistry.googleapis.com",
    "billingbudgets.googleapis.com",
    "cloudbilling.googleapis.com",
    "cloudkms.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "compute.googleapis.com",
    "container.googleapis.com",
    "containerscanning.googleapis.com",
    "gkebackup.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "serviceusage.googleapis.com",
    "storage.googleapis.com",
    "sts.googleapis.com",
  ])
}

# Destroying the bootstrap leaves the APIs on: the environments may still use them.
resource "google_project_service" "this" {
  for_each = local.services

  service                    = each.value
  disable_on_destroy         = false
  disable_dependent_services = false
}

# Service agents that encrypt with this project's keys. Google creates them lazily, some only at
# a service's first use, and a key's IAM binding fails while its member does not exist; the
# deploy service accounts cannot create them, so every one is created here, before any key.
locals {
  service_agents = toset(["artifactregistry", "container", "gkebackup"])
}

resource "google_project_service_identity" "agent" {
  provider = google-beta
  for_each = local.service_agents

  project = var.project_id
  service = google_project_service.this["${each.key}.googleapis.com"].service
}

# ---------------------------------------------------------------- state bucket

# Cloud Storage's service agent encrypts and decrypts with the key; readers and writers of the
# state need no key permission of their own.
data "google_storage_project_service_account" "this" {
  depends_on = [google_project_service.this]
}

module "state_key" {
  source = "../modules/kms-key"

  name                        = var.state_bucket_name
  location                    = var.region
  encrypter_decrypter_members = [data.google_storage_project_service_account.this.member]
  labels                      = var.labels

  depends_on = [google_project_service.this]
}

resource "google_storage_bucket" "state" {
  #checkov:skip=CKV_GCP_62:Reads and writes of the state are recorded by Cloud Audit Logs (data access logging for storage.googleapis.com below), which supersede Cloud Storage usage logs.
  name                        = var.state_bucket_name
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  versioning {
    enabled = true
  }

  encryption {
    default_kms_key_name = module.state_key.key_id
  }

  # Deleted objects and versions, including those the lifecycle rule removes, stay restorable.
  soft_delete_policy {
    retention_duration_seconds = var.soft_delete_days * 86400
  }

  lifecycle_rule {
    action {
      type = "Delete"
    }
    condition {
      with_state                 = "ARCHIVED"
      days_since_noncurrent_time = var.noncurrent_version_days
    }
  }

  lifecycle_rule {
    action {
      type = "AbortIncompleteMultipartUpload"
    }
    condition {
      age = 7
    }
  }

  labels = var.labels

  depends_on = [module.state_key]
}

# ---------------------------------------------------------------- container registry

module "registry" {
  source = "../modules/registry"

  name                 = var.registry_repository
  location             = var.region
  service_agent_member = google_project_service_identity.agent["artifactregistry"].member
  writer_members       = [google_service_account.ci[var.publish_service_account_id].member]
  # The nodes pull the images; deploy jobs may read them (e.g. resolve a tag to its digest).
  reader_members = concat(
    [for sa in google_service_account.node : sa.member],
    [for env in values(var.environments) : google_service_account.ci[env.deploy_service_account_id].member],
  )
  labels = var.labels

  depends_on = [google_project_service.this]
}

# ---------------------------------------------------------------- audit logs

# Data access logs, off by default, for what holds or guards secrets: the state (storage), the
# keys, Secret Manager, and the token exchanges of the CI identities (sts, iamcredentials). Not
# for allServices: that would log every read of every API (nodes, monitoring) at a large cost.
locals {
  data_access_audit = {
    "cloudkms.googleapis.com"       = ["ADMIN_READ", "DATA_READ", "DATA_WRITE"]
    "iamcredentials.googleapis.com" = ["DATA_READ"]
    "secretmanager.googleapis.com"  = ["ADMIN_READ", "DATA_READ", "DATA_WRITE"]
    "storage.googleapis.com"        = ["ADMIN_READ", "DATA_READ", "DATA_WRITE"]
    "sts.googleapis.com"            = ["DATA_READ"]
  }
}

resource "google_project_iam_audit_config" "data_access" {
  for_each = local.data_access_audit

  project = var.project_id
  service = each.key

  dynamic "audit_log_config" {
    for_each = each.value
    content {
      log_type = audit_log_config.value
    }
  }
}
