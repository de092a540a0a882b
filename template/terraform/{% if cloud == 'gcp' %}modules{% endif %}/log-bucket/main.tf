data "google_project" "this" {}

resource "google_logging_project_bucket_config" "this" {
  project        = data.google_project.this.project_id
  location       = var.location
  bucket_id      = var.name
  retention_days = var.retention_days
  description    = var.description
}

# A sink to a log bucket of the same project needs no grant for its writer identity.
resource "google_logging_project_sink" "this" {
  name                   = var.name
  description            = "Routes to the ${var.name} log bucket: ${var.description}"
  destination            = "logging.googleapis.com/${google_logging_project_bucket_config.this.id}"
  filter                 = var.filter
  unique_writer_identity = true
}

# The entries are kept once, for retention_days, in the bucket above: the project's _Default
# bucket (30 days) does not store them again.
resource "google_logging_project_exclusion" "this" {
  name        = var.name
  description = "Kept in the ${var.name} log bucket instead"
  filter      = var.filter
}
