locals {
  # Container Apps sizes a replica in fixed steps of 0.25 vCPU with 2 GiB per vCPU, summed over its
  # containers: the app gets at least var.cpu and enough vCPU for var.memory_mib, the collector
  # the smallest step.
  app_cpu       = max(var.cpu, ceil(var.memory_mib / 512) / 4)
  collector_cpu = 0.25

  # The collector beside the app: scrapes its /metrics as Prometheus job var.scrape_job_name, one
  # instance per replica, and remote-writes to the Azure Monitor workspace as the app's identity.
  collector_config = yamlencode({
    extensions = {
      azureauth = {
        managed_identity = { client_id = var.identity_client_id }
        scopes           = ["https://monitor.azure.com/.default"]
      }
      # Container Apps probes the replica's IP, not its loopback: the extension the collector's
      # liveness probe calls listens on every interface (as the app does, HOST defaults to 0.0.0.0).
      health_check = { endpoint = "0.0.0.0:13133" }
    }
    receivers = {
      prometheus = {
        config = {
          scrape_configs = [{
            job_name        = var.scrape_job_name
            scrape_interval = "30s"
            scrape_timeout  = "10s"
            metrics_path    = "/metrics"
            static_configs  = [{ targets = ["127.0.0.1:${var.port}"] }]
            relabel_configs = [
              { target_label = "instance", replacement = "$${env:CONTAINER_APP_REPLICA_NAME}" },
              { target_label = "revision", replacement = "$${env:CONTAINER_APP_REVISION}" },
            ]
          }]
        }
      }
    }
    processors = {
      batch = {}
    }
    exporters = {
      prometheusremotewrite = {
        endpoint                         = var.remote_write_url
        auth                             = { authenticator = "azureauth" }
        resource_to_telemetry_conversion = { enabled = false }
        target_info                      = { enabled = false }
        retry_on_failure                 = { enabled = true }
        remote_write_queue               = { enabled = true }
        add_metric_suffixes              = false
        send_metadata                    = false
        max_batch_size_bytes             = 1000000
      }
    }
    service = {
      extensions = ["azureauth", "health_check"]
      pipelines = {
        metrics = {
          receivers  = ["prometheus"]
          processors = ["batch"]
          exporters  = ["prometheusremotewrite"]
        }
      }
      telemetry = { logs = { level = "warn" } }
    }
  })

  # Alerts of the platform's own metrics, for what Prometheus cannot see: severity, the metric and
  # its threshold, and the runbook (docs/runbooks/<runbook>.md).
  metric_alerts = {
    ReplicasBelowMinimum = {
      runbook     = "replicas-below-minimum"
      severity    = "P1"
      metric      = "Replicas"
      aggregation = "Minimum"
      operator    = "LessThan"
      threshold   = var.min_replicas
      window      = "PT10M"
      dimension   = null
      summary     = "fewer than ${var.min_replicas} replicas of ${var.service_name} have run for 10 minutes"
    }
    ContainerAppCpuSaturation = {
      runbook     = "container-app-cpu-saturation"
      severity    = "P3"
      metric      = "CpuPercentage"
      aggregation = "Average"
      operator    = "GreaterThan"
      threshold   = 85
      window      = "PT15M"
      dimension   = null
      summary     = "the replicas of ${var.service_name} have used more than 85% of their CPU for 15 minutes"
    }
    ContainerAppMemorySaturation = {
      runbook     = "container-app-memory-saturation"
      severity    = "P3"
      metric      = "MemoryPercentage"
      aggregation = "Average"
      operator    = "GreaterThan"
      threshold   = 90
      window      = "PT15M"
      dimension   = null
      summary     = "the replicas of ${var.service_name} have used more than 90% of their memory for 15 minutes"
    }
    Edge5xxErrors = {
      runbook     = "edge-5xx-errors"
      severity    = "P2"
      metric      = "Requests"
      aggregation = "Total"
      operator    = "GreaterThan"
      threshold   = var.edge_5xx_threshold
      window      = "PT5M"
      dimension   = { name = "statusCodeCategory", values = ["5xx"] }
      summary     = "the ingress of ${var.service_name} answered more than ${var.edge_5xx_threshold} requests with 5xx in 5 minutes"
    }
  }
  severity_level = { P0 = "page", P1 = "page", P2 = "notify", P3 = "notify", P4 = "ticket" }
}

# ---------------------------------------------------------------- environment

# The Container Apps environment in the VNet, reachable from the VNet only (an internal load
# balancer): the service is not on the internet until a gateway with TLS and a WAF is added in
# front of it. Its system and console logs go to the environment's Log Analytics workspace.
resource "azurerm_container_app_environment" "this" {
  name                               = var.environment_name
  resource_group_name                = var.resource_group_name
  location                           = var.location
  log_analytics_workspace_id         = var.log_analytics_workspace_id
  logs_destination                   = "log-analytics"
  infrastructure_subnet_id           = var.subnet_id
  infrastructure_resource_group_name = var.infrastructure_resource_group_name
  internal_load_balancer_enabled     = true
  public_network_access              = "Disabled"
  zone_redundancy_enabled            = var.zone_redundant
  mutual_tls_enabled                 = true

  workload_profile {
    name                  = "Consumption"
    workload_profile_type = "Consumption"
  }

  tags = var.tags
}

# The environment's apps answer on <app>.<default domain> at its internal address: this zone
# resolves those names inside the VNet (and in networks linked or peered to it).
resource "azurerm_private_dns_zone" "this" {
  name                = azurerm_container_app_environment.this.default_domain
  resource_group_name = var.resource_group_name

  tags = var.tags
}

resource "azurerm_private_dns_a_record" "apps" {
  name                = "*"
  private_dns_zone_id = azurerm_private_dns_zone.this.id
  ttl                 = 300
  records             = [azurerm_container_app_environment.this.static_ip_address]

  tags = var.tags
}

resource "azurerm_private_dns_zone_virtual_network_link" "this" {
  name                 = var.name
  private_dns_zone_id  = azurerm_private_dns_zone.this.id
  virtual_network_id   = var.vnet_id
  registration_enabled = false

  tags = var.tags
}

# ---------------------------------------------------------------- the service

# Multiple revisions: every change of the template (a new image above all) makes a new revision
# that gets no traffic. deploy/release.py tags it, tests it through its own address and moves
# the traffic to it by the strategy; Terraform never moves traffic.
resource "azurerm_container_app" "this" {
  name                         = var.service_name
  resource_group_name          = var.resource_group_name
  container_app_environment_id = azurerm_container_app_environment.this.id
  revision_mode                = "Multiple"
  workload_profile_name        = "Consumption"
  # inactive revisions kept, each a rollback target
  max_inactive_revisions = var.max_inactive_revisions

  identity {
    type         = "UserAssigned"
    identity_ids = [var.identity_id]
  }

  registry {
    server   = var.registry_server
    identity = var.identity_id
  }

  # Key Vault references: Container Apps reads each secret with the app's identity (Key Vault
  # Secrets User on the environment's vault) and follows new versions of a versionless ID within
  # 30 minutes; no value is in this configuration or in the state.
  dynamic "secret" {
    for_each = var.secrets
    content {
      name                = secret.key
      key_vault_secret_id = secret.value.key_vault_secret_id
      identity            = var.identity_id
    }
  }

  ingress {
    # "external" in an internal environment: reachable from the VNet, not from the internet
    external_enabled           = true
    target_port                = var.port
    transport                  = "auto"
    allow_insecure_connections = false

    # Only when the app is created: its first revision takes the traffic. From then on the
    # release script owns the traffic weights.
    traffic_weight {
      latest_revision = true
      percentage      = 100
    }
  }

  template {
    min_replicas                     = var.min_replicas
    max_replicas                     = var.max_replicas
    termination_grace_period_seconds = 30

    dynamic "volume" {
      for_each = length(var.secrets) > 0 ? [1] : []
      content {
        name         = "secrets"
        storage_type = "Secret"
      }
    }

    http_scale_rule {
      name                = "http-concurrency"
      concurrent_requests = tostring(var.concurrent_requests)
    }

    container {
      name   = "app"
      image  = var.image
      cpu    = local.app_cpu
      memory = "${local.app_cpu * 2}Gi"

      dynamic "env" {
        for_each = var.environment_variables
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = { for name, secret in var.secrets : secret.environment_variable => name if secret.environment_variable != null }
        content {
          name        = env.key
          secret_name = env.value
        }
      }

      # Every secret as a read-only file named after it.
      dynamic "volume_mounts" {
        for_each = length(var.secrets) > 0 ? [1] : []
        content {
          name = "secrets"
          path = var.secrets_path
        }
      }

      startup_probe {
        transport               = "HTTP"
        port                    = var.port
        path                    = "/healthz"
        interval_seconds        = 5
        timeout                 = 3
        failure_count_threshold = 24
      }

      liveness_probe {
        transport               = "HTTP"
        port                    = var.port
        path                    = "/healthz"
        interval_seconds        = 10
        timeout                 = 3
        failure_count_threshold = 3
      }

      readiness_probe {
        transport               = "HTTP"
        port                    = var.port
        path                    = "/readyz"
        interval_seconds        = 5
        timeout                 = 3
        failure_count_threshold = 3
        success_count_threshold = 1
      }
    }

    container {
      name   = "collector"
      image  = var.collector_image
      cpu    = local.collector_cpu
      memory = "${local.collector_cpu * 2}Gi"
      args   = ["--config=env:COLLECTOR_CONFIG"]

      env {
        name  = "COLLECTOR_CONFIG"
        value = local.collector_config
      }

      liveness_probe {
        transport = "HTTP"
        port      = 13133
        path      = "/"
      }
    }
  }

  tags = var.tags

  lifecycle {
    # deploy/release.py moves the traffic between revisions (ADR 12).
    ignore_changes = [ingress[0].traffic_weight]
  }
}

# ---------------------------------------------------------------- alerts of the platform

resource "azurerm_monitor_metric_alert" "this" {
  for_each = local.metric_alerts

  name                = "${var.name}-${each.key}"
  resource_group_name = var.resource_group_name
  scopes              = [azurerm_container_app.this.id]
  description         = "${each.value.severity}: ${each.value.summary}. Runbook: ${var.runbook_url}/${each.value.runbook}.md"
  severity            = tonumber(trimprefix(each.value.severity, "P"))
  frequency           = "PT1M"
  window_size         = each.value.window
  auto_mitigate       = true

  criteria {
    metric_namespace = "Microsoft.App/containerApps"
    metric_name      = each.value.metric
    aggregation      = each.value.aggregation
    operator         = each.value.operator
    threshold        = each.value.threshold

    dynamic "dimension" {
      for_each = each.value.dimension == null ? [] : [each.value.dimension]
      content {
        name     = dimension.value.name
        operator = "Include"
        values   = dimension.value.values
      }
    }
  }

  action {
    action_group_id = var.action_group_ids[local.severity_level[each.value.severity]]
  }

  tags = var.tags
}

# A change of the app that Azure refused or could not finish: a revision that failed to
# provision, a traffic change that did not apply.
resource "azurerm_monitor_activity_log_alert" "revision_failed" {
  name                = "${var.name}-RevisionFailed"
  resource_group_name = var.resource_group_name
  location            = "global"
  scopes              = [azurerm_container_app.this.id]
  description         = "P2: a change of ${var.service_name} (a new revision, a traffic change) failed. Runbook: ${var.runbook_url}/revision-failed.md"

  criteria {
    category       = "Administrative"
    operation_name = "Microsoft.App/containerApps/write"
    status         = "Failed"
  }

  action {
    action_group_id = var.action_group_ids.notify
  }

  tags = var.tags
}

# ---------------------------------------------------------------- deletion protection

resource "azurerm_management_lock" "environment" {
  count = var.deletion_protection ? 1 : 0

  name       = "keep-environment"
  scope      = azurerm_container_app_environment.this.id
  lock_level = "CanNotDelete"
  notes      = "Runs the service. Set deletion_protection = false and apply before deleting."
}
