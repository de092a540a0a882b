output "vault_id" {
  description = "Resource ID of the backup vault."
  value       = try(azurerm_data_protection_backup_vault.this.id, null)
}

output "vault_name" {
  description = "Name of the backup vault (Backup center lists its recovery points)."
  value       = try(azurerm_data_protection_backup_vault.this.name, null)
}

output "policy_id" {
  description = "Resource ID of the daily backup policy."
  value       = try(azurerm_data_protection_backup_policy_kubernetes_cluster.this.id, null)
}

output "backup_instance_id" {
  description = "Resource ID of the cluster's backup instance."
  value       = try(azurerm_data_protection_backup_instance_kubernetes_cluster.this.id, null)
}

output "storage_account_name" {
  description = "Name of the staging storage account."
  value       = try(azurerm_storage_account.this.name, null)
}
