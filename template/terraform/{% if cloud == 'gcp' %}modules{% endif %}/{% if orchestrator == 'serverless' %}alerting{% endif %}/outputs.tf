output "notification_channels" {
  description = "Notification channels of each routing level: page (P0-P1), notify (P2-P3) and ticket (P4)."
  value       = local.channels
}

output "alert_policies" {
  description = "Alert policy of each alerting rule, by the rule's name."
  value       = { for name, policy in google_monitoring_alert_policy.rule : name => policy.name }
}
