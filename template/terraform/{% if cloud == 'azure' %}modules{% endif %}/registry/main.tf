# Pulls and pushes need Microsoft Entra ID: no admin user, no anonymous pulls, no repository-
# scoped tokens. Who may push or pull is decided by role assignments (AcrPush, AcrPull).
resource "azurerm_container_registry" "this" {
  #checkov:skip=CKV_AZURE_139:Hosted CI runners push images over the public endpoint (turning it off needs Premium and runners inside a VNet); every push and pull needs an Entra ID identity with AcrPush or AcrPull.
  #checkov:skip=CKV_AZURE_164:Docker Content Trust is deprecated in Azure Container Registry; images are deployed by digest, which pins their content.
  #checkov:skip=CKV_AZURE_165:The service runs in one region; geo-replication (Premium) would copy every image for no consumer.
  #checkov:skip=CKV_AZURE_166:Quarantine holds every pushed image until a scanner releases it; no scanner is set up to do so.
  #checkov:skip=CKV_AZURE_167:Retention of untagged manifests needs the Premium tier; the pipeline never leaves untagged manifests (it pushes tags only).
  #checkov:skip=CKV_AZURE_233:Zone redundancy needs the Premium tier; images can be rebuilt from any commit and the registry is not on the request path of running pods.
  #checkov:skip=CKV_AZURE_237:Dedicated data endpoints need the Premium tier and matter only behind a firewall, which this registry does not have.
  name                          = var.name
  resource_group_name           = var.resource_group_name
  location                      = var.location
  sku                           = var.sku
  admin_enabled                 = false
  anonymous_pull_enabled        = false
  public_network_access_enabled = true

  tags = var.tags
}

resource "azurerm_role_assignment" "push" {
  for_each = var.push_principal_ids

  scope                = azurerm_container_registry.this.id
  role_definition_name = "AcrPush"
  principal_id         = each.value
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "pull" {
  for_each = var.pull_principal_ids

  scope                = azurerm_container_registry.this.id
  role_definition_name = "AcrPull"
  principal_id         = each.value
  principal_type       = "ServicePrincipal"
}
