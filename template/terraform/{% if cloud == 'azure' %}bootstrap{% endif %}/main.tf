data "azurerm_subscription" "this" {
  subscription_id = var.subscription_id
}

# ---------------------------------------------------------------- resource groups

# Each environment's group is made here, not by the environment: its deploy identity then holds
# its rights on that group alone (iam.tf).
resource "azurerm_resource_group" "shared" {
  name     = var.shared_resource_group
  location = var.location

  tags = var.tags
}

resource "azurerm_resource_group" "environment" {
  for_each = var.environments

  name     = each.value.resource_group
  location = var.location

  tags = merge(var.tags, { Environment = each.key })
}

# ---------------------------------------------------------------- audit

module "audit_workspace" {
  source = "../modules/log-analytics"

  name                = var.audit_workspace_name
  resource_group_name = azurerm_resource_group.shared.name
  location            = var.location
  retention_days      = var.audit_log_retention_days
  tags                = var.tags
}

# Every control-plane operation in the subscription (who created, changed or deleted what, role
# assignments included), policy and security events.
resource "azurerm_monitor_diagnostic_setting" "activity_log" {
  name                       = "audit"
  target_resource_id         = data.azurerm_subscription.this.id
  log_analytics_workspace_id = module.audit_workspace.id

  dynamic "enabled_log" {
    for_each = toset(["Administrative", "Security", "Policy", "Alert", "ServiceHealth", "ResourceHealth", "Recommendation", "Autoscale"])
    content {
      category = enabled_log.value
    }
  }
}

# ---------------------------------------------------------------- state

# Microsoft Entra ID only: shared keys (and so account SAS) are off, and every reader or writer
# needs a data role on the container (iam.tf). The public endpoint stays on because hosted CI
# runners have no fixed addresses; without a key, it admits nobody who lacks a role.
resource "azurerm_storage_account" "state" {
  #checkov:skip=CKV_AZURE_35:Hosted CI runners have no fixed addresses to allow; access needs an Entra ID identity with a data role on the container, as shared keys are disabled.
  #checkov:skip=CKV_AZURE_59:Hosted CI runners reach the state over the public endpoint; shared keys are disabled, so only Entra ID identities with a data role on the container get in.
  #checkov:skip=CKV2_AZURE_33:A private endpoint would shut out the hosted CI runners that run Terraform; access is Entra ID only and logged.
  #checkov:skip=CKV2_AZURE_1:Encrypted twice with Microsoft-managed keys (service and infrastructure encryption); reads need an Entra ID data role on the container, so a customer-managed key would add a key vault without narrowing who can read.
  #checkov:skip=CKV_AZURE_33:The account holds blobs only and no queue is ever created; blob access is logged by the diagnostic setting below.
  name                              = var.state_storage_account
  resource_group_name               = azurerm_resource_group.shared.name
  location                          = var.location
  account_kind                      = "StorageV2"
  account_tier                      = "Standard"
  account_replication_type          = var.state_replication_type
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

  #trivy:ignore:AVD-AZU-0012 Hosted CI runners have no fixed addresses; shared keys are disabled, so only Entra ID identities with a data role get in.
  network_rules {
    default_action = "Allow"
    bypass         = ["AzureServices"]
  }

  # Every write keeps the previous state as a version; deleted blobs, versions and containers
  # stay restorable for soft_delete_days.
  blob_properties {
    versioning_enabled  = true
    change_feed_enabled = true

    delete_retention_policy {
      days = var.soft_delete_days
    }

    container_delete_retention_policy {
      days = var.soft_delete_days
    }
  }

  tags = var.tags
}

resource "azurerm_storage_container" "state" {
  #checkov:skip=CKV2_AZURE_21:Blob reads, writes and deletes are logged by the blob service's diagnostic setting below; checkov looks for the older storage insights, which needs the disabled account keys.
  name                  = var.state_container
  storage_account_id    = azurerm_storage_account.state.id
  container_access_type = "private"
}

resource "azurerm_storage_management_policy" "state" {
  storage_account_id = azurerm_storage_account.state.id

  rule {
    name    = "expire-old-state-versions"
    enabled = true

    filters {
      blob_types = ["blockBlob"]
    }

    actions {
      version {
        delete_after_days_since_creation = var.noncurrent_version_days
      }
    }
  }
}

# The account cannot be deleted, by Terraform or anyone else, until this lock is removed.
resource "azurerm_management_lock" "state" {
  name       = "keep-terraform-state"
  scope      = azurerm_storage_account.state.id
  lock_level = "CanNotDelete"
  notes      = "Holds the Terraform state of every environment."
}

# Who read, wrote or deleted which state blob, in the audit workspace.
resource "azurerm_monitor_diagnostic_setting" "state" {
  name                       = "audit"
  target_resource_id         = "${azurerm_storage_account.state.id}/blobServices/default"
  log_analytics_workspace_id = module.audit_workspace.id

  enabled_log {
    category_group = "audit"
  }
}

# ---------------------------------------------------------------- container registry

module "registry" {
  source = "../modules/registry"

  name                = var.registry_name
  resource_group_name = azurerm_resource_group.shared.name
  location            = var.location
  push_principal_ids  = { publish = azurerm_user_assigned_identity.ci["publish"].principal_id }
  # The nodes pull the images; deploy jobs may read them (e.g. resolve a tag to its digest).
  pull_principal_ids = merge(
    { for env in keys(var.environments) : "${env} nodes" => azurerm_user_assigned_identity.kubelet[env].principal_id },
    { for env in keys(var.environments) : "${env} deploy" => azurerm_user_assigned_identity.ci["deploy ${env}"].principal_id },
  )
  tags = var.tags
}
