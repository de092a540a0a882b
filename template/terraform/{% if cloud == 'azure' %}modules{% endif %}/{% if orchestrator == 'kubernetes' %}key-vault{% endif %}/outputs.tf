output "id" {
  description = "Resource ID of the key vault."
  value       = try(azurerm_key_vault.this.id, null)
}

output "name" {
  description = "Name of the key vault."
  value       = try(azurerm_key_vault.this.name, null)
}

output "vault_uri" {
  description = "URI of the vault's data plane, `https://<name>.vault.azure.net/`."
  value       = try(azurerm_key_vault.this.vault_uri, null)
}

output "key_id" {
  description = "ID of the key's current version (what AKS's KMS and other version-bound users need)."
  value       = try(azurerm_key_vault_key.this.id, null)
}

output "key_versionless_id" {
  description = "ID of the key without a version, for users that follow rotations themselves."
  value       = try(azurerm_key_vault_key.this.versionless_id, null)
}
