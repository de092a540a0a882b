provider "google" {
  project        = var.project_id
  region         = var.region
  default_labels = var.labels

  # The Billing Budgets API must be told which project its calls count against when a person's
  # credentials run Terraform; the other APIs accept it too.
  user_project_override = true
  billing_project       = var.project_id
}

# Only for google_project_service_identity (main.tf), which the google provider lacks.
provider "google-beta" {
  project        = var.project_id
  region         = var.region
  default_labels = var.labels

  user_project_override = true
  billing_project       = var.project_id
}
