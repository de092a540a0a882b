output "workspace_id" {
  description = "Resource ID of the Azure Monitor workspace."
  value       = try(azurerm_monitor_workspace.this.id, null)
}

output "query_endpoint" {
  description = "PromQL endpoint of the workspace (Grafana's Prometheus data source, with Microsoft Entra ID auth)."
  value       = try(azurerm_monitor_workspace.this.query_endpoint, null)
}

output "remote_write_url" {
  description = "Prometheus remote-write URL of the workspace's data collection rule; writers sign in with Microsoft Entra ID (scope https://monitor.azure.com/.default)."
  value       = try("${azurerm_monitor_data_collection_endpoint.this.metrics_ingestion_endpoint}/dataCollectionRules/${azurerm_monitor_data_collection_rule.this.immutable_id}/streams/Microsoft-PrometheusMetrics/api/v1/write?api-version=2023-04-24", null)
}

output "data_collection_rule_id" {
  description = "Resource ID of the data collection rule that remote write goes through."
  value       = try(azurerm_monitor_data_collection_rule.this.id, null)
}

output "action_group_ids" {
  description = "Resource ID of each routing level's action group: page, notify, ticket."
  value       = local.action_group_ids
}

output "rule_group_names" {
  description = "Names of the Prometheus rule groups made from the rule file."
  value       = keys(azurerm_monitor_alert_prometheus_rule_group.this)
}
