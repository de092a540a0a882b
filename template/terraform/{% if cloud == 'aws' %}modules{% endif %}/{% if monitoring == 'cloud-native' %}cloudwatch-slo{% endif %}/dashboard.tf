# The service at a glance: traffic, errors, latency percentiles, saturation, and the two
# objectives with the share of their error budget left over the last 30 days (the objectives'
# window: that widget keeps its own time range, whatever the dashboard's).

data "aws_region" "current" {}

locals {
  elb  = { namespace = "AWS/ApplicationELB", dimensions = ["LoadBalancer", var.load_balancer_arn_suffix] }
  ecs  = ["ClusterName", var.cluster_name, "ServiceName", var.service_name]
  slow = "PR(:${var.slo_latency_ms / 1000})"

  widgets = [
    {
      type = "metric", x = 0, y = 0, width = 8, height = 6
      properties = {
        title   = "Traffic (requests per minute)"
        view    = "timeSeries"
        region  = data.aws_region.current.region
        stat    = "Sum"
        period  = 60
        metrics = [concat([local.elb.namespace, "RequestCount"], local.elb.dimensions, [{ label = "requests" }])]
      }
    },
    {
      type = "metric", x = 8, y = 0, width = 8, height = 6
      properties = {
        title  = "Errors (5xx answers per minute)"
        view   = "timeSeries"
        region = data.aws_region.current.region
        stat   = "Sum"
        period = 60
        metrics = [
          concat([local.elb.namespace, "HTTPCode_Target_5XX_Count"], local.elb.dimensions, [{ label = "5xx from the tasks" }]),
          concat([local.elb.namespace, "HTTPCode_ELB_5XX_Count"], local.elb.dimensions, [{ label = "5xx from the load balancer" }]),
        ]
      }
    },
    {
      type = "metric", x = 16, y = 0, width = 8, height = 6
      properties = {
        title  = "Latency percentiles (seconds)"
        view   = "timeSeries"
        region = data.aws_region.current.region
        period = 60
        metrics = [
          for stat in ["p50", "p90", "p99"] :
          concat([local.elb.namespace, "TargetResponseTime"], local.elb.dimensions, [{ stat = stat, label = stat }])
        ]
        annotations = { horizontal = [{ label = "objective", value = var.slo_latency_ms / 1000 }] }
      }
    },
    {
      type = "metric", x = 0, y = 6, width = 12, height = 6
      properties = {
        title  = "Saturation (percent of the tasks' CPU and memory)"
        view   = "timeSeries"
        region = data.aws_region.current.region
        stat   = "Average"
        period = 60
        metrics = [
          concat(["AWS/ECS", "CPUUtilization"], local.ecs, [{ label = "CPU" }]),
          concat(["AWS/ECS", "MemoryUtilization"], local.ecs, [{ label = "memory" }]),
        ]
        yAxis = { left = { min = 0, max = 100 } }
      }
    },
    {
      type = "metric", x = 12, y = 6, width = 12, height = 6
      properties = {
        title                = "Objectives and error budget left, last 30 days"
        view                 = "singleValue"
        region               = data.aws_region.current.region
        start                = "-P30D"
        setPeriodToTimeRange = true
        metrics = [
          concat([local.elb.namespace, "RequestCount"], local.elb.dimensions, [{ id = "requests", stat = "Sum", visible = false }]),
          concat([local.elb.namespace, "HTTPCode_Target_5XX_Count"], local.elb.dimensions, [{ id = "target5xx", stat = "Sum", visible = false }]),
          concat([local.elb.namespace, "HTTPCode_ELB_5XX_Count"], local.elb.dimensions, [{ id = "elb5xx", stat = "Sum", visible = false }]),
          concat([local.elb.namespace, "HTTPCode_ELB_503_Count"], local.elb.dimensions, [{ id = "elb503", stat = "Sum", visible = false }]),
          concat([local.elb.namespace, "TargetResponseTime"], local.elb.dimensions, [{ id = "fast", stat = local.slow, visible = false }]),
          [{ id = "availability", expression = "100 * (1 - (FILL(target5xx, 0) + FILL(elb5xx, 0)) / (FILL(requests, 0) + FILL(elb503, 0)))", label = "availability % (objective ${var.slo_availability})" }],
          [{ id = "availability_budget", expression = "100 * (1 - (100 - availability) / ${100 - var.slo_availability})", label = "availability error budget left %" }],
          [{ id = "latency", expression = "fast", label = "% within ${var.slo_latency_ms} ms (objective 99)" }],
          [{ id = "latency_budget", expression = "100 * (1 - (100 - latency) / 1)", label = "latency error budget left %" }],
        ]
      }
    },
    {
      type = "alarm", x = 0, y = 12, width = 24, height = 3
      properties = {
        title = "Burn-rate alerts"
        alarms = concat(
          [for alarm in aws_cloudwatch_composite_alarm.fast_burn : alarm.arn],
          [for alarm in aws_cloudwatch_composite_alarm.slow_burn : alarm.arn],
        )
      }
    },
  ]
}

resource "aws_cloudwatch_dashboard" "service" {
  dashboard_name = var.name
  dashboard_body = jsonencode({ widgets = local.widgets })
}
