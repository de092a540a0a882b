output "metric_type" {
  description = "Metric type of the log-based metric, `logging.googleapis.com/user/<name>`."
  value       = "logging.googleapis.com/user/${google_logging_metric.this.name}"
}

output "alert_policy" {
  description = "Name of the alert policy."
  value       = try(google_monitoring_alert_policy.this.name, null)
}
