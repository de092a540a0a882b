provider "azurerm" {
  subscription_id     = var.subscription_id
  tenant_id           = var.tenant_id
  storage_use_azuread = true

  # The environments' deploy identities cannot register resource providers (a subscription-wide
  # right): the bootstrap registers every provider the environments use.
  resource_provider_registrations = "none"
  resource_providers_to_register = [
    "Microsoft.Authorization",
    "Microsoft.Compute",
    "Microsoft.Consumption",
    "Microsoft.ContainerRegistry",
    "Microsoft.ContainerService",
    "Microsoft.DataProtection",
    "Microsoft.Insights",
    "Microsoft.KeyVault",
    "Microsoft.KubernetesConfiguration",
    "Microsoft.ManagedIdentity",
    "Microsoft.Network",
    "Microsoft.OperationalInsights",
    "Microsoft.OperationsManagement",
    "Microsoft.PolicyInsights",
    "Microsoft.Storage",
  ]

  features {
    key_vault {
      # Purge protection keeps a deleted vault and its secrets for their soft-delete days;
      # applying again in that time recovers them, values included.
      purge_soft_delete_on_destroy          = false
      purge_soft_deleted_secrets_on_destroy = false
      recover_soft_deleted_key_vaults       = true
      recover_soft_deleted_secrets          = true
    }

    resource_group {
      # An environment's group still holding resources is never deleted with the bootstrap.
      prevent_deletion_if_contains_resources = true
    }
  }
}
