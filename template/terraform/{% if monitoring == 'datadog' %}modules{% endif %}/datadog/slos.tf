locals {
  # The two objectives; the burn-rate alerts (burn-rates.tf) and the dashboard read them.
  slos = {
    availability = {
      title     = "Availability"
      target    = var.slo_availability
      objective = "${var.slo_availability}% of requests succeed"
      bad       = "failed with a 5xx status"
      good      = "sum:${local.requests}{${local.sli_scope},!status:5*}.as_count()"
      total     = "sum:${local.requests}{${local.sli_scope}}.as_count()"
    }
    latency = {
      title     = "Latency"
      target    = 99
      objective = "99% of requests within ${var.slo_latency_ms} ms"
      bad       = "took longer than ${var.slo_latency_ms} ms"
      good      = "sum:${local.duration_bucket}{${local.sli_scope},upper_bound:${local.latency_bound}}.as_count()"
      total     = "sum:${local.duration_count}{${local.sli_scope}}.as_count()"
    }
  }
}

resource "datadog_service_level_objective" "this" {
  for_each = local.slos

  name        = "${var.service_title} ${lower(each.value.title)} (${var.environment})"
  type        = "metric"
  description = "${each.value.objective}, probes and scrapes excluded. Burn-rate alerts: ${var.runbook_url}/slo-${each.key}-fast-burn.md and slo-${each.key}-slow-burn.md."

  query {
    numerator   = each.value.good
    denominator = each.value.total
  }

  # The 30-day objective is the one the burn-rate alerts protect; 7 days shows the recent trend.
  thresholds {
    timeframe = "30d"
    target    = each.value.target
  }

  thresholds {
    timeframe = "7d"
    target    = each.value.target
  }

  tags = concat(local.tags, ["slo:${each.key}"])
}
