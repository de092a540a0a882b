locals {
  # The rule file's groups, as Prometheus reads them. Azure takes at most 20 rules per rule group:
  # longer groups are split into numbered parts, evaluated at the same interval.
  rule_file = yamldecode(var.alert_rules)
  rule_groups = merge([
    for group in local.rule_file.groups : {
      for index, rules in chunklist(group.rules, 20) :
      (length(group.rules) > 20 ? "${group.name}-${index + 1}" : group.name) => {
        interval = upper("PT${try(group.interval, "1m")}")
        rules    = rules
      }
    }
  ]...)

  # Where an alert goes, by its severity label: the action group of that routing level.
  routing = {
    P0 = "page"
    P1 = "page"
    P2 = "notify"
    P3 = "notify"
    P4 = "ticket"
  }
}

# ---------------------------------------------------------------- managed Prometheus

# Azure Monitor managed service for Prometheus: the collector beside each replica of the service
# remote-writes here through the data collection rule below.
resource "azurerm_monitor_workspace" "this" {
  name                          = "amw-${var.name}"
  resource_group_name           = var.resource_group_name
  location                      = var.location
  public_network_access_enabled = true

  tags = var.tags
}

# Remote write lands on this endpoint; only identities with Monitoring Metrics Publisher on the
# rule may write, through Microsoft Entra ID.
resource "azurerm_monitor_data_collection_endpoint" "this" {
  name                          = "dce-${var.name}"
  resource_group_name           = var.resource_group_name
  location                      = var.location
  kind                          = "Linux"
  public_network_access_enabled = true
  description                   = "Prometheus remote write of ${var.name}"

  tags = var.tags
}

resource "azurerm_monitor_data_collection_rule" "this" {
  name                        = "dcr-${var.name}"
  resource_group_name         = var.resource_group_name
  location                    = var.location
  kind                        = "Linux"
  data_collection_endpoint_id = azurerm_monitor_data_collection_endpoint.this.id
  description                 = "Prometheus samples of ${var.name} into its Azure Monitor workspace"

  destinations {
    monitor_account {
      monitor_account_id = azurerm_monitor_workspace.this.id
      name               = "prometheus"
    }
  }

  data_flow {
    streams      = ["Microsoft-PrometheusMetrics"]
    destinations = ["prometheus"]
  }

  data_sources {
    prometheus_forwarder {
      name    = "remote-write"
      streams = ["Microsoft-PrometheusMetrics"]
    }
  }

  tags = var.tags
}

resource "azurerm_role_assignment" "publisher" {
  for_each = var.publisher_principal_ids

  scope                = azurerm_monitor_data_collection_rule.this.id
  role_definition_name = "Monitoring Metrics Publisher"
  principal_id         = each.value
  principal_type       = "ServicePrincipal"
}

# ---------------------------------------------------------------- action groups

# Page and notify: their receivers (a PagerDuty or Opsgenie webhook, a Logic App or Teams
# workflow for the chat) carry secrets in their URLs, so their owner adds them once in the portal;
# Terraform keeps the groups and leaves those receivers alone.
resource "azurerm_monitor_action_group" "chat" {
  for_each = { for level in ["page", "notify"] : level => var.action_group_names[level] }

  name                = each.value
  resource_group_name = var.resource_group_name
  short_name          = substr(each.key, 0, 12)

  tags = var.tags

  lifecycle {
    ignore_changes = [webhook_receiver, logic_app_receiver, email_receiver, sms_receiver, voice_receiver, azure_app_push_receiver, event_hub_receiver]
  }
}

# Ticket: e-mail to the team's address.
resource "azurerm_monitor_action_group" "ticket" {
  name                = var.action_group_names.ticket
  resource_group_name = var.resource_group_name
  short_name          = "ticket"

  email_receiver {
    name                    = "team"
    email_address           = var.ticket_email
    use_common_alert_schema = true
  }

  tags = var.tags
}

locals {
  action_group_ids = merge(
    { for level, group in azurerm_monitor_action_group.chat : level => group.id },
    { ticket = azurerm_monitor_action_group.ticket.id },
  )
}

# ---------------------------------------------------------------- alert rules

# The repository's rule file (monitoring/prometheus/alerts.yml, tested with promtool), evaluated
# by Azure Monitor over this workspace. Each alert goes to the action group of its severity.
resource "azurerm_monitor_alert_prometheus_rule_group" "this" {
  for_each = local.rule_groups

  name                = each.key
  resource_group_name = var.resource_group_name
  location            = var.location
  scopes              = [azurerm_monitor_workspace.this.id]
  interval            = each.value.interval
  rule_group_enabled  = true
  description         = "From monitoring/prometheus/alerts.yml of ${var.rule_source}"

  dynamic "rule" {
    for_each = each.value.rules
    content {
      record      = try(rule.value.record, null)
      alert       = try(rule.value.alert, null)
      expression  = rule.value.expr
      for         = can(rule.value.alert) ? upper("PT${try(rule.value["for"], "0m")}") : null
      severity    = can(rule.value.alert) ? tonumber(trimprefix(rule.value.labels.severity, "P")) : null
      labels      = try(rule.value.labels, null)
      annotations = try(rule.value.annotations, null)
      enabled     = true

      dynamic "action" {
        for_each = can(rule.value.alert) ? [local.routing[rule.value.labels.severity]] : []
        content {
          action_group_id = local.action_group_ids[action.value]
        }
      }

      dynamic "alert_resolution" {
        for_each = can(rule.value.alert) ? [true] : []
        content {
          auto_resolved   = true
          time_to_resolve = "PT10M"
        }
      }
    }
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = alltrue([for rule in each.value.rules : !can(rule.alert) || contains(keys(local.routing), try(rule.labels.severity, ""))])
      error_message = "Every alert of monitoring/prometheus/alerts.yml needs a severity label P0 to P4."
    }
  }
}

# ---------------------------------------------------------------- deletion protection

resource "azurerm_management_lock" "workspace" {
  count = var.deletion_protection ? 1 : 0

  name       = "keep-metrics"
  scope      = azurerm_monitor_workspace.this.id
  lock_level = "CanNotDelete"
  notes      = "Holds the service's Prometheus metrics. Set deletion_protection = false and apply before deleting."
}
