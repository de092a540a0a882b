# A dedicated key keeps image layers readable only through this project's IAM and lets the key be
# audited and rotated independently of other data. Artifact Registry's service agent uses it.
module "key" {
  source = "../kms-key"

  name                        = "${var.name}-registry"
  location                    = var.location
  encrypter_decrypter_members = [var.service_agent_member]
  labels                      = var.labels
}

resource "google_artifact_registry_repository" "this" {
  repository_id = var.name
  location      = var.location
  format        = "DOCKER"
  mode          = "STANDARD_REPOSITORY"
  description   = "Images of ${var.name}, promoted between environments by digest"
  kms_key_name  = module.key.key_id

  docker_config {
    immutable_tags = true
  }

  # Scanned on push when the Container Scanning API is enabled in the project (bootstrap does).
  vulnerability_scanning_config {
    enablement_config = "INHERITED"
  }

  # A version is deleted when a DELETE policy matches and no KEEP policy does: untagged versions
  # after untagged_expiry_days, tagged ones after expiry_days unless among the newest keep_image_count.
  cleanup_policy_dry_run = false

  cleanup_policies {
    id     = "keep-newest"
    action = "KEEP"
    most_recent_versions {
      keep_count = var.keep_image_count
    }
  }

  cleanup_policies {
    id     = "delete-untagged"
    action = "DELETE"
    condition {
      tag_state  = "UNTAGGED"
      older_than = "${var.untagged_expiry_days * 86400}s"
    }
  }

  cleanup_policies {
    id     = "delete-old"
    action = "DELETE"
    condition {
      tag_state  = "ANY"
      older_than = "${var.expiry_days * 86400}s"
    }
  }

  labels = var.labels

  # The service agent must be able to use the key before the repository is created.
  depends_on = [module.key]
}

# Both bindings are authoritative for their role: nobody else may push or pull through them.
resource "google_artifact_registry_repository_iam_binding" "writer" {
  count = length(var.writer_members) > 0 ? 1 : 0

  location   = google_artifact_registry_repository.this.location
  repository = google_artifact_registry_repository.this.name
  role       = "roles/artifactregistry.writer"
  members    = var.writer_members
}

resource "google_artifact_registry_repository_iam_binding" "reader" {
  count = length(var.reader_members) > 0 ? 1 : 0

  location   = google_artifact_registry_repository.this.location
  repository = google_artifact_registry_repository.this.name
  role       = "roles/artifactregistry.reader"
  members    = var.reader_members
}
