output "id" {
  description = "ID of the security policy, for a backend service's `security_policy`."
  value       = try(google_compute_security_policy.this.id, null)
}

output "name" {
  description = "Name of the security policy."
  value       = try(google_compute_security_policy.this.name, null)
}

output "self_link" {
  description = "URI of the security policy."
  value       = try(google_compute_security_policy.this.self_link, null)
}
