# ---------------------------------------------------------------- budgets (one per environment)
# Every environment lives in the same project, so each budget counts the costs labelled
# environment = <env> (the environments' providers put that label on everything they create;
# GKE passes it on to the nodes). Costs without the label, such as this bootstrap's, count in
# no budget.

resource "google_monitoring_notification_channel" "budget" {
  for_each = toset(var.budget_notification_emails)

  display_name = "Budget alerts: ${each.value}"
  type         = "email"
  labels = {
    email_address = each.value
  }

  depends_on = [google_project_service.this]
}

resource "google_billing_budget" "environment" {
  for_each = var.environments

  billing_account = data.google_project.this.billing_account
  display_name    = substr(each.value.resource_prefix, 0, 60)

  budget_filter {
    projects               = ["projects/${data.google_project.this.number}"]
    labels                 = { environment = each.key }
    calendar_period        = "MONTH"
    credit_types_treatment = "INCLUDE_ALL_CREDITS"
  }

  amount {
    specified_amount {
      currency_code = var.budget_currency
      units         = tostring(each.value.budget)
    }
  }

  threshold_rules {
    threshold_percent = 0.8
    spend_basis       = "CURRENT_SPEND"
  }

  threshold_rules {
    threshold_percent = 1.0
    spend_basis       = "FORECASTED_SPEND"
  }

  all_updates_rule {
    monitoring_notification_channels = [for channel in google_monitoring_notification_channel.budget : channel.id]
    # The billing account's administrators are told as well.
    disable_default_iam_recipients = false
  }

  lifecycle {
    precondition {
      condition     = try(length(data.google_project.this.billing_account) > 0, false)
      error_message = "Project ${var.project_id} has no billing account: link one before applying."
    }
  }

  depends_on = [google_project_service.this]
}
