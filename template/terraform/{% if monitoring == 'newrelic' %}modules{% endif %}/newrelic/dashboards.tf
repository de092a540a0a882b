# The service dashboard: the panels of the prometheus-grafana repository's Grafana dashboard, one
# dashboard per environment, in NRQL. Percentiles come from the histogram's buckets
# (bucketPercentile), as histogram_quantile does in Grafana.
locals {
  bucket_within = "filter(sum(http_request_duration_seconds_bucket), WHERE le IN (${local.latency_le_list})) / sum(http_request_duration_seconds_count)"
  availability  = "1 - filter(sum(http_requests_total), WHERE status LIKE '5%') / sum(http_requests_total)"

  # title -> where it sits and its NRQL; `billboard` widgets show one number over the SLO period.
  dashboard_widgets = [
    { row = 1, column = 1, billboard = true, title = "Availability (28 days)", queries = ["SELECT ${local.availability} AS 'availability' FROM Metric WHERE ${local.sli_scope} SINCE 28 days ago"] },
    { row = 1, column = 4, billboard = true, title = "Availability error budget left", queries = ["SELECT 1 - (${local.slos.availability.bad_percent}) / ${format("%.6g", 100 - var.slo_availability)} AS 'budget left' FROM Metric WHERE ${local.sli_scope} SINCE 28 days ago"] },
    { row = 1, column = 7, billboard = true, title = "Requests within ${var.slo_latency_ms} ms (28 days)", queries = ["SELECT ${local.bucket_within} AS 'within objective' FROM Metric WHERE ${local.sli_scope} SINCE 28 days ago"] },
    { row = 1, column = 10, billboard = true, title = "Latency error budget left", queries = ["SELECT 1 - (${local.slos.latency.bad_percent}) AS 'budget left' FROM Metric WHERE ${local.sli_scope} SINCE 28 days ago"] },
    { row = 4, column = 1, billboard = false, title = "Error budget burn rate (1 hour)", queries = [for slo, objective in local.slos : "SELECT (${objective.bad_percent}) / ${format("%.6g", 100 - objective.target)} AS '${slo}' FROM Metric WHERE ${local.sli_scope} TIMESERIES 1 hour SINCE 1 day ago"] },
    { row = 4, column = 7, billboard = false, title = "Requests per second by route", queries = ["SELECT rate(sum(http_requests_total), 1 second) FROM Metric WHERE ${local.sli_scope} FACET route TIMESERIES"] },
    { row = 7, column = 1, billboard = false, title = "Requests per second by status", queries = ["SELECT rate(sum(http_requests_total), 1 second) FROM Metric WHERE ${local.sli_scope} FACET status TIMESERIES"] },
    { row = 7, column = 7, billboard = false, title = "Error ratio (5xx)", queries = ["SELECT filter(sum(http_requests_total), WHERE status LIKE '5%') / sum(http_requests_total) AS 'error ratio' FROM Metric WHERE ${local.sli_scope} TIMESERIES"] },
    { row = 10, column = 1, billboard = false, title = "Latency percentiles (seconds)", queries = ["SELECT bucketPercentile(http_request_duration_seconds_bucket, 50, 95, 99) FROM Metric WHERE ${local.sli_scope} TIMESERIES"] },
    { row = 10, column = 7, billboard = false, title = "p99 latency by route (seconds)", queries = ["SELECT bucketPercentile(http_request_duration_seconds_bucket, 99) FROM Metric WHERE ${local.sli_scope} FACET route TIMESERIES"] },
    { row = 13, column = 1, billboard = false, title = "Requests within ${var.slo_latency_ms} ms", queries = ["SELECT ${local.bucket_within} AS 'within objective' FROM Metric WHERE ${local.sli_scope} TIMESERIES"] },
    { row = 13, column = 7, billboard = false, title = "CPU used / requested", queries = ["SELECT average(cpuUsedCores) / average(cpuRequestedCores) FROM K8sContainerSample WHERE ${local.kube_scope} FACET podName TIMESERIES"] },
    { row = 16, column = 1, billboard = false, title = "Memory used / limit", queries = ["SELECT max(memoryWorkingSetBytes) / max(memoryLimitBytes) FROM K8sContainerSample WHERE ${local.kube_scope} FACET podName TIMESERIES"] },
    { row = 16, column = 7, billboard = false, title = "CPU throttling", queries = ["SELECT sum(containerCpuCfsThrottledPeriodsDelta) / sum(containerCpuCfsPeriodsDelta) FROM K8sContainerSample WHERE ${local.kube_scope} FACET podName TIMESERIES"] },
    { row = 19, column = 1, billboard = false, title = "Pods", queries = [
      "SELECT uniqueCount(podName) AS 'ready' FROM K8sPodSample WHERE ${local.kube_scope} AND isReady = 1 TIMESERIES",
      "SELECT latest(currentReplicas) AS 'autoscaler current', latest(maxReplicas) AS 'autoscaler maximum' FROM K8sHpaSample WHERE ${local.kube_scope} TIMESERIES",
    ] },
    { row = 19, column = 7, billboard = false, title = "Container restarts", queries = ["SELECT sum(restartCountDelta) FROM K8sContainerSample WHERE ${local.kube_scope} FACET podName TIMESERIES"] },
  ]
}

resource "newrelic_one_dashboard" "service" {
  account_id  = var.account_id
  name        = "${var.service_title} overview (${var.environment})"
  description = "Team ${var.team}. Objectives: ${local.slos.availability.objective}; ${local.slos.latency.objective}. Runbooks: ${var.runbook_url}"
  permissions = "public_read_only"

  page {
    name = "${var.service_title} (${var.environment})"

    dynamic "widget_billboard" {
      for_each = [for widget in local.dashboard_widgets : widget if widget.billboard]
      content {
        title  = widget_billboard.value.title
        row    = widget_billboard.value.row
        column = widget_billboard.value.column
        width  = 3
        height = 3

        dynamic "nrql_query" {
          for_each = widget_billboard.value.queries
          content {
            account_id = var.account_id
            query      = nrql_query.value
          }
        }
      }
    }

    dynamic "widget_line" {
      for_each = [for widget in local.dashboard_widgets : widget if !widget.billboard]
      content {
        title  = widget_line.value.title
        row    = widget_line.value.row
        column = widget_line.value.column
        width  = 6
        height = 3

        dynamic "nrql_query" {
          for_each = widget_line.value.queries
          content {
            account_id = var.account_id
            query      = nrql_query.value
          }
        }
      }
    }
  }
}
