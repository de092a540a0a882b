# The service's two objectives as CloudWatch alarms on its load balancer's metrics
# (AWS/ApplicationELB): one metric-math alarm per objective and window, and composite alarms that
# AND each window pair of the multi-window, multi-burn-rate policy (Google SRE workbook, chapter 5).

locals {
  # speed => pairs of (burn factor, long window, short window); fast pages (P1), slow opens a ticket (P4)
  burn_pairs = {
    fast = [
      { factor = 14.4, long = "1h", short = "5m" },
      { factor = 6, long = "6h", short = "30m" },
    ]
    slow = [
      { factor = 3, long = "1d", short = "2h" },
      { factor = 1, long = "3d", short = "6h" },
    ]
  }
  window_seconds = { "5m" = 300, "30m" = 1800, "1h" = 3600, "2h" = 7200, "6h" = 21600, "1d" = 86400, "3d" = 259200 }

  routing = {
    fast = { severity = "P1", level = "page", alert = "FastBurn", runbook = "fast-burn", how = "fast" }
    slow = { severity = "P4", level = "ticket", alert = "SlowBurn", runbook = "slow-burn", how = "slowly" }
  }

  # Error budgets as ratios: 99.9% available => 0.001 of the requests may fail; 99% within the
  # latency objective => 0.01 may be slower.
  slos = {
    availability = {
      title  = "Availability"
      budget = (100 - var.slo_availability) / 100
      bad    = "failed with a 5xx status"
      # Requests: RequestCount counts only those for which the load balancer could choose a target,
      # so the 503s it answers itself when no target is registered (every task stopped) are added;
      # without them a total outage would count no request, fail the guard and burn no budget.
      total = "FILL(requests, 0) + FILL(elb503, 0)"
      # bad requests / requests; both 5xx counts, the targets' and the load balancer's own (502 and
      # 504 from a failing target, 503 with none)
      ratio   = "(FILL(elb5xx, 0) + FILL(target5xx, 0)) / IF(total > 0, total, 1)"
      metrics = { requests = "RequestCount", elb503 = "HTTPCode_ELB_503_Count", elb5xx = "HTTPCode_ELB_5XX_Count", target5xx = "HTTPCode_Target_5XX_Count" }
    }
    latency = {
      title  = "Latency"
      budget = 0.01
      bad    = "took longer than ${var.slo_latency_ms} ms"
      total  = "FILL(requests, 0)"
      # PR(:x) is the percentage of the targets' responses that took at most x seconds
      ratio   = "(100 - FILL(fast, 100)) / 100"
      metrics = { requests = "RequestCount", fast = "TargetResponseTime" }
    }
  }
  latency_statistic = "PR(:${var.slo_latency_ms / 1000})"

  # One alarm per objective, speed, pair and window (2 x 8); the traffic guard sits in the long window's.
  windows = merge([
    for slo_key, slo in local.slos : merge([
      for speed, pairs in local.burn_pairs : merge([
        for index, pair in pairs : {
          for role in ["long", "short"] : "${slo_key}-${speed}-${pair.factor}x-${pair[role]}" => {
            slo       = slo_key
            speed     = speed
            pair      = index
            role      = role
            window    = pair[role]
            factor    = pair.factor
            period    = local.window_seconds[pair[role]]
            threshold = pair.factor * slo.budget
            # requests the window must exceed: the guard's rate over the long window, any request over the short one
            min_requests = role == "long" ? var.min_request_rate * local.window_seconds[pair[role]] : 0
          }
        }
      ]...)
    ]...)
  ]...)

  alarm_name = { for key, window in local.windows : key => "${var.name}-SLO${local.slos[window.slo].title}${title(window.speed)}Burn-${window.factor}x-${window.window}" }
  runbook    = { for key in ["availability", "latency"] : key => { for speed, route in local.routing : speed => "${var.runbook_url}/slo-${key}-${route.runbook}.md" } }
}

resource "aws_cloudwatch_metric_alarm" "burn" {
  for_each = local.windows

  alarm_name          = local.alarm_name[each.key]
  alarm_description   = "Part of ${var.name}-SLO${local.slos[each.value.slo].title}${title(each.value.speed)}Burn (no action of its own): over the last ${each.value.window} more than ${format("%.4g", each.value.threshold * 100)}% (${each.value.factor}x the error budget) of the requests to ${var.service_title} ${local.slos[each.value.slo].bad}${each.value.min_requests > 0 ? ", with more than ${format("%.6g", each.value.min_requests)} requests" : ""}. Runbook: ${local.runbook[each.value.slo][each.value.speed]}"
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.threshold
  evaluation_periods  = 1
  datapoints_to_alarm = 1
  # The load balancer publishes nothing while no request comes: no traffic burns no budget.
  treat_missing_data = "notBreaching"

  metric_query {
    id          = "bad_ratio"
    label       = "Share of requests that ${local.slos[each.value.slo].bad} over ${each.value.window}"
    expression  = "IF(total > ${each.value.min_requests}, ${local.slos[each.value.slo].ratio}, 0)"
    return_data = true
  }

  metric_query {
    id          = "total"
    label       = "Requests over ${each.value.window}"
    expression  = local.slos[each.value.slo].total
    return_data = false
  }

  dynamic "metric_query" {
    for_each = local.slos[each.value.slo].metrics

    content {
      id = metric_query.key

      metric {
        namespace   = "AWS/ApplicationELB"
        metric_name = metric_query.value
        period      = each.value.period
        stat        = metric_query.key == "fast" ? local.latency_statistic : "Sum"
        dimensions  = { LoadBalancer = var.load_balancer_arn_suffix }
      }
    }
  }

  tags = var.tags
}

# A pair fires when both its windows burn faster than its factor; an alert fires on either pair.
resource "aws_cloudwatch_composite_alarm" "fast_burn" {
  for_each = local.slos

  alarm_name        = "${var.name}-SLO${each.value.title}FastBurn"
  alarm_description = "P1: ${var.service_title} is burning its ${each.key} error budget fast (14.4x over 1h and 5m, or 6x over 6h and 30m). Runbook: ${local.runbook[each.key].fast}"
  alarm_rule = join(" OR ", [
    for index, pair in local.burn_pairs.fast :
    "(ALARM(\"${local.alarm_name["${each.key}-fast-${pair.factor}x-${pair.long}"]}\") AND ALARM(\"${local.alarm_name["${each.key}-fast-${pair.factor}x-${pair.short}"]}\"))"
  ])
  alarm_actions = [var.topic_arns[local.routing.fast.level]]
  ok_actions    = [var.topic_arns[local.routing.fast.level]]

  tags = merge(var.tags, { Severity = local.routing.fast.severity, Slo = each.key })

  depends_on = [aws_cloudwatch_metric_alarm.burn]
}

# A ticket stays quiet while the same objective pages, and for 2 hours after (actions_suppressor).
resource "aws_cloudwatch_composite_alarm" "slow_burn" {
  for_each = local.slos

  alarm_name        = "${var.name}-SLO${each.value.title}SlowBurn"
  alarm_description = "P4: ${var.service_title} is slowly burning its ${each.key} error budget (3x over 1d and 2h, or 1x over 3d and 6h). Runbook: ${local.runbook[each.key].slow}"
  alarm_rule = join(" OR ", [
    for index, pair in local.burn_pairs.slow :
    "(ALARM(\"${local.alarm_name["${each.key}-slow-${pair.factor}x-${pair.long}"]}\") AND ALARM(\"${local.alarm_name["${each.key}-slow-${pair.factor}x-${pair.short}"]}\"))"
  ])
  alarm_actions = [var.topic_arns[local.routing.slow.level]]

  actions_suppressor {
    alarm            = aws_cloudwatch_composite_alarm.fast_burn[each.key].alarm_name
    wait_period      = 120
    extension_period = 7200
  }

  tags = merge(var.tags, { Severity = local.routing.slow.severity, Slo = each.key })

  depends_on = [aws_cloudwatch_metric_alarm.burn]
}
