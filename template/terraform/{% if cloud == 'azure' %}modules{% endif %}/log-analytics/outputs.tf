output "id" {
  description = "Resource ID of the workspace, for diagnostic settings and data collection rules."
  value       = try(azurerm_log_analytics_workspace.this.id, null)
}

output "name" {
  description = "Name of the workspace."
  value       = try(azurerm_log_analytics_workspace.this.name, null)
}

output "workspace_id" {
  description = "Workspace (customer) ID, the GUID queries name."
  value       = try(azurerm_log_analytics_workspace.this.workspace_id, null)
}
