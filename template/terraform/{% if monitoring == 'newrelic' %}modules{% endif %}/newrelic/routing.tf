# Who each severity notifies: a workflow per route picks the issues of its policies (main.tf) and
# sends them to its channels. Slack and PagerDuty are connected once in New Relic (Alerts >
# Destinations) and referenced by ID; until Slack is, chat goes to the e-mail destination, which is
# created here. No secret is stored.
locals {
  route_policies = {
    for route in distinct(values(local.routing)) : route => [
      for severity, policy in newrelic_alert_policy.severity : policy.id if local.routing[severity] == route
    ]
  }

  route_channels = {
    page   = concat([for channel in newrelic_notification_channel.pagerduty : channel.id], local.chat_channels)
    chat   = local.chat_channels
    ticket = [newrelic_notification_channel.email.id]
  }

  chat_channels = (
    var.slack_destination_id == null ? [newrelic_notification_channel.email.id] : newrelic_notification_channel.slack[*].id
  )
}

resource "newrelic_notification_channel" "slack" {
  count = var.slack_destination_id == null ? 0 : 1

  account_id     = var.account_id
  name           = "Slack: ${local.name_suffix}"
  type           = "SLACK"
  product        = "IINT"
  destination_id = var.slack_destination_id

  property {
    key   = "channelId"
    value = var.slack_channel_id
  }
}

resource "newrelic_notification_channel" "pagerduty" {
  count = var.pagerduty_destination_id == null ? 0 : 1

  account_id     = var.account_id
  name           = "PagerDuty: ${local.name_suffix}"
  type           = "PAGERDUTY_SERVICE_INTEGRATION"
  product        = "IINT"
  destination_id = var.pagerduty_destination_id

  property {
    key   = "summary"
    value = "{{ annotations.title.[0] }}"
  }
}

resource "newrelic_notification_destination" "email" {
  account_id = var.account_id
  name       = "E-mail (tickets): ${local.name_suffix}"
  type       = "EMAIL"

  property {
    key   = "email"
    value = join(",", var.ticket_emails)
  }
}

resource "newrelic_notification_channel" "email" {
  account_id     = var.account_id
  name           = "E-mail (tickets): ${local.name_suffix}"
  type           = "EMAIL"
  product        = "IINT"
  destination_id = newrelic_notification_destination.email.id

  property {
    key   = "subject"
    value = "{{ issueTitle }}"
  }
}

resource "newrelic_workflow" "route" {
  for_each = local.route_policies

  account_id            = var.account_id
  name                  = "${each.key}: ${local.name_suffix}"
  muting_rules_handling = "NOTIFY_ALL_ISSUES"

  issues_filter {
    name = "${each.key} policies"
    type = "FILTER"

    predicate {
      attribute = "labels.policyIds"
      operator  = "EXACTLY_MATCHES"
      values    = each.value
    }
  }

  dynamic "destination" {
    for_each = local.route_channels[each.key]
    content {
      channel_id = destination.value
    }
  }
}
