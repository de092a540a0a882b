data "azurerm_client_config" "current" {}

locals {
  # Built-in roles the backup needs, as documented for Azure Backup for AKS.
  vault_roles_on_snapshot_group = ["Reader", "Disk Snapshot Contributor", "Data Operator for Managed Disks"]
}

# ---------------------------------------------------------------- backup vault and policy

resource "azurerm_data_protection_backup_vault" "this" {
  name                       = "bvault-${var.name}"
  resource_group_name        = var.resource_group_name
  location                   = var.location
  datastore_type             = "VaultStore"
  redundancy                 = var.vault_redundancy
  soft_delete                = "On"
  retention_duration_in_days = 14
  # Recovery points cannot be deleted before they expire; "Locked" would make that irreversible.
  immutability = "Unlocked"

  identity {
    type = "SystemAssigned"
  }

  tags = var.tags
}

# Daily at backup_time (UTC); each backup is kept retention_days as disk snapshots and blobs in
# this environment (the operational tier).
resource "azurerm_data_protection_backup_policy_kubernetes_cluster" "this" {
  name                            = "daily-${var.retention_days}d"
  resource_group_name             = var.resource_group_name
  vault_name                      = azurerm_data_protection_backup_vault.this.name
  backup_repeating_time_intervals = ["R/2025-01-01T${var.backup_time}:00+00:00/P1D"]
  time_zone                       = "Coordinated Universal Time"

  default_retention_rule {
    life_cycle {
      duration        = "P${var.retention_days}D"
      data_store_type = "OperationalStore"
    }
  }
}

# ---------------------------------------------------------------- staging storage

# The backup extension writes each backup's Kubernetes resources here. Shared keys are off: the
# extension and the vault use Microsoft Entra ID; only the nodes' subnet and the vault get
# through the firewall.
resource "azurerm_storage_account" "this" {
  #checkov:skip=CKV2_AZURE_1:Encrypted twice with Microsoft-managed keys (service and infrastructure encryption); reads need an Entra ID identity with a data role, so a customer-managed key would add a key and identity without narrowing who can read.
  #checkov:skip=CKV2_AZURE_33:Only the nodes' subnet (service endpoint) and the backup vault (resource instance rule) pass the firewall; a private endpoint would add a private DNS zone for the same path.
  #checkov:skip=CKV_AZURE_33:The account holds blobs only and no queue is ever created; blob access is logged by the diagnostic setting below.
  #checkov:skip=CKV_AZURE_59:The firewall denies by default: only the nodes' subnet (service endpoint) and the backup vault (resource instance rule) get through.
  name                              = var.storage_account_name
  resource_group_name               = var.resource_group_name
  location                          = var.location
  account_kind                      = "StorageV2"
  account_tier                      = "Standard"
  account_replication_type          = var.storage_replication_type
  shared_access_key_enabled         = false
  default_to_oauth_authentication   = true
  local_user_enabled                = false
  sftp_enabled                      = false
  min_tls_version                   = "TLS1_2"
  https_traffic_only_enabled        = true
  allow_nested_items_to_be_public   = false
  cross_tenant_replication_enabled  = false
  infrastructure_encryption_enabled = true
  public_network_access_enabled     = true

  network_rules {
    default_action             = "Deny"
    bypass                     = ["AzureServices"]
    virtual_network_subnet_ids = var.allowed_subnet_ids

    private_link_access {
      endpoint_resource_id = azurerm_data_protection_backup_vault.this.id
    }
  }

  blob_properties {
    versioning_enabled = true

    delete_retention_policy {
      days = var.soft_delete_days
    }

    container_delete_retention_policy {
      days = var.soft_delete_days
    }
  }

  tags = var.tags
}

resource "azurerm_storage_container" "this" {
  #checkov:skip=CKV2_AZURE_21:Blob reads, writes and deletes are logged by the blob service's diagnostic setting below; checkov looks for the older storage insights, which needs the disabled account keys.
  name                  = "aks-backups"
  storage_account_id    = azurerm_storage_account.this.id
  container_access_type = "private"
}

resource "azurerm_monitor_diagnostic_setting" "storage" {
  name                       = "audit"
  target_resource_id         = "${azurerm_storage_account.this.id}/blobServices/default"
  log_analytics_workspace_id = var.log_analytics_workspace_id

  enabled_log {
    category_group = "audit"
  }
}

# ---------------------------------------------------------------- cluster side

# The backup extension (Velero with Azure's plugins) in the cluster's dataprotection-microsoft
# namespace, writing to the container with its own managed identity.
resource "azurerm_kubernetes_cluster_extension" "backup" {
  name              = "azure-aks-backup"
  cluster_id        = var.cluster_id
  extension_type    = "microsoft.dataprotection.kubernetes"
  release_train     = "stable"
  release_namespace = "dataprotection-microsoft"

  configuration_settings = {
    "configuration.backupStorageLocation.bucket"                   = azurerm_storage_container.this.name
    "configuration.backupStorageLocation.config.resourceGroup"     = var.resource_group_name
    "configuration.backupStorageLocation.config.storageAccount"    = azurerm_storage_account.this.name
    "configuration.backupStorageLocation.config.subscriptionId"    = data.azurerm_client_config.current.subscription_id
    "configuration.backupStorageLocation.config.storageAccountURI" = azurerm_storage_account.this.primary_blob_endpoint
    "configuration.backupStorageLocation.config.useAAD"            = "true"
    "credentials.tenantId"                                         = data.azurerm_client_config.current.tenant_id
  }
}

resource "azurerm_role_assignment" "extension_storage" {
  scope                = azurerm_storage_account.this.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_kubernetes_cluster_extension.backup.aks_assigned_identity[0].principal_id
  principal_type       = "ServicePrincipal"
}

# The vault operates the extension through AKS trusted access, without cluster credentials.
resource "azurerm_kubernetes_cluster_trusted_access_role_binding" "backup" {
  name                  = "backup-vault"
  kubernetes_cluster_id = var.cluster_id
  source_resource_id    = azurerm_data_protection_backup_vault.this.id
  roles                 = ["Microsoft.DataProtection/backupVaults/backup-operator"]
}

resource "azurerm_role_assignment" "vault_cluster" {
  scope                = var.cluster_id
  role_definition_name = "Reader"
  principal_id         = azurerm_data_protection_backup_vault.this.identity[0].principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "vault_snapshots" {
  for_each = toset(local.vault_roles_on_snapshot_group)

  scope                = var.snapshot_resource_group_id
  role_definition_name = each.value
  principal_id         = azurerm_data_protection_backup_vault.this.identity[0].principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "vault_storage" {
  scope                = azurerm_storage_account.this.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_data_protection_backup_vault.this.identity[0].principal_id
  principal_type       = "ServicePrincipal"
}

# ---------------------------------------------------------------- what is backed up

resource "azurerm_data_protection_backup_instance_kubernetes_cluster" "this" {
  name                         = "${var.name}-namespaces"
  location                     = var.location
  vault_id                     = azurerm_data_protection_backup_vault.this.id
  kubernetes_cluster_id        = var.cluster_id
  snapshot_resource_group_name = var.snapshot_resource_group_name
  backup_policy_id             = azurerm_data_protection_backup_policy_kubernetes_cluster.this.id

  backup_datasource_parameters {
    included_namespaces              = var.namespaces
    volume_snapshot_enabled          = true
    cluster_scoped_resources_enabled = false
  }

  depends_on = [
    azurerm_kubernetes_cluster_extension.backup,
    azurerm_kubernetes_cluster_trusted_access_role_binding.backup,
    azurerm_role_assignment.extension_storage,
    azurerm_role_assignment.vault_cluster,
    azurerm_role_assignment.vault_snapshots,
    azurerm_role_assignment.vault_storage,
  ]
}
