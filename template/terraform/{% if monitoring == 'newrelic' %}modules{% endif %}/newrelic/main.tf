locals {
  name_suffix = "${var.service} ${var.environment}"

  # The service's own metrics, written by New Relic's Prometheus agent: the pod's namespace as
  # `namespace`, the cluster as `cluster_name` (the agent's external label). The SLIs leave out the
  # probes and the agent's scrapes.
  metric_scope = "cluster_name = '${var.kube_cluster_name}' AND namespace = '${var.kube_namespace}'"
  sli_scope    = "${local.metric_scope} AND route NOT IN ('/healthz', '/readyz', '/metrics')"
  # The Kubernetes integration's samples (K8sContainerSample, K8sDeploymentSample, ...).
  kube_scope = "clusterName = '${var.kube_cluster_name}' AND namespaceName = '${var.kube_namespace}'"

  # The `le` label of the latency objective's bucket is the client library's spelling of the bound
  # in seconds: 0.3 everywhere, but 1 (Go, Node.js) or 1.0 (Python, Java) for whole seconds.
  latency_seconds = var.slo_latency_ms / 1000
  latency_le = distinct([
    format("%g", local.latency_seconds),
    floor(local.latency_seconds) == local.latency_seconds ? format("%.1f", local.latency_seconds) : format("%g", local.latency_seconds),
  ])
  latency_le_list = join(", ", [for le in local.latency_le : "'${le}'"])

  # Severity -> the route that notifies (routing.tf). P0 is declared by hand during an incident and
  # no condition raises it; it would page like P1.
  routing = {
    P0 = "page"
    P1 = "page"
    P2 = "chat"
    P3 = "chat"
    P4 = "ticket"
  }
}

# One policy per severity that a condition raises: the workflows route policies, so a condition's
# policy is its severity.
resource "newrelic_alert_policy" "severity" {
  for_each = toset(["P1", "P2", "P3", "P4"])

  account_id          = var.account_id
  name                = "[${each.key}] ${local.name_suffix}"
  incident_preference = "PER_CONDITION_AND_TARGET"
}

# The burn-rate windows that compound conditions combine (burn-rates.tf): no workflow routes this
# policy, so they notify nobody on their own.
resource "newrelic_alert_policy" "signals" {
  account_id          = var.account_id
  name                = "Burn-rate windows (notify nobody): ${local.name_suffix}"
  incident_preference = "PER_CONDITION"
}
