locals {
  # Cloud Run's own metrics of this service, as PromQL names them (Cloud Monitoring's PromQL).
  run_selector = "monitored_resource=\"cloud_run_revision\",service_name=\"${var.service_name}\",location=\"${var.region}\""

  # The fixed settings of the revision template, read by the template below: in one place so that
  # revision_inputs hashes them too.
  template_settings = {
    execution_environment = "EXECUTION_ENVIRONMENT_GEN2"
    timeout               = "60s"
    egress                = "ALL_TRAFFIC"
    port                  = 8080
    collector_memory      = "256Mi"
    collector_mount       = "/etc/rungmp"
    secrets_mount         = "/mnt/secrets"
    startup_probe         = { path = "/readyz", initial_delay_seconds = 0, period_seconds = 2, timeout_seconds = 1, failure_threshold = 30 }
    liveness_probe        = { path = "/healthz", period_seconds = 10, timeout_seconds = 2, failure_threshold = 3 }
  }

  # Every input of the revision template: its labels, settings and everything it reads. Its name
  # carries their hash, so each change creates a new revision with a name known at plan time (the
  # `revision_name` output); add any setting you give the template here too, or Cloud Run refuses
  # to register a changed template under an existing revision's name.
  revision_inputs = {
    image                 = var.image
    collector_image       = var.collector_image
    collector_config      = local.collector_config
    collector_secret      = "${var.name}-collector-config"
    cpu_units             = var.cpu_units
    memory_mib            = var.memory_mib
    min_instances         = var.min_instances
    max_instances         = var.max_instances
    concurrency           = var.max_concurrency
    environment_variables = var.environment_variables
    secrets               = var.secrets
    service_account       = var.service_account_email
    network               = var.network_id
    subnetwork            = var.subnetwork_id
    labels                = var.labels
    settings              = local.template_settings
  }
  revision_name = "${var.service_name}-${substr(sha256(jsonencode(local.revision_inputs)), 0, 12)}"

  # An instance with CPU always allocated (instance-based billing, which the collector needs to
  # scrape between requests) has at least one vCPU: the app gets var.cpu_units (1024 = one
  # vCPU) and the collector the rest of that vCPU, or one of its own beside a larger app.
  app_cpu       = format("%g", var.cpu_units / 1024)
  collector_cpu = var.cpu_units >= 1024 ? "1" : format("%g", 1 - var.cpu_units / 1024)

  # The collector scrapes the app every 30 s as Prometheus job var.scrape_job_name (the
  # RunMonitoring's name) and writes to Google Cloud Managed Service for Prometheus.
  collector_config = yamlencode({
    apiVersion = "monitoring.googleapis.com/v1beta"
    kind       = "RunMonitoring"
    metadata   = { name = var.scrape_job_name }
    spec = {
      endpoints = [{ port = "8080", path = "/metrics", interval = "30s" }]
    }
  })
}

# ---------------------------------------------------------------- collector configuration

# The Managed Service for Prometheus sidecar reads its RunMonitoring from a secret mounted as a
# file; it holds no credential.
resource "google_secret_manager_secret" "collector" {
  secret_id = local.revision_inputs.collector_secret
  labels    = var.labels

  replication {
    user_managed {
      replicas {
        location = var.region
      }
    }
  }
}

# Write-only: the payload is sent on create and never read back, so a plan (whose service account
# may only view secrets, not access their payloads) refreshes the version without reading it. A
# new configuration changes secret_data_wo_version, which creates a new version.
resource "google_secret_manager_secret_version" "collector" {
  secret                 = google_secret_manager_secret.collector.id
  secret_data_wo         = local.collector_config
  secret_data_wo_version = substr(sha256(local.collector_config), 0, 16)
}

resource "google_secret_manager_secret_iam_member" "collector" {
  secret_id = google_secret_manager_secret.collector.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${var.service_account_email}"
}

# ---------------------------------------------------------------- the service

# Terraform owns the service and registers one revision per image and settings; traffic moves
# only through deploy/release.py, which tags the new revision, tests it on its tag's URL and
# shifts traffic to it by its name (ignore_changes = [traffic]). The first apply sends all
# traffic to the first revision, by its name: nothing ran before it. Never LATEST, which would give
# every later revision all the traffic the moment terraform registers it, skipping the release.
resource "google_cloud_run_v2_service" "this" {
  name                = var.service_name
  description         = "${var.service_name} (${var.name})"
  location            = var.region
  ingress             = var.ingress
  deletion_protection = var.deletion_protection
  # Callers need roles/run.invoker (var.invoker_members), unless var.invoker_iam_disabled: then
  # only a load balancer may reach it (ingress), and its Cloud Armor policy is the gate.
  invoker_iam_disabled = var.invoker_iam_disabled
  labels               = var.labels

  template {
    revision                         = local.revision_name
    service_account                  = var.service_account_email
    execution_environment            = local.template_settings.execution_environment
    max_instance_request_concurrency = var.max_concurrency
    timeout                          = local.template_settings.timeout
    labels                           = var.labels

    scaling {
      min_instance_count = var.min_instances
      max_instance_count = var.max_instances
    }

    # Direct VPC egress: every outbound connection leaves through the environment's subnet
    # (Private Google Access, Cloud NAT's fixed addresses, its firewall rules and flow logs).
    vpc_access {
      egress = local.template_settings.egress
      network_interfaces {
        network    = var.network_id
        subnetwork = var.subnetwork_id
      }
    }

    containers {
      name  = "app"
      image = var.image

      ports {
        name           = "http1"
        container_port = local.template_settings.port
      }

      resources {
        limits = {
          cpu    = local.app_cpu
          memory = "${var.memory_mib}Mi"
        }
        # Instance-based billing: the CPU stays allocated between requests, so the collector's
        # scrapes and the app's graceful drain are not throttled.
        cpu_idle          = false
        startup_cpu_boost = true
      }

      dynamic "env" {
        for_each = var.environment_variables
        content {
          name  = env.key
          value = env.value
        }
      }

      # Secrets by reference only: Cloud Run reads the version as the runtime service account when
      # an instance starts; the value is in no Terraform plan or state.
      dynamic "env" {
        for_each = { for name, s in var.secrets : name => s if s.env_name != null }
        content {
          name = env.value.env_name
          value_source {
            secret_key_ref {
              secret  = env.value.secret
              version = env.value.version
            }
          }
        }
      }

      # And as read-only files, <secrets_mount>/<name>/value (Cloud Run mounts one secret per path).
      dynamic "volume_mounts" {
        for_each = var.secrets
        content {
          name       = "secret-${volume_mounts.key}"
          mount_path = "${local.template_settings.secrets_mount}/${volume_mounts.key}"
        }
      }

      startup_probe {
        initial_delay_seconds = local.template_settings.startup_probe.initial_delay_seconds
        period_seconds        = local.template_settings.startup_probe.period_seconds
        timeout_seconds       = local.template_settings.startup_probe.timeout_seconds
        failure_threshold     = local.template_settings.startup_probe.failure_threshold
        http_get {
          path = local.template_settings.startup_probe.path
          port = local.template_settings.port
        }
      }

      liveness_probe {
        period_seconds    = local.template_settings.liveness_probe.period_seconds
        timeout_seconds   = local.template_settings.liveness_probe.timeout_seconds
        failure_threshold = local.template_settings.liveness_probe.failure_threshold
        http_get {
          path = local.template_settings.liveness_probe.path
          port = local.template_settings.port
        }
      }
    }

    containers {
      name       = "collector"
      image      = var.collector_image
      depends_on = ["app"]

      resources {
        limits = {
          cpu    = local.collector_cpu
          memory = local.template_settings.collector_memory
        }
        cpu_idle = false
      }

      volume_mounts {
        name       = "collector-config"
        mount_path = local.template_settings.collector_mount
      }
    }

    dynamic "volumes" {
      for_each = var.secrets
      content {
        name = "secret-${volumes.key}"
        secret {
          secret = volumes.value.secret
          items {
            path    = "value"
            version = volumes.value.version
          }
        }
      }
    }

    volumes {
      name = "collector-config"
      secret {
        secret = google_secret_manager_secret.collector.secret_id
        items {
          path    = "config.yaml"
          version = google_secret_manager_secret_version.collector.version
        }
      }
    }
  }

  traffic {
    type     = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION"
    revision = local.revision_name
    percent  = 100
  }

  lifecycle {
    ignore_changes = [traffic, client, client_version]
  }

  depends_on = [google_secret_manager_secret_iam_member.collector]
}

# Who may call the service (and the tagged revisions' URLs): the deploy service account for the
# smoke tests, and whoever var.invoker_members names. Never allUsers.
resource "google_cloud_run_v2_service_iam_member" "invoker" {
  for_each = toset(var.invoker_members)

  name     = google_cloud_run_v2_service.this.name
  location = google_cloud_run_v2_service.this.location
  role     = "roles/run.invoker"
  member   = each.value
}

# ---------------------------------------------------------------- logs

module "logs" {
  source = "../log-bucket"

  name           = "${var.name}-run-logs"
  description    = "Logs of Cloud Run service ${var.service_name}: its requests and containers"
  location       = var.region
  retention_days = var.log_retention_days
  filter         = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${var.service_name}\""
}

# ---------------------------------------------------------------- Cloud Run's own alerts

# What Prometheus cannot see: Cloud Run's metrics of the service, queried with PromQL. Each names
# its runbook.
locals {
  platform_alerts = {
    instances-below-minimum = {
      name     = "CloudRunInstancesBelowMinimum"
      level    = "page"
      severity = "CRITICAL"
      summary  = "Fewer than ${var.min_instances} instances of ${var.service_name} are running"
      query    = "sum(max_over_time(run_googleapis_com:container_instance_count{${local.run_selector},state=\"active\"}[5m])) < ${var.min_instances} or absent(run_googleapis_com:container_instance_count{${local.run_selector},state=\"active\"})"
      duration = "600s"
      runbook  = "cloud-run-instances-below-minimum.md"
    }
    cpu-saturation = {
      name     = "CloudRunCPUSaturation"
      level    = "notify"
      severity = "WARNING"
      summary  = "The instances of ${var.service_name} use more than 90% of their CPU"
      query    = "histogram_quantile(0.95, sum by (le) (rate(run_googleapis_com:container_cpu_utilizations_bucket{${local.run_selector},container_name=\"app\"}[5m]))) > 0.9"
      duration = "900s"
      runbook  = "cloud-run-cpu-saturation.md"
    }
    memory-saturation = {
      name     = "CloudRunMemorySaturation"
      level    = "notify"
      severity = "WARNING"
      summary  = "The instances of ${var.service_name} use more than 90% of their memory"
      query    = "histogram_quantile(0.95, sum by (le) (rate(run_googleapis_com:container_memory_utilizations_bucket{${local.run_selector},container_name=\"app\"}[5m]))) > 0.9"
      duration = "600s"
      runbook  = "cloud-run-memory-saturation.md"
    }
    server-errors = {
      name     = "CloudRunServerErrors"
      level    = "page"
      severity = "CRITICAL"
      summary  = "More than ${var.error_percent}% of the requests to ${var.service_name} end in 5xx at Cloud Run's edge"
      query    = "(sum(rate(run_googleapis_com:request_count{${local.run_selector},response_code_class=\"5xx\"}[5m])) / sum(rate(run_googleapis_com:request_count{${local.run_selector}}[5m]))) * 100 > ${var.error_percent} and sum(rate(run_googleapis_com:request_count{${local.run_selector}}[5m])) > 0.1"
      duration = "300s"
      runbook  = "cloud-run-server-errors.md"
    }
  }
}

resource "google_monitoring_alert_policy" "platform" {
  for_each = local.platform_alerts

  display_name = "${var.name}: ${each.value.name}"
  combiner     = "OR"
  severity     = each.value.severity
  enabled      = true
  user_labels  = merge(var.labels, { alertname = lower(each.value.name), level = each.value.level })

  notification_channels = var.notification_channels[each.value.level]

  conditions {
    display_name = each.value.summary
    condition_prometheus_query_language {
      query               = each.value.query
      duration            = each.value.duration
      evaluation_interval = "60s"
      alert_rule          = each.value.name
      # Cloud Run's metrics exist once the service has served; the policy may come first.
      disable_metric_validation = true
    }
  }

  documentation {
    subject   = "[${var.name}] ${each.value.summary}"
    content   = "${each.value.summary}.\n\nRunbook: ${var.runbook_url}/${each.value.runbook}"
    mime_type = "text/markdown"
  }

  alert_strategy {
    auto_close = "1800s"
  }
}

# A revision that cannot start (image, probes, settings) is reported by Cloud Run in its system
# event audit log.
resource "google_monitoring_alert_policy" "revision_failed" {
  display_name = "${var.name}: CloudRunRevisionFailed"
  combiner     = "OR"
  severity     = "ERROR"
  enabled      = true
  user_labels  = merge(var.labels, { alertname = "cloudrunrevisionfailed", level = "notify" })

  notification_channels = var.notification_channels["notify"]

  conditions {
    display_name = "A revision of ${var.service_name} failed to become ready"
    condition_matched_log {
      filter = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${var.service_name}\" AND log_id(\"cloudaudit.googleapis.com/system_event\") AND severity>=ERROR"
    }
  }

  documentation {
    subject   = "[${var.name}] A revision of ${var.service_name} failed"
    content   = "A revision of ${var.service_name} failed to become ready or stopped serving.\n\nRunbook: ${var.runbook_url}/cloud-run-revision-failed.md"
    mime_type = "text/markdown"
  }

  alert_strategy {
    notification_rate_limit {
      period = "3600s"
    }
    auto_close = "1800s"
  }
}
