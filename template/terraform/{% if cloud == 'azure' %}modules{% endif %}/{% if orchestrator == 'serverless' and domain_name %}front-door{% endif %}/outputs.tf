output "service_url" {
  description = "Public URL of the service."
  value       = "https://${var.hostname}"
}

output "profile_id" {
  description = "Resource ID of the Front Door profile."
  value       = try(azurerm_cdn_frontdoor_profile.this.id, null)
}

output "profile_resource_guid" {
  description = "Front Door ID of the profile (the X-Azure-FDID header of its requests)."
  value       = try(azurerm_cdn_frontdoor_profile.this.resource_guid, null)
}

output "endpoint_host_name" {
  description = "Front Door host name the service's record points to (<name>-<hash>.z01.azurefd.net)."
  value       = try(azurerm_cdn_frontdoor_endpoint.this.host_name, null)
}

output "firewall_policy_id" {
  description = "Resource ID of the firewall policy."
  value       = try(azurerm_cdn_frontdoor_firewall_policy.this.id, null)
}

output "custom_domain_id" {
  description = "Resource ID of the host name's custom domain (its certificate's state: `az afd custom-domain show`)."
  value       = try(azurerm_cdn_frontdoor_custom_domain.this.id, null)
}
