output "cluster_name" {
  description = "Name of the AKS cluster."
  value       = try(azurerm_kubernetes_cluster.this.name, null)
}

output "cluster_id" {
  description = "Resource ID of the AKS cluster."
  value       = try(azurerm_kubernetes_cluster.this.id, null)
}

output "private_fqdn" {
  description = "Private DNS name of the Kubernetes API, resolvable and reachable from inside the VNet."
  value       = try(azurerm_kubernetes_cluster.this.private_fqdn, null)
}

output "oidc_issuer_url" {
  description = "OIDC issuer of the cluster's service account tokens (workload identity)."
  value       = try(azurerm_kubernetes_cluster.this.oidc_issuer_url, null)
}

output "node_resource_group" {
  description = "Resource group AKS manages for the nodes, load balancers and disks."
  value       = try(azurerm_kubernetes_cluster.this.node_resource_group, null)
}

output "node_pool_name" {
  description = "Name of the service's node pool."
  value       = try(azurerm_kubernetes_cluster_node_pool.service.name, null)
}

output "workload_client_id" {
  description = "Client ID of the service's workload identity: annotate its Kubernetes service account with `azure.workload.identity/client-id`."
  value       = try(azurerm_user_assigned_identity.workload.client_id, null)
}

output "workload_principal_id" {
  description = "Object (principal) ID of the service's workload identity; grant it the roles the service needs."
  value       = try(azurerm_user_assigned_identity.workload.principal_id, null)
}
