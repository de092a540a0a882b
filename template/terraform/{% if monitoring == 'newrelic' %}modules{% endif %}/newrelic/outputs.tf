output "service_level_ids" {
  description = "IDs of the service levels, by objective (availability, latency)."
  value = try({
    availability = newrelic_service_level.availability.sli_guid
    latency      = newrelic_service_level.latency.sli_guid
  }, null)
}

output "alert_condition_ids" {
  description = "IDs of the conditions that notify, by alert name (SLOAvailabilityFastBurn, ServiceDown, ...)."
  value = try(merge(
    { for key, condition in newrelic_alert_compound_condition.burn_rate_alert : "SLO${title(split("-", key)[0])}${local.burn_rate_alerts[split("-", key)[1]].name}" => condition.id },
    { for name, condition in newrelic_nrql_alert_condition.symptom : name => condition.id },
  ), null)
}

output "policy_ids" {
  description = "IDs of the alert policies, by severity (P1-P4)."
  value       = try({ for severity, policy in newrelic_alert_policy.severity : severity => policy.id }, null)
}

output "dashboard_url" {
  description = "Web address of the service dashboard."
  value       = try(newrelic_one_dashboard.service.permalink, null)
}
