output "url" {
  description = "HTTPS URL of the service."
  value       = "https://${var.hostname}"
}

output "address_name" {
  description = "Name of the global address the Gateway takes (addresses: NamedAddress)."
  value       = try(google_compute_global_address.this.name, null)
}

output "ip_address" {
  description = "Public IPv4 address of the Gateway (the host name's A record)."
  value       = try(google_compute_global_address.this.address, null)
}

output "certificate_map_name" {
  description = "Certificate map the Gateway names in its networking.gke.io/certmap annotation."
  value       = try(google_certificate_manager_certificate_map.this.name, null)
}

output "certificate_name" {
  description = "Google-managed certificate of the host name; `gcloud certificate-manager certificates describe` shows its state."
  value       = try(google_certificate_manager_certificate.this.name, null)
}

output "ssl_policy_name" {
  description = "SSL policy of the Gateway's HTTPS proxy (GCPGatewayPolicy)."
  value       = try(google_compute_ssl_policy.this.name, null)
}

output "security_policy_name" {
  description = "Cloud Armor policy of the service's backend (GCPBackendPolicy)."
  value       = module.cloud_armor.name
}

output "log_bucket" {
  description = "Log bucket that keeps the load balancer's request logs and Cloud Armor's decisions."
  value       = module.logs.id
}
