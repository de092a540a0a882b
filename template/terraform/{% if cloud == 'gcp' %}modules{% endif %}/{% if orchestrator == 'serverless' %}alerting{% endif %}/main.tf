locals {
  rules = yamldecode(var.alert_rules)

  # Cloud Monitoring evaluates each alert's PromQL on its own and knows no recording rules: every
  # recorded series an alert reads is replaced by its expression (in parentheses).
  records = merge([
    for group in local.rules.groups : { for rule in group.rules : rule.record => trimspace(rule.expr) if try(rule.record, null) != null }
  ]...)
  alerts = merge([
    for group in local.rules.groups : {
      for rule in group.rules : rule.alert => merge(rule, { group = group.name }) if try(rule.alert, null) != null
    }
  ]...)
  # A recorded name (level:metric:operations) is cut out of the expression by a marker, then
  # looked up.
  marker = "\u001f"
  inlined = {
    for name, rule in local.alerts : name => join("", [
      for part in split(local.marker, replace(rule.expr, "/([a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_:]*[a-zA-Z0-9_])/", "${local.marker}$1${local.marker}")) :
      contains(keys(local.records), part) ? "(${local.records[part]})" : part
    ])
  }
  # Every environment writes to the same project: each selector gets the environment's own label
  # (the sidecar's `namespace`, the Cloud Run service's name), or its policies would see every
  # environment's samples. Each selector of the rule file names its labels in braces (job="...").
  scope   = "namespace=\"${var.namespace}\""
  queries = { for name, query in local.inlined : name => replace(query, "{", "{${local.scope},") }

  # severity label -> routing level (page P0-P1, notify P2-P3, ticket P4) and Cloud Monitoring's severity
  levels     = { P0 = "page", P1 = "page", P2 = "notify", P3 = "notify", P4 = "ticket" }
  severities = { page = "CRITICAL", notify = "WARNING", ticket = "WARNING" }
  units      = { s = 1, m = 60, h = 3600 }

  channels = {
    page   = length(var.page_channels) > 0 ? var.page_channels : [google_monitoring_notification_channel.ticket.id]
    notify = length(var.notify_channels) > 0 ? var.notify_channels : [google_monitoring_notification_channel.ticket.id]
    ticket = [google_monitoring_notification_channel.ticket.id]
  }
}

# Tickets (P4) by e-mail. Paging (PagerDuty) and chat (Slack) channels hold secrets: their owner
# creates them once and lists them in page_channels and notify_channels; until then pages and
# notifications are e-mailed here too.
resource "google_monitoring_notification_channel" "ticket" {
  display_name = "${var.name} tickets"
  type         = "email"
  labels       = { email_address = var.ticket_email }
  user_labels  = var.labels
}

# One alert policy per alerting rule of monitoring/prometheus/alerts.yml, evaluated by Cloud
# Monitoring over the samples the collector writes to Managed Service for Prometheus.
resource "google_monitoring_alert_policy" "rule" {
  for_each = local.alerts

  display_name = "${var.name}: ${each.key}"
  combiner     = "OR"
  severity     = local.severities[local.levels[each.value.labels.severity]]
  enabled      = true
  user_labels = merge(var.labels, {
    alertname = lower(each.key)
    severity  = lower(each.value.labels.severity)
    level     = local.levels[each.value.labels.severity]
  })

  notification_channels = local.channels[local.levels[each.value.labels.severity]]

  conditions {
    display_name = each.value.annotations.summary
    condition_prometheus_query_language {
      query               = local.queries[each.key]
      duration            = "${tonumber(regex("^([0-9]+)[smh]$", try(each.value.for, "0s"))[0]) * local.units[regex("([smh])$", try(each.value.for, "0s"))[0]]}s"
      evaluation_interval = "60s"
      alert_rule          = each.key
      rule_group          = each.value.group
      labels              = { for key, value in each.value.labels : key => value if key != "severity" }
      # The app's metrics exist only after its first deploy; the policy may come first.
      disable_metric_validation = true
    }
  }

  documentation {
    subject   = "[${var.name}] ${replace(each.value.annotations.summary, "/\\{\\{[^}]*\\}\\}/", "…")}"
    content   = "${replace(each.value.annotations.description, "/\\{\\{[^}]*\\}\\}/", "…")}\n\nRunbook: ${each.value.annotations.runbook_url}"
    mime_type = "text/markdown"
  }

  alert_strategy {
    auto_close = "1800s"
  }

  lifecycle {
    precondition {
      condition     = contains(keys(local.levels), try(each.value.labels.severity, ""))
      error_message = "Alert ${each.key} has no severity P0-P4."
    }
    precondition {
      condition     = strcontains(local.inlined[each.key], "{")
      error_message = "Alert ${each.key} selects no series by label ({...}): it cannot be scoped to the environment's namespace."
    }
  }
}
