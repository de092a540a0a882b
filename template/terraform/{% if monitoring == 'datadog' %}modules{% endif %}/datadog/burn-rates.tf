# Multiwindow, multi-burn-rate alerts (Google SRE workbook, chapter 5) on both SLOs. A pair fires
# when the error budget burns `factor` times too fast over both its long and its short window, and
# only while the service handles more than min_request_rate requests per second over the long
# window. The components notify nobody: the composite monitor of each SLO and speed pages or
# tickets, and links its runbook.
locals {
  burn_rate_alerts = {
    fast = {
      severity = "P1"
      name     = "FastBurn"
      windows = [
        { factor = 14.4, long = "1h", short = "5m" },
        { factor = 6, long = "6h", short = "30m" },
      ]
      outlook = "at this rate the 30-day error budget is gone in less than five days"
    }
    slow = {
      severity = "P4"
      name     = "SlowBurn"
      windows = [
        { factor = 3, long = "24h", short = "120m" },
        { factor = 1, long = "72h", short = "360m" },
      ]
      outlook = "the 30-day error budget runs out before the window ends if nothing changes"
    }
  }

  burn_rate_windows = merge(flatten([
    for slo, objective in local.slos : [
      for speed, alert in local.burn_rate_alerts : {
        for window in alert.windows : "${slo}-${speed}-${window.long}" => merge(window, {
          slo   = slo
          speed = speed
          # Datadog's burn-rate alerts look back at most 48 hours: a longer pair is two metric
          # monitors of the same burn rate instead.
          native = tonumber(trimsuffix(window.long, "h")) <= 48
          # A burn rate above 100 / (100 - target) would need more than every request to fail;
          # Datadog refuses such a threshold, and Prometheus would never fire it either.
          possible = window.factor * (100 - objective.target) < 100
        })
      }
    ]
  ])...)

  native_burn_windows = { for key, window in local.burn_rate_windows : key => window if window.native && window.possible }
  metric_burn_windows = { for key, window in local.burn_rate_windows : key => window if !window.native && window.possible }

  # Each pair's condition in a composite query: one burn-rate monitor, or both metric monitors.
  burn_conditions = merge(
    { for key, monitor in datadog_monitor.burn_rate : key => monitor.id },
    { for key, window in local.metric_burn_windows : key => "${datadog_monitor.burn_rate_metric["${key}-long"].id} && ${datadog_monitor.burn_rate_metric["${key}-short"].id}" },
  )
}

resource "datadog_monitor" "burn_rate" {
  for_each = local.native_burn_windows

  name     = "SLO ${each.value.slo} burn rate above ${each.value.factor} over ${each.value.long} and ${each.value.short}: ${var.service} ${var.environment}"
  type     = "slo alert"
  query    = "burn_rate(\"${datadog_service_level_objective.this[each.value.slo].id}\").over(\"30d\").long_window(\"${each.value.long}\").short_window(\"${each.value.short}\") > ${each.value.factor}"
  message  = "Component of the SLO${title(each.value.slo)}${local.burn_rate_alerts[each.value.speed].name} composite monitor, which notifies; this one notifies nobody."
  priority = local.routing[local.burn_rate_alerts[each.value.speed].severity].priority

  monitor_thresholds {
    critical = each.value.factor
  }

  tags = concat(local.tags, ["slo:${each.value.slo}", "alert-component:true"])
}

# The same burn rate as a metric monitor, for the windows Datadog's burn-rate alerts cannot look back over.
resource "datadog_monitor" "burn_rate_metric" {
  for_each = merge([
    for key, window in local.metric_burn_windows : {
      "${key}-long"  = merge(window, { over = window.long })
      "${key}-short" = merge(window, { over = window.short })
    }
  ]...)

  name     = "SLO ${each.value.slo} burn rate above ${each.value.factor} over ${each.value.over}: ${var.service} ${var.environment}"
  type     = "query alert"
  query    = "sum(last_${each.value.over}):100 * (1 - ${local.slos[each.value.slo].good} / ${local.slos[each.value.slo].total}) / (100 - ${local.slos[each.value.slo].target}) > ${each.value.factor}"
  message  = "Component of the SLO${title(each.value.slo)}${local.burn_rate_alerts[each.value.speed].name} composite monitor, which notifies; this one notifies nobody."
  priority = local.routing[local.burn_rate_alerts[each.value.speed].severity].priority

  require_full_window = false

  monitor_thresholds {
    critical = each.value.factor
  }

  tags = concat(local.tags, ["slo:${each.value.slo}", "alert-component:true"])
}

# Traffic over each long window: the burn-rate alerts stay silent on an idle service.
resource "datadog_monitor" "traffic" {
  for_each = toset([for window in values(local.burn_rate_windows) : window.long])

  name     = "Traffic above ${var.min_request_rate} req/s over ${each.key}: ${var.service} ${var.environment}"
  type     = "query alert"
  query    = "avg(last_${each.key}):sum:${local.requests}{${local.sli_scope}}.as_rate() > ${var.min_request_rate}"
  message  = "Component of the SLO burn-rate composite monitors (the traffic guard); notifies nobody."
  priority = 5

  # A new environment has less than three days of data: the guard must still answer.
  require_full_window = false

  monitor_thresholds {
    critical = var.min_request_rate
  }

  tags = concat(local.tags, ["alert-component:true"])
}

resource "datadog_monitor" "burn_rate_alert" {
  for_each = {
    for pair in setproduct(keys(local.slos), keys(local.burn_rate_alerts)) : "${pair[0]}-${pair[1]}" => {
      slo   = pair[0]
      speed = pair[1]
      alert = local.burn_rate_alerts[pair[1]]
    }
  }

  name = "[${each.value.alert.severity}] SLO${title(each.value.slo)}${each.value.alert.name}: ${var.service} ${var.environment}"
  type = "composite"
  query = join(" || ", [
    for key, window in local.burn_rate_windows : "(${local.burn_conditions[key]} && ${datadog_monitor.traffic[window.long].id})"
    if window.slo == each.value.slo && window.speed == each.value.speed && window.possible
  ])
  priority = local.routing[each.value.alert.severity].priority
  message  = <<-EOT
    {{#is_alert}}${var.service_title} (${var.environment}) is burning its ${each.value.slo} error budget ${each.value.speed == "fast" ? "fast" : "slowly"}: requests ${local.slos[each.value.slo].bad} at ${join(", or ", [for window in each.value.alert.windows : "${window.factor}x the sustainable rate over ${window.long} and ${window.short}"])}, with more than ${var.min_request_rate} requests per second. Objective: ${local.slos[each.value.slo].objective}; ${each.value.alert.outlook}.{{/is_alert}}
    {{#is_recovery}}${var.service_title} (${var.environment}) no longer burns its ${each.value.slo} error budget ${each.value.speed == "fast" ? "fast" : "slowly"}.{{/is_recovery}}

    Runbook: ${var.runbook_url}/slo-${each.value.slo}-${each.value.speed}-burn.md
    SLO: ${var.service_title} ${each.value.slo} (${var.environment})

    ${join(" ", local.routing[each.value.alert.severity].handles)}
  EOT

  tags = concat(local.tags, ["slo:${each.value.slo}", "severity:${lower(each.value.alert.severity)}"])
}
