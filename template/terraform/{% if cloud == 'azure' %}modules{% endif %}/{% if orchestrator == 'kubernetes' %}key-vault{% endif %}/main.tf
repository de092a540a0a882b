data "azurerm_client_config" "current" {}

# Access is decided by Azure RBAC alone (no access policies). Purge protection keeps a deleted
# vault or key recoverable for soft_delete_retention_days: a key that encrypts data can never
# be destroyed by mistake.
resource "azurerm_key_vault" "this" {
  #checkov:skip=CKV_AZURE_109:AKS's KMS plugin reaches a public-mode vault from the control plane and does not support its firewall; access is Entra ID RBAC only and every request is logged (AuditEvent).
  #checkov:skip=CKV_AZURE_189:AKS's KMS plugin and the pipelines (hosted runners run Terraform) reach the vault over its public endpoint; access is Entra ID RBAC only and every request is logged.
  #checkov:skip=CKV2_AZURE_32:A private endpoint would need the API server VNet integration for KMS and a runner inside the VNet for every Terraform run; access is Entra ID RBAC only and logged.
  name                          = var.name
  resource_group_name           = var.resource_group_name
  location                      = var.location
  tenant_id                     = data.azurerm_client_config.current.tenant_id
  sku_name                      = "premium"
  rbac_authorization_enabled    = true
  purge_protection_enabled      = true
  soft_delete_retention_days    = var.soft_delete_retention_days
  public_network_access_enabled = true

  enabled_for_deployment          = false
  enabled_for_disk_encryption     = false
  enabled_for_template_deployment = false

  #trivy:ignore:AVD-AZU-0013 AKS's KMS plugin does not support the firewall of a public-mode vault; access is Entra ID RBAC only and logged.
  network_acls {
    default_action = "Allow"
    bypass         = "AzureServices"
  }

  tags = var.tags
}

# The vault's audit log (every key operation and who made it) goes to the environment's workspace.
resource "azurerm_monitor_diagnostic_setting" "this" {
  name                       = "audit"
  target_resource_id         = azurerm_key_vault.this.id
  log_analytics_workspace_id = var.log_analytics_workspace_id

  enabled_log {
    category_group = "audit"
  }
}

# An HSM-protected key. A new version is made every rotation_days; earlier versions stay usable,
# so what they encrypted can still be read, and users that name a version (AKS's KMS) move to
# the new one on their next apply.
resource "azurerm_key_vault_key" "this" {
  #checkov:skip=CKV_AZURE_40:A fixed expiry would stop the cluster's secret encryption on that date; the rotation policy makes a new version every rotation_days instead.
  name         = var.key_name
  key_vault_id = azurerm_key_vault.this.id
  key_type     = "RSA-HSM"
  key_size     = var.key_size
  key_opts     = ["decrypt", "encrypt", "unwrapKey", "wrapKey"]

  rotation_policy {
    automatic {
      time_after_creation = "P${var.rotation_days}D"
    }
  }

  tags = var.tags
}
