output "key_vault_id" {
  description = "Resource ID of the environment's key vault."
  value       = try(data.azurerm_key_vault.this.id, null)
}

output "key_vault_name" {
  description = "Name of the environment's key vault."
  value       = try(data.azurerm_key_vault.this.name, null)
}

output "vault_uri" {
  description = "URI of the vault's data plane, `https://<name>.vault.azure.net/`."
  value       = try(data.azurerm_key_vault.this.vault_uri, null)
}

output "secret_ids" {
  description = "Versionless ID of each secret of secret_names (`<vault_uri>secrets/<name>`): the workload follows new versions."
  value       = local.secret_ids
}

output "private_endpoint_ip" {
  description = "Private address of the vault in the VNet (private_endpoint only)."
  value       = try(azurerm_private_endpoint.this[0].private_service_connection[0].private_ip_address, null)
}
