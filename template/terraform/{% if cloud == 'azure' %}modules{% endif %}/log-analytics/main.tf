# Queries and ingestion use Microsoft Entra ID only: the workspace's shared keys are refused.
resource "azurerm_log_analytics_workspace" "this" {
  name                         = var.name
  resource_group_name          = var.resource_group_name
  location                     = var.location
  sku                          = "PerGB2018"
  retention_in_days            = var.retention_days
  daily_quota_gb               = var.daily_quota_gb
  local_authentication_enabled = false
  # Readers of a resource's logs need rights on that resource, not on the whole workspace.
  allow_resource_only_permissions = true

  tags = var.tags
}
