output "environment_id" {
  description = "Resource ID of the Container Apps environment."
  value       = try(azurerm_container_app_environment.this.id, null)
}

output "default_domain" {
  description = "Domain of the environment's apps, resolved inside the VNet by its private DNS zone."
  value       = try(azurerm_container_app_environment.this.default_domain, null)
}

output "static_ip_address" {
  description = "Internal address of the environment's load balancer."
  value       = try(azurerm_container_app_environment.this.static_ip_address, null)
}

output "app_id" {
  description = "Resource ID of the container app."
  value       = try(azurerm_container_app.this.id, null)
}

output "app_fqdn" {
  description = "Host name of the service (the revisions that take traffic), reachable from the VNet."
  value       = try(azurerm_container_app.this.ingress[0].fqdn, null)
}

output "revision_name" {
  description = "Name of the newest revision: the one Terraform made for var.image, which takes no traffic until deploy/release.py deploys it."
  value       = try(azurerm_container_app.this.latest_revision_name, null)
}
