data "google_project" "this" {}

# Backup for GKE's service agent uses the key; terraform/bootstrap makes sure it exists before
# the key's binding names it.
module "key" {
  source = "../kms-key"

  name     = "${var.name}-backup"
  location = var.location
  encrypter_decrypter_members = [
    "serviceAccount:service-${data.google_project.this.number}@gcp-sa-gkebackup.iam.gserviceaccount.com",
  ]
  labels = var.labels
}

resource "google_gke_backup_backup_plan" "this" {
  name        = var.name
  description = "Daily backup of ${length(var.namespaces) > 0 ? join(", ", var.namespaces) : "every namespace"}"
  cluster     = var.cluster_id
  location    = var.location
  labels      = var.labels

  backup_schedule {
    cron_schedule = var.schedule
  }

  retention_policy {
    backup_retain_days      = var.retention_days
    backup_delete_lock_days = var.delete_lock_days
  }

  backup_config {
    include_volume_data = true
    include_secrets     = true
    all_namespaces      = length(var.namespaces) == 0 ? true : null

    dynamic "selected_namespaces" {
      for_each = length(var.namespaces) > 0 ? [var.namespaces] : []
      content {
        namespaces = selected_namespaces.value
      }
    }

    encryption_key {
      gcp_kms_encryption_key = module.key.key_id
    }
  }

  # The Backup for GKE service agent must be able to use the key before the first backup.
  depends_on = [module.key]
}
