locals {
  tags = concat(["env:${var.environment}", "service:${var.service}", "team:${var.team}"], var.tags)

  # The service's own metrics carry the unified service tags of its pods; the SLIs leave out the
  # probes and the Agent's scrapes.
  service_scope = "env:${var.environment},service:${var.service}"
  sli_scope     = "${local.service_scope},!route:/healthz,!route:/readyz,!route:/metrics"
  # The Kubernetes metrics (kubernetes_state_core, kubelet) carry the namespace and cluster.
  kube_scope = "kube_namespace:${var.kube_namespace},kube_cluster_name:${var.kube_cluster_name}"

  requests        = "${var.metric_namespace}.http_requests.count"
  duration_bucket = "${var.metric_namespace}.http_request_duration_seconds.bucket"
  duration_count  = "${var.metric_namespace}.http_request_duration_seconds.count"
  # The bucket's `upper_bound` tag: the bound in seconds, as the service's histogram writes it.
  latency_bound = coalesce(var.slo_latency_bucket, format(var.slo_latency_ms % 1000 == 0 ? "%.1f" : "%g", var.slo_latency_ms / 1000))

  # Severity -> Datadog monitor priority (1 highest) and who is notified. Our P1-P4 keep their
  # number; P0, declared by hand during an incident, shares Datadog's highest priority with P1.
  routing = {
    P0 = { priority = 1, handles = var.page_handles }
    P1 = { priority = 1, handles = var.page_handles }
    P2 = { priority = 2, handles = var.chat_handles }
    P3 = { priority = 3, handles = var.chat_handles }
    P4 = { priority = 4, handles = var.ticket_handles }
  }
}
