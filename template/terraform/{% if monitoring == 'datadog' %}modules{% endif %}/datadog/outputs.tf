output "slo_ids" {
  description = "IDs of the SLOs, by objective (availability, latency)."
  value       = try({ for name, slo in datadog_service_level_objective.this : name => slo.id }, null)
}

output "alert_monitor_ids" {
  description = "IDs of the monitors that notify, by alert name (SLOAvailabilityFastBurn, ServiceDown, ...)."
  value = try(merge(
    { for key, monitor in datadog_monitor.burn_rate_alert : "SLO${title(split("-", key)[0])}${local.burn_rate_alerts[split("-", key)[1]].name}" => monitor.id },
    { for name, monitor in datadog_monitor.symptom : name => monitor.id },
  ), null)
}

output "dashboard_url" {
  description = "Path of the service dashboard in Datadog (after https://app.<site>)."
  value       = try(datadog_dashboard_json.service.url, null)
}
