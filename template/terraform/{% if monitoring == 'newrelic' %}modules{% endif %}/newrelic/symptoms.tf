# The symptoms of the Prometheus rules (monitoring/prometheus/alerts.yml of a prometheus-grafana
# repository) with the same names, severities, thresholds and durations: `window` is the range the
# Prometheus expression looks back over (its aggregation window here), `duration` its `for:`.
# Read from the Prometheus agent's `up` series (the service) and the Kubernetes integration's
# samples (its pods), as New Relic's own recommended Kubernetes conditions do.
locals {
  by_container = "FACET podName, containerName"

  workload_condition = {
    deployment = {
      name    = "DeploymentReplicasUnavailable"
      runbook = "deployment-replicas-unavailable"
      query   = "SELECT latest(podsUnavailable) FROM K8sDeploymentSample WHERE ${local.kube_scope} FACET deploymentName"
    }
    # Argo Rollouts runs the pods through ReplicaSets it owns, the only ones in the namespace:
    # desired but not ready pods of every revision (stable, canary or preview).
    rollout = {
      name    = "RolloutReplicasUnavailable"
      runbook = "rollout-replicas-unavailable"
      query   = "SELECT latest(podsDesired) - latest(podsReady) FROM K8sReplicasetSample WHERE ${local.kube_scope} FACET replicasetName"
    }
  }

  # A release that failed and was not rolled back, for 5 minutes: the deploy job's own rollback
  # takes less.
  release_condition = {
    # The Deployment passed its progress deadline (Progressing=False, ProgressDeadlineExceeded).
    deployment = {
      name    = "DeploymentRolloutFailed"
      runbook = "deployment-rollout-failed"
      query   = "SELECT uniqueCount(deploymentName) FROM K8sDeploymentSample WHERE ${local.kube_scope} AND conditionProgressing = 'false' FACET deploymentName"
    }
    # The Rollout is Degraded (aborted, past its deadline, or an invalid spec): rollout_info of the
    # Argo Rollouts controller, scraped by the Prometheus agent. Its `namespace` is the
    # controller's, the Rollout's is exported_namespace; both controller replicas report it.
    rollout = {
      name    = "RolloutDegraded"
      runbook = "rollout-degraded"
      query   = "SELECT max(rollout_info) FROM Metric WHERE cluster_name = '${var.kube_cluster_name}' AND exported_namespace = '${var.kube_namespace}' AND phase IN ('Abort', 'Timeout', 'InvalidSpec') FACET name"
    }
  }

  symptoms = {
    # No target in the namespace answers a scrape, or the agent sends nothing (loss of signal): the
    # service is down, or its metrics endpoint or the agent is broken. The SLO alerts are blind meanwhile.
    ServiceDown = {
      severity    = "P1"
      runbook     = "service-down"
      query       = "SELECT max(up) FROM Metric WHERE ${local.metric_scope}"
      operator    = "below"
      threshold   = 1
      window      = 60
      duration    = 300
      occurrences = "all"
      no_data     = true
    }
    TargetDown = {
      severity    = "P2"
      runbook     = "target-down"
      query       = "SELECT max(up) FROM Metric WHERE ${local.metric_scope} FACET pod"
      operator    = "below"
      threshold   = 1
      window      = 60
      duration    = 600
      occurrences = "all"
      no_data     = false
    }
    PodCrashLooping = {
      severity    = "P2"
      runbook     = "pod-crash-looping"
      query       = "SELECT uniqueCount(podName) FROM K8sContainerSample WHERE ${local.kube_scope} AND status = 'Waiting' AND reason = 'CrashLoopBackOff' ${local.by_container}"
      operator    = "above_or_equals"
      threshold   = 1
      window      = 300
      duration    = 900
      occurrences = "all"
      no_data     = false
    }
    # increase(...[1h]) > 3 without `for:`: restarts over a sliding hour.
    PodRestartingFrequently = {
      severity    = "P3"
      runbook     = "pod-restarting-frequently"
      query       = "SELECT sum(restartCountDelta) FROM K8sContainerSample WHERE ${local.kube_scope} ${local.by_container}"
      operator    = "above"
      threshold   = 3
      window      = 3600
      duration    = 3600
      occurrences = "at_least_once"
      no_data     = false
    }
    (local.workload_condition[var.deployment_kind].name) = {
      severity    = "P2"
      runbook     = local.workload_condition[var.deployment_kind].runbook
      query       = local.workload_condition[var.deployment_kind].query
      operator    = "above"
      threshold   = 0
      window      = 60
      duration    = 900
      occurrences = "all"
      no_data     = false
    }
    (local.release_condition[var.deployment_kind].name) = {
      severity    = "P2"
      runbook     = local.release_condition[var.deployment_kind].runbook
      query       = local.release_condition[var.deployment_kind].query
      operator    = "above_or_equals"
      threshold   = 1
      window      = 60
      duration    = 300
      occurrences = "all"
      no_data     = false
    }
    ContainerCPUThrottling = {
      severity    = "P3"
      runbook     = "container-cpu-throttling"
      query       = "SELECT sum(containerCpuCfsThrottledPeriodsDelta) / sum(containerCpuCfsPeriodsDelta) FROM K8sContainerSample WHERE ${local.kube_scope} ${local.by_container}"
      operator    = "above"
      threshold   = 0.25
      window      = 300
      duration    = 900
      occurrences = "all"
      no_data     = false
    }
    ContainerCPUSaturation = {
      severity    = "P3"
      runbook     = "container-cpu-saturation"
      query       = "SELECT average(cpuUsedCores) / average(cpuRequestedCores) FROM K8sContainerSample WHERE ${local.kube_scope} ${local.by_container}"
      operator    = "above"
      threshold   = 0.9
      window      = 300
      duration    = 1800
      occurrences = "all"
      no_data     = false
    }
    ContainerMemoryNearLimit = {
      severity    = "P3"
      runbook     = "container-memory-near-limit"
      query       = "SELECT max(memoryWorkingSetBytes) / max(memoryLimitBytes) FROM K8sContainerSample WHERE ${local.kube_scope} ${local.by_container}"
      operator    = "above"
      threshold   = 0.9
      window      = 60
      duration    = 900
      occurrences = "all"
      no_data     = false
    }
    # At its maximum, and the maximum is above the minimum (an autoscaler pinned to one size is
    # not alerted on): clamp_max(max - min, 1) adds 1 only then.
    HPAAtMaxReplicas = {
      severity    = "P3"
      runbook     = "hpa-at-max-replicas"
      query       = "SELECT latest(currentReplicas) - latest(maxReplicas) + clamp_max(latest(maxReplicas) - latest(minReplicas), 1) FROM K8sHpaSample WHERE ${local.kube_scope} FACET displayName"
      operator    = "above_or_equals"
      threshold   = 1
      window      = 60
      duration    = 1800
      occurrences = "all"
      no_data     = false
    }
  }
}

resource "newrelic_nrql_alert_condition" "symptom" {
  for_each = local.symptoms

  account_id  = var.account_id
  policy_id   = newrelic_alert_policy.severity[each.value.severity].id
  type        = "static"
  name        = "[${each.value.severity}] ${each.key}: ${local.name_suffix}"
  description = "${each.key} of ${var.service_title} (${var.environment}). Runbook: ${var.runbook_url}/${each.value.runbook}.md"
  runbook_url = "${var.runbook_url}/${each.value.runbook}.md"
  enabled     = true

  nrql {
    query = each.value.query
  }

  aggregation_window = each.value.window
  slide_by           = each.value.window >= 3600 ? 300 : null
  aggregation_method = "event_flow"
  aggregation_delay  = 120
  fill_option        = "none"

  # A signal gone for as long as the duration (a deleted pod) closes its incident; ServiceDown
  # instead fires when the agent sends nothing.
  expiration_duration            = each.value.duration
  open_violation_on_expiration   = each.value.no_data
  close_violations_on_expiration = !each.value.no_data

  critical {
    operator              = each.value.operator
    threshold             = each.value.threshold
    threshold_duration    = each.value.duration
    threshold_occurrences = each.value.occurrences
  }

  violation_time_limit_seconds = 86400
}
