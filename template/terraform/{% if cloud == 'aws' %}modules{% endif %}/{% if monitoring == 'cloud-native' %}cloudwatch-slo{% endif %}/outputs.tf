output "alarm_names" {
  description = "The alerts (composite alarms) keyed `<slo>-<speed>`, e.g. `availability-fast`: the ones that notify."
  value = merge(
    { for slo, alarm in aws_cloudwatch_composite_alarm.fast_burn : "${slo}-fast" => alarm.alarm_name },
    { for slo, alarm in aws_cloudwatch_composite_alarm.slow_burn : "${slo}-slow" => alarm.alarm_name },
  )
}

output "window_alarm_names" {
  description = "The per-window metric-math alarms the composites combine (no actions of their own)."
  value       = [for alarm in aws_cloudwatch_metric_alarm.burn : alarm.alarm_name]
}

output "dashboard_name" {
  description = "Name of the service's CloudWatch dashboard."
  value       = try(aws_cloudwatch_dashboard.service.dashboard_name, null)
}
