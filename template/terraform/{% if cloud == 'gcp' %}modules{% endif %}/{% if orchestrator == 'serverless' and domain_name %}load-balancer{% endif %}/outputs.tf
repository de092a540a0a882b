output "url" {
  description = "HTTPS URL of the service."
  value       = "https://${var.hostname}"
}

output "ip_address" {
  description = "Public IPv4 address of the load balancer (the host name's A record)."
  value       = try(google_compute_global_address.this.address, null)
}

output "certificate_name" {
  description = "Google-managed certificate of the host name; `gcloud compute ssl-certificates describe` shows its provisioning state."
  value       = try(google_compute_managed_ssl_certificate.this.name, null)
}

output "security_policy_name" {
  description = "Cloud Armor policy of the service's backends."
  value       = module.cloud_armor.name
}

output "log_bucket" {
  description = "Log bucket that keeps the load balancer's request logs and Cloud Armor's decisions."
  value       = module.logs.id
}
