locals {
  # The two objectives; the burn-rate alerts (burn-rates.tf) and the dashboard read them.
  slos = {
    availability = {
      title     = "Availability"
      target    = var.slo_availability
      objective = "${var.slo_availability}% of requests succeed"
      bad       = "failed with a 5xx status"
      # percent of requests that count against the objective, and requests per second
      bad_percent = "filter(sum(http_requests_total), WHERE status LIKE '5%') * 100 / sum(http_requests_total)"
      traffic     = "rate(sum(http_requests_total), 1 second)"
    }
    latency = {
      title       = "Latency"
      target      = 99
      objective   = "99% of requests within ${var.slo_latency_ms} ms"
      bad         = "took longer than ${var.slo_latency_ms} ms"
      bad_percent = "100 - filter(sum(http_request_duration_seconds_bucket), WHERE le IN (${local.latency_le_list})) * 100 / sum(http_request_duration_seconds_count)"
      traffic     = "rate(sum(http_request_duration_seconds_count), 1 second)"
    }
  }
}

# The service as a New Relic entity: its pods, containers and workload from the Kubernetes
# integration. The service levels belong to it.
resource "newrelic_workload" "service" {
  account_id        = var.account_id
  name              = "${var.service_title} (${var.environment})"
  description       = "${var.service_title}, team ${var.team}: namespace ${var.kube_namespace} of cluster ${var.kube_cluster_name}."
  scope_account_ids = [var.account_id]

  entity_search_query {
    query = "tags.k8s.clusterName = '${var.kube_cluster_name}' AND tags.k8s.namespaceName = '${var.kube_namespace}'"
  }
}

# New Relic's service levels look back 1, 7 or 28 days: 28 days is the closest to the 30 days of the
# Prometheus rules and Datadog SLOs. The burn rates (burn-rates.tf) do not depend on the period.
resource "newrelic_service_level" "availability" {
  guid        = newrelic_workload.service.guid
  name        = "${var.service_title} availability (${var.environment})"
  description = "${local.slos.availability.objective}, probes and scrapes excluded. Burn-rate alerts: ${var.runbook_url}/slo-availability-fast-burn.md and slo-availability-slow-burn.md."

  events {
    account_id = var.account_id

    valid_events {
      from  = "Metric"
      where = local.sli_scope
      select {
        function  = "SUM"
        attribute = "http_requests_total"
      }
    }

    bad_events {
      from  = "Metric"
      where = "${local.sli_scope} AND status LIKE '5%'"
      select {
        function  = "SUM"
        attribute = "http_requests_total"
      }
    }
  }

  objective {
    target = local.slos.availability.target
    time_window {
      rolling {
        count = 28
        unit  = "DAY"
      }
    }
  }
}

resource "newrelic_service_level" "latency" {
  guid        = newrelic_workload.service.guid
  name        = "${var.service_title} latency (${var.environment})"
  description = "${local.slos.latency.objective}, probes and scrapes excluded. Burn-rate alerts: ${var.runbook_url}/slo-latency-fast-burn.md and slo-latency-slow-burn.md."

  events {
    account_id = var.account_id

    valid_events {
      from  = "Metric"
      where = local.sli_scope
      select {
        function  = "SUM"
        attribute = "http_request_duration_seconds_count"
      }
    }

    good_events {
      from  = "Metric"
      where = "${local.sli_scope} AND le IN (${local.latency_le_list})"
      select {
        function  = "SUM"
        attribute = "http_request_duration_seconds_bucket"
      }
    }
  }

  objective {
    target = local.slos.latency.target
    time_window {
      rolling {
        count = 28
        unit  = "DAY"
      }
    }
  }
}
