locals {
  # From the project's audit logs, on this environment's secrets (`<secret_prefix>*` and their
  # versions): every read of a value (AccessSecretVersion, in the Data Access log that
  # terraform/bootstrap turns on for Secret Manager) by anyone but the workload that should read
  # them, and every change (new, disabled, enabled or destroyed version, deletion, new IAM policy
  # or settings; Admin Activity log) by anyone. Reads of metadata, such as a plan's, are not counted.
  # The workload may be logged under any of its names (a GKE pod's Kubernetes service account as
  # principal://... or as serviceAccount:<pool>[<namespace>/<name>]): none of them counts.
  workload = join(" OR ", [for p in concat([var.workload_principal], var.workload_principal_aliases) : "protoPayload.authenticationInfo.${var.principal_field}=\"${p}\""])
  read     = "log_id(\"cloudaudit.googleapis.com/data_access\") AND protoPayload.methodName=\"google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion\" AND NOT (${local.workload})"
  change   = "log_id(\"cloudaudit.googleapis.com/activity\") AND protoPayload.methodName=~\"SecretManagerService.(AddSecretVersion|DisableSecretVersion|EnableSecretVersion|DestroySecretVersion|DeleteSecret|UpdateSecret|SetIamPolicy)$\""
  filter = join(" AND ", compact([
    "protoPayload.serviceName=\"secretmanager.googleapis.com\"",
    "protoPayload.resourceName=~\"/secrets/${var.secret_prefix}[^/]+(/versions/[^/]+)?$\"",
    # Secrets that hold no secret value and that CI manages (Cloud Run's collector configuration).
    length(var.ignored_secret_ids) == 0 ? "" : "NOT protoPayload.resourceName=~\"/secrets/(${join("|", var.ignored_secret_ids)})(/versions/[^/]+)?$\"",
    "((${local.read}) OR (${local.change}))",
  ]))
}

# One count per read or change, labelled with who, what and which secret.
resource "google_logging_metric" "this" {
  name        = "${var.name}-secret-access"
  description = "Reads of the values of the ${var.secret_prefix}* secrets by a principal other than ${var.workload_principal}, and changes of those secrets"
  filter      = local.filter

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "${var.name}: unexpected secret accesses"

    labels {
      key         = "principal"
      value_type  = "STRING"
      description = "Who read the value"
    }

    labels {
      key         = "method"
      value_type  = "STRING"
      description = "Read (AccessSecretVersion) or which change"
    }

    labels {
      key         = "secret"
      value_type  = "STRING"
      description = "Which secret version"
    }
  }

  label_extractors = {
    principal = "EXTRACT(protoPayload.authenticationInfo.${var.principal_field})"
    method    = "REGEXP_EXTRACT(protoPayload.methodName, \"([A-Za-z]+)$\")"
    secret    = "EXTRACT(protoPayload.resourceName)"
  }
}

resource "google_monitoring_alert_policy" "this" {
  display_name = "${var.name}: UnexpectedSecretAccess"
  combiner     = "OR"
  severity     = "WARNING"
  enabled      = true
  user_labels  = merge(var.labels, { alertname = "unexpectedsecretaccess", severity = "p3", level = "notify" })

  notification_channels = var.notification_channels

  conditions {
    display_name = "A secret of ${var.name} was read by a principal other than its workload, or changed"
    condition_threshold {
      # No resource.type: the metric takes the audit entries' monitored resource, whatever it is.
      filter          = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.this.name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"

      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.principal", "metric.label.method", "metric.label.secret"]
      }

      trigger {
        count = 1
      }
    }
  }

  documentation {
    subject   = "[${var.name}] $${metric.label.method} of a secret by $${metric.label.principal}"
    content   = "$${metric.label.principal} called $${metric.label.method} on $${metric.label.secret}. Only ${var.workload_principal} should read the values; changes are made by people, deliberately.\n\nRunbook: ${var.runbook_url}"
    mime_type = "text/markdown"
  }

  alert_strategy {
    auto_close = "1800s"
  }
}
