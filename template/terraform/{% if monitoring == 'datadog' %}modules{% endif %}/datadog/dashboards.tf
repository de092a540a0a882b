# The service dashboard: the panels of the prometheus-grafana repository's Grafana dashboard, one
# dashboard per environment.
resource "datadog_dashboard_json" "service" {
  dashboard = templatefile("${path.module}/dashboards/service.json", {
    title                       = "${var.service_title} overview (${var.environment})"
    service_title               = var.service_title
    environment                 = var.environment
    team                        = var.team
    kube_namespace              = var.kube_namespace
    runbook_url                 = var.runbook_url
    sli_scope                   = local.sli_scope
    kube_scope                  = local.kube_scope
    requests                    = local.requests
    duration_bucket             = local.duration_bucket
    duration_count              = local.duration_count
    duration_sum                = "${var.metric_namespace}.http_request_duration_seconds.sum"
    latency_bound               = local.latency_bound
    latency_ms                  = var.slo_latency_ms
    latency_seconds             = local.latency_bound
    availability_slo_id         = datadog_service_level_objective.this["availability"].id
    latency_slo_id              = datadog_service_level_objective.this["latency"].id
    availability_objective      = local.slos.availability.objective
    latency_objective           = local.slos.latency.objective
    availability_budget_percent = format("%.6g", 100 - var.slo_availability)
  })
}
