# Multiwindow, multi-burn-rate alerts (Google SRE workbook, chapter 5) on both objectives. A pair
# fires when the error budget burns `factor` times too fast over both its long and its short window,
# and only while the service handles more than min_request_rate requests per second over the long
# window. With compound_conditions, each window is a NRQL condition of the `signals` policy, which
# nothing routes; a compound condition per objective and speed joins them ("(A AND B) OR (C AND
# D)"), waits as long as the Prometheus rule's `for:`, links its runbook and notifies through its
# severity's policy. Without (compound conditions are a preview of New Relic), each pair alerts on
# its long window alone, in its severity's policy: the same factors and guard, a slower recovery.
locals {
  burn_rate_alerts = {
    fast = {
      severity = "P1"
      name     = "FastBurn"
      for      = 120
      windows = [
        { factor = 14.4, long = "1h", short = "5m" },
        { factor = 6, long = "6h", short = "30m" },
      ]
      outlook = "at this rate the error budget is gone in less than five days"
    }
    slow = {
      severity = "P4"
      name     = "SlowBurn"
      for      = 900
      windows = [
        { factor = 3, long = "24h", short = "120m" },
        { factor = 1, long = "72h", short = "360m" },
      ]
      outlook = "the error budget runs out before the window ends if nothing changes"
    }
  }

  burn_rate_windows = merge(flatten([
    for slo, objective in local.slos : [
      for speed, alert in local.burn_rate_alerts : {
        for index, window in alert.windows : "${slo}-${speed}-${window.long}" => merge(window, {
          slo   = slo
          speed = speed
          index = index
          # A burn rate above 100 / (100 - target) would need more than every request to fail: the
          # pair could never fire (nor does it in Prometheus) and is left out.
          possible = window.factor * (100 - objective.target) < 100
        })
      }
    ]
  ])...)

  # One NRQL condition per window of a possible pair. A NRQL condition aggregates at most 6 hours
  # and looks back at most 24 hours (threshold_duration): a longer window is 6-hour windows that
  # must all burn too fast for 24 hours.
  burn_rate_signals = merge([
    for key, window in local.burn_rate_windows : {
      for part in(var.compound_conditions ? ["long", "short"] : ["long"]) : "${key}-${part}" => merge(window, {
        part    = part
        over    = window[part]
        seconds = tonumber(trimsuffix(trimsuffix(window[part], "m"), "h")) * (endswith(window[part], "h") ? 3600 : 60)
      })
    } if window.possible
  ]...)
}

resource "newrelic_nrql_alert_condition" "burn_rate" {
  for_each = local.burn_rate_signals

  account_id = var.account_id
  policy_id  = var.compound_conditions ? newrelic_alert_policy.signals.id : newrelic_alert_policy.severity[local.burn_rate_alerts[each.value.speed].severity].id
  type       = "static"
  name = (var.compound_conditions
    ? "SLO ${each.value.slo} burn rate above ${each.value.factor} over ${each.value.over}: ${local.name_suffix}"
    : "[${local.burn_rate_alerts[each.value.speed].severity}] SLO${title(each.value.slo)}${local.burn_rate_alerts[each.value.speed].name} (${each.value.factor}x over ${each.value.over}): ${local.name_suffix}"
  )
  description = (var.compound_conditions
    ? "Component of SLO${title(each.value.slo)}${local.burn_rate_alerts[each.value.speed].name} (a compound condition), which notifies; this one notifies nobody."
    : "${var.service_title} (${var.environment}) burns its ${each.value.slo} error budget ${each.value.factor} times too fast over ${each.value.over}, with more than ${var.min_request_rate} requests per second. Objective: ${local.slos[each.value.slo].objective}; ${local.burn_rate_alerts[each.value.speed].outlook}."
  )
  runbook_url = "${var.runbook_url}/slo-${each.value.slo}-${each.value.speed}-burn.md"
  enabled     = true

  # The burn rate: the share of bad requests over the share the objective allows. Over the long
  # window it counts as 0 while traffic is at most min_request_rate (the traffic guard).
  nrql {
    query = join(" ", [
      "SELECT (${local.slos[each.value.slo].bad_percent}) / ${format("%.6g", 100 - local.slos[each.value.slo].target)}",
      each.value.part == "long" ? "* clamp_max(floor(${local.slos[each.value.slo].traffic} / ${var.min_request_rate}), 1)" : "",
      "AS 'burn rate' FROM Metric WHERE ${local.sli_scope}",
    ])
  }

  aggregation_window = min(each.value.seconds, 21600)
  slide_by           = each.value.seconds > 21600 ? null : (each.value.seconds <= 1800 ? 60 : (each.value.seconds <= 7200 ? 300 : 900))
  aggregation_method = "event_flow"
  aggregation_delay  = 120
  fill_option        = "none"

  critical {
    operator              = "above"
    threshold             = each.value.factor
    threshold_duration    = each.value.seconds > 21600 ? 86400 : each.value.seconds
    threshold_occurrences = each.value.seconds > 21600 ? "all" : "at_least_once"
  }

  violation_time_limit_seconds = 259200
}

resource "newrelic_alert_compound_condition" "burn_rate_alert" {
  for_each = local.burn_rate_compounds

  account_id = var.account_id
  policy_id  = newrelic_alert_policy.severity[each.value.alert.severity].id
  name       = "[${each.value.alert.severity}] SLO${title(each.value.slo)}${each.value.alert.name}: ${local.name_suffix}"
  enabled    = true
  # Each pair: its long window (traffic guard included) AND its short window.
  trigger_expression      = join(" OR ", [for index, key in each.value.pairs : "(${local.aliases[2 * index]} AND ${local.aliases[2 * index + 1]})"])
  threshold_duration      = each.value.alert.for
  facet_matching_behavior = "FACETS_IGNORED"
  runbook_url             = "${var.runbook_url}/slo-${each.value.slo}-${each.value.speed}-burn.md"
  # no description: it is a per-account preview of its own; the runbook says what the alert means

  dynamic "component_conditions" {
    for_each = flatten([
      for index, key in each.value.pairs : [
        { alias = local.aliases[2 * index], signal = "${key}-long" },
        { alias = local.aliases[2 * index + 1], signal = "${key}-short" },
      ]
    ])
    content {
      alias = component_conditions.value.alias
      # the condition's own ID: a NRQL condition's `id` is `<policy_id>:<condition_id>`
      id = element(split(":", newrelic_nrql_alert_condition.burn_rate[component_conditions.value.signal].id), 1)
    }
  }
}

locals {
  aliases = ["a", "b", "c", "d"]

  # One compound condition per objective and speed, of the pairs that can fire.
  burn_rate_compounds = var.compound_conditions ? {
    for pair in setproduct(keys(local.slos), keys(local.burn_rate_alerts)) : "${pair[0]}-${pair[1]}" => {
      slo   = pair[0]
      speed = pair[1]
      alert = local.burn_rate_alerts[pair[1]]
      pairs = [for key, window in local.burn_rate_windows : key if window.slo == pair[0] && window.speed == pair[1] && window.possible]
    }
  } : {}
}
