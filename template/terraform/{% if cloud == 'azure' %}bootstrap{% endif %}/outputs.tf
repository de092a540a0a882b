output "tenant_id" {
  description = "Microsoft Entra tenant the CI identities' tokens are exchanged in (`ARM_TENANT_ID`)."
  value       = var.tenant_id
}

output "subscription_id" {
  description = "Subscription of every environment (`ARM_SUBSCRIPTION_ID`)."
  value       = var.subscription_id
}

output "shared_resource_group" {
  description = "Resource group of the state, the registry and the identities."
  value       = azurerm_resource_group.shared.name
}

output "resource_groups" {
  description = "Resource group of each environment (the environment's root module reads it)."
  value       = { for env, group in azurerm_resource_group.environment : env => group.name }
}

output "state_storage_account" {
  description = "Storage account holding every environment's Terraform state (backend `storage_account_name`)."
  value       = azurerm_storage_account.state.name
}

output "state_container" {
  description = "Blob container of the state (backend `container_name`)."
  value       = azurerm_storage_container.state.name
}

output "registry_name" {
  description = "Name of the container registry (`az acr login --name`)."
  value       = module.registry.name
}

output "registry_login_server" {
  description = "Host name images are pushed to and pulled from, `<name>.azurecr.io`."
  value       = module.registry.login_server
}

output "plan_client_id" {
  description = "Client ID of the read-only identity for pull or merge request plans."
  value       = azurerm_user_assigned_identity.ci["plan"].client_id
}

output "publish_client_id" {
  description = "Client ID of the identity that pushes images from the main branch."
  value       = azurerm_user_assigned_identity.ci["publish"].client_id
}

output "deploy_client_ids" {
  description = "Client ID of each environment's deploy identity, used by that environment's deploy job."
  value       = { for env in keys(var.environments) : env => azurerm_user_assigned_identity.ci["deploy ${env}"].client_id }
}

output "ci_issuer" {
  description = "Issuer the CI identities' federated credentials trust."
  value       = local.ci_issuer
}

output "ci_audience" {
  description = "Audience the CI tokens must carry."
  value       = local.ci_audience
}

output "cluster_identities" {
  description = "Resource ID of each environment's AKS control-plane identity."
  value       = { for env, identity in azurerm_user_assigned_identity.cluster : env => identity.id }
}

output "kubelet_identities" {
  description = "Resource ID of each environment's node (kubelet) identity."
  value       = { for env, identity in azurerm_user_assigned_identity.kubelet : env => identity.id }
}

output "audit_workspace_id" {
  description = "Log Analytics workspace with the subscription's activity log and the state's access log."
  value       = module.audit_workspace.id
}

output "budgets" {
  description = "Budget name per environment."
  value       = { for env, budget in azurerm_consumption_budget_subscription.environment : env => budget.name }
}
