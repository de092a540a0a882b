# The symptoms of the Prometheus rules (monitoring/prometheus/alerts.yml of a prometheus-grafana
# repository) with the same names, severities, thresholds and durations, read from the Agent's
# openmetrics check (the service), kubernetes_state_core and kubelet checks (its pods).
locals {
  by_container = "by {pod_name,kube_container_name}"

  workload_monitor = {
    deployment = {
      name    = "DeploymentReplicasUnavailable"
      runbook = "deployment-replicas-unavailable"
      query   = "min(last_15m):max:kubernetes_state.deployment.replicas_unavailable{${local.kube_scope}} by {kube_deployment} > 0"
      alert   = "{{value}} replica(s) of deployment {{kube_deployment.name}} have been unavailable for 15 minutes."
    }
    # Argo Rollouts runs the pods through ReplicaSets it owns, the only ones in the namespace:
    # desired but not ready pods of every revision (stable, canary or preview).
    rollout = {
      name    = "RolloutReplicasUnavailable"
      runbook = "rollout-replicas-unavailable"
      query   = "min(last_15m):sum:kubernetes_state.replicaset.replicas_desired{${local.kube_scope}} by {kube_namespace} - sum:kubernetes_state.replicaset.replicas_ready{${local.kube_scope}} by {kube_namespace} > 0"
      alert   = "{{value}} replica(s) of the rollout in namespace {{kube_namespace.name}} have not been ready for 15 minutes."
    }
  }

  # A release that failed and was not rolled back, for 5 minutes: the deploy job's own rollback
  # takes less. The checks send no zero: default_zero fills the gaps, so the monitor recovers.
  release_monitor = {
    # The Deployment passed its progress deadline (Progressing=False, ProgressDeadlineExceeded).
    deployment = {
      name    = "DeploymentRolloutFailed"
      runbook = "deployment-rollout-failed"
      query   = "min(last_5m):default_zero(max:kubernetes_state.deployment.condition{${local.kube_scope},condition:progressing,status:false} by {kube_deployment}) >= 1"
      alert   = "Deployment {{kube_deployment.name}} exceeded its progress deadline 5 minutes ago: its new pods never became available and the previous version still serves."
    }
    # The Rollout is Degraded (aborted, past its deadline, or an invalid spec), as the Agent's Argo
    # Rollouts integration reads the controller: the Rollout's namespace and name are the tags
    # argo_rollouts_namespace and argo_rollouts_name, its phase lowercased.
    rollout = {
      name    = "RolloutDegraded"
      runbook = "rollout-degraded"
      query   = "min(last_5m):default_zero(max:argo_rollouts.rollout.info{argo_rollouts_namespace:${var.kube_namespace} AND kube_cluster_name:${var.kube_cluster_name} AND phase IN (abort,timeout,invalidspec)} by {argo_rollouts_name}) >= 1"
      alert   = "Rollout {{argo_rollouts_name.name}} has been Degraded for 5 minutes: the new revision did not go live and the stable revision serves all traffic."
    }
  }

  symptoms = {
    # No pod's counter moves, not even with the Agent's own scrapes, or no data at all: the
    # service is down, or the Agent cannot scrape it. The SLO alerts are blind meanwhile.
    ServiceDown = {
      severity       = "P1"
      runbook        = "service-down"
      type           = "query alert"
      query          = "sum(last_5m):sum:${local.requests}{${local.service_scope},${local.kube_scope}}.as_count() < 1"
      critical       = 1
      notify_no_data = true
      alert          = "No ${var.service_title} pod in namespace ${var.kube_namespace} has been scraped for 5 minutes: the service is down, or its metrics endpoint or the Agent's check is broken. The SLO alerts are blind while this fires."
    }
    # The openmetrics check's own health, per pod: CRITICAL when the pod's /metrics cannot be
    # read. It runs every 15 seconds, 40 runs are 10 minutes. Pod names are not tags of check
    # data (low cardinality); the endpoint, the pod's address, tells the pods apart.
    TargetDown = {
      severity       = "P2"
      runbook        = "target-down"
      type           = "service check"
      query          = "\"${var.metric_namespace}.openmetrics.health\".over(\"kube_namespace:${var.kube_namespace}\",\"kube_cluster_name:${var.kube_cluster_name}\").by(\"endpoint\").last(40).count_by_status()"
      critical       = 40
      notify_no_data = false
      alert          = "The Agent has failed every scrape of {{endpoint.name}} for 10 minutes."
    }
    PodCrashLooping = {
      severity = "P2"
      runbook  = "pod-crash-looping"
      type     = "query alert"
      # the check sends no zero: default_zero fills the gaps, so only 15 minutes of waiting fire
      query          = "min(last_15m):default_zero(max:kubernetes_state.container.status_report.count.waiting{${local.kube_scope},reason:crashloopbackoff} ${local.by_container}.rollup(max, 300)) >= 1"
      critical       = 1
      notify_no_data = false
      alert          = "Container {{kube_container_name.name}} of pod {{pod_name.name}} has been in CrashLoopBackOff for 15 minutes."
    }
    PodRestartingFrequently = {
      severity       = "P3"
      runbook        = "pod-restarting-frequently"
      type           = "query alert"
      query          = "sum(last_1h):monotonic_diff(max:kubernetes_state.container.restarts{${local.kube_scope}} ${local.by_container}) > 3"
      critical       = 3
      notify_no_data = false
      alert          = "Container {{kube_container_name.name}} of pod {{pod_name.name}} restarted {{value}} times in the last hour."
    }
    (local.workload_monitor[var.deployment_kind].name) = {
      severity       = "P2"
      runbook        = local.workload_monitor[var.deployment_kind].runbook
      type           = "query alert"
      query          = local.workload_monitor[var.deployment_kind].query
      critical       = 0
      notify_no_data = false
      alert          = local.workload_monitor[var.deployment_kind].alert
    }
    (local.release_monitor[var.deployment_kind].name) = {
      severity       = "P2"
      runbook        = local.release_monitor[var.deployment_kind].runbook
      type           = "query alert"
      query          = local.release_monitor[var.deployment_kind].query
      critical       = 1
      notify_no_data = false
      alert          = local.release_monitor[var.deployment_kind].alert
    }
    ContainerCPUThrottling = {
      severity       = "P3"
      runbook        = "container-cpu-throttling"
      type           = "query alert"
      query          = "min(last_15m):sum:kubernetes.cpu.cfs.throttled.periods{${local.kube_scope}} ${local.by_container}.rollup(sum, 300) / sum:kubernetes.cpu.cfs.periods{${local.kube_scope}} ${local.by_container}.rollup(sum, 300) > 0.25"
      critical       = 0.25
      notify_no_data = false
      alert          = "Container {{kube_container_name.name}} of pod {{pod_name.name}} was throttled in more than 25% of its CPU periods for 15 minutes."
    }
    # kubernetes.cpu.usage.total is in nanocores, the request in cores.
    ContainerCPUSaturation = {
      severity       = "P3"
      runbook        = "container-cpu-saturation"
      type           = "query alert"
      query          = "min(last_30m):sum:kubernetes.cpu.usage.total{${local.kube_scope}} ${local.by_container} / (1000000000 * max:kubernetes.cpu.requests{${local.kube_scope}} ${local.by_container}) > 0.9"
      critical       = 0.9
      notify_no_data = false
      alert          = "Container {{kube_container_name.name}} of pod {{pod_name.name}} has used more than 90% of its CPU request for 30 minutes."
    }
    ContainerMemoryNearLimit = {
      severity       = "P3"
      runbook        = "container-memory-near-limit"
      type           = "query alert"
      query          = "min(last_15m):max:kubernetes.memory.working_set{${local.kube_scope}} ${local.by_container} / max:kubernetes.memory.limits{${local.kube_scope}} ${local.by_container} > 0.9"
      critical       = 0.9
      notify_no_data = false
      alert          = "Container {{kube_container_name.name}} of pod {{pod_name.name}} has used more than 90% of its memory limit for 15 minutes; it is killed when it reaches 100%."
    }
    # At its maximum, and the maximum is above the minimum (an autoscaler pinned to one size is
    # not alerted on): clamp_max(max - min, 1) adds 1 only then.
    HPAAtMaxReplicas = {
      severity       = "P3"
      runbook        = "hpa-at-max-replicas"
      type           = "query alert"
      query          = "min(last_30m):max:kubernetes_state.hpa.current_replicas{${local.kube_scope}} by {horizontalpodautoscaler} - max:kubernetes_state.hpa.max_replicas{${local.kube_scope}} by {horizontalpodautoscaler} + clamp_max(max:kubernetes_state.hpa.max_replicas{${local.kube_scope}} by {horizontalpodautoscaler} - max:kubernetes_state.hpa.min_replicas{${local.kube_scope}} by {horizontalpodautoscaler}, 1) >= 1"
      critical       = 1
      notify_no_data = false
      alert          = "Autoscaler {{horizontalpodautoscaler.name}} has run at its maximum of replicas for 30 minutes: it cannot add capacity if load grows."
    }
  }
}

resource "datadog_monitor" "symptom" {
  for_each = local.symptoms

  name     = "[${each.value.severity}] ${each.key}: ${var.service} ${var.environment}"
  type     = each.value.type
  query    = each.value.query
  priority = local.routing[each.value.severity].priority
  message  = <<-EOT
    {{#is_alert}}${each.value.alert}{{/is_alert}}
    {{#is_no_data}}${each.value.alert}{{/is_no_data}}
    {{#is_recovery}}${each.key} of ${var.service_title} (${var.environment}) recovered.{{/is_recovery}}

    Runbook: ${var.runbook_url}/${each.value.runbook}.md

    ${join(" ", local.routing[each.value.severity].handles)}
  EOT

  notify_no_data    = each.value.notify_no_data
  no_data_timeframe = each.value.notify_no_data ? 5 : null
  # "for N minutes": a new pod (each deploy and scale-up) is judged only once it has a full window
  require_full_window = startswith(each.value.query, "min(")
  include_tags        = true

  monitor_thresholds {
    critical = each.value.critical
    ok       = each.value.type == "service check" ? 1 : null
  }

  tags = concat(local.tags, ["severity:${lower(each.value.severity)}"])
}
