output "service_name" {
  description = "Name of the Cloud Run service."
  value       = try(google_cloud_run_v2_service.this.name, null)
}

output "service_uri" {
  description = "URL of the service (callers need roles/run.invoker)."
  value       = try(google_cloud_run_v2_service.this.uri, null)
}

output "revision_name" {
  description = "Revision of var.image and the settings that this apply registered; it takes traffic only when deploy/release.py moves it there."
  value       = local.revision_name
}

output "log_bucket" {
  description = "Log bucket that keeps the service's logs."
  value       = module.logs.id
}

output "platform_alert_policies" {
  description = "Cloud Monitoring alert policies on Cloud Run's own metrics and events."
  value       = concat([for policy in google_monitoring_alert_policy.platform : policy.name], [google_monitoring_alert_policy.revision_failed.name])
}
