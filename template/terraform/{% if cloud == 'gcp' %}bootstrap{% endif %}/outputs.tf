output "state_bucket" {
  description = "Cloud Storage bucket holding every environment's Terraform state (backend `bucket`)."
  value       = google_storage_bucket.state.name
}

output "state_kms_key_id" {
  description = "Cloud KMS key that encrypts the state bucket's objects."
  value       = module.state_key.key_id
}

output "workload_identity_provider" {
  description = "Full name of the CI platform's workload identity provider, `projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>`."
  value       = google_iam_workload_identity_pool_provider.ci.name
}

output "workload_identity_audience" {
  description = "Audience the CI tokens must carry for the provider to accept them."
  value       = local.ci_audience
}

output "deploy_service_accounts" {
  description = "Deploy service account e-mail per environment, used by that environment's CI deploy job."
  value       = { for env, e in var.environments : env => google_service_account.ci[e.deploy_service_account_id].email }
}

output "plan_service_account" {
  description = "E-mail of the read-only service account for pull or merge request plans."
  value       = google_service_account.ci[var.plan_service_account_id].email
}

output "publish_service_account" {
  description = "E-mail of the service account that pushes images from the main branch."
  value       = google_service_account.ci[var.publish_service_account_id].email
}

output "node_service_accounts" {
  description = "Service account e-mail of each environment's GKE nodes."
  value       = { for env, sa in google_service_account.node : env => sa.email }
}

output "repository_url" {
  description = "Docker path of the Artifact Registry repository, `<region>-docker.pkg.dev/<project>/<repository>`."
  value       = module.registry.repository_url
}

output "budgets" {
  description = "Billing budget name per environment."
  value       = { for env, budget in google_billing_budget.environment : env => budget.name }
}
