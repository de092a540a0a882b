# ---------------------------------------------------------------- budgets (one per environment)
# An environment's costs lie in two resource groups: its own and the one AKS creates for its nodes,
# disks and load balancers (most of the bill). A subscription budget filtered on both counts
# them all; a resource group budget would miss the nodes. Amounts are in the billing account's
# currency.

resource "azurerm_consumption_budget_subscription" "environment" {
  for_each = var.environments

  name            = "budget-${each.value.resource_group}"
  subscription_id = data.azurerm_subscription.this.id
  amount          = each.value.budget
  time_grain      = "Monthly"

  time_period {
    start_date = formatdate("YYYY-MM-01'T'00:00:00Z", timestamp())
  }

  filter {
    dimension {
      name     = "ResourceGroupName"
      operator = "In"
      values   = [each.value.resource_group, each.value.node_resource_group]
    }
  }

  notification {
    enabled        = true
    threshold      = 80
    threshold_type = "Actual"
    operator       = "GreaterThanOrEqualTo"
    contact_emails = var.budget_notification_emails
  }

  notification {
    enabled        = true
    threshold      = 100
    threshold_type = "Forecasted"
    operator       = "GreaterThan"
    contact_emails = var.budget_notification_emails
  }

  lifecycle {
    # The start is the month of creation; later applies keep it.
    ignore_changes = [time_period]
  }
}
