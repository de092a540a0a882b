output "budget_name" {
  description = "Name of the budget."
  value       = try(aws_budgets_budget.this.name, null)
}

output "budget_id" {
  description = "ID of the budget (`<account>:<name>`)."
  value       = try(aws_budgets_budget.this.id, null)
}
