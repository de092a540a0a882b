resource "aws_budgets_budget" "this" {
  name         = var.name
  budget_type  = "COST"
  limit_amount = tostring(var.limit_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  dynamic "cost_filter" {
    # Without a tag filter the budget counts every cost of the account.
    for_each = var.cost_filter_tag_key != null && var.cost_filter_tag_value != null ? [1] : []
    content {
      name   = "TagKeyValue"
      values = [format("user:%s$%s", var.cost_filter_tag_key, var.cost_filter_tag_value)]
    }
  }

  notification {
    comparison_operator        = "GREATER_THAN"
    threshold                  = 80
    threshold_type             = "PERCENTAGE"
    notification_type          = "ACTUAL"
    subscriber_email_addresses = var.notification_emails
  }

  notification {
    comparison_operator        = "GREATER_THAN"
    threshold                  = 100
    threshold_type             = "PERCENTAGE"
    notification_type          = "FORECASTED"
    subscriber_email_addresses = var.notification_emails
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = (var.cost_filter_tag_key == null) == (var.cost_filter_tag_value == null)
      error_message = "Set cost_filter_tag_key and cost_filter_tag_value together, or neither."
    }
  }
}
