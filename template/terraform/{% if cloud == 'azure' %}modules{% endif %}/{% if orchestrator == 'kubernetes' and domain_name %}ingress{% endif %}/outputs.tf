output "id" {
  description = "Resource ID of the Application Gateway for Containers (the chart's Gateway annotation alb.networking.azure.io/alb-id)."
  value       = try(azurerm_application_load_balancer.this.id, null)
}

output "frontend_name" {
  description = "Name of the frontend the chart's Gateway uses."
  value       = try(azurerm_application_load_balancer_frontend.this.name, null)
}

output "frontend_fqdn" {
  description = "Generated host name of the frontend; the service's host name is a CNAME of it."
  value       = try(azurerm_application_load_balancer_frontend.this.fully_qualified_domain_name, null)
}

output "waf_policy_id" {
  description = "Resource ID of the web application firewall policy (the chart's WebApplicationFirewallPolicy)."
  value       = try(azurerm_web_application_firewall_policy.this.id, null)
}

output "host_name" {
  description = "Fully qualified host name of the service."
  value       = try(trimsuffix(azurerm_dns_cname_record.this.fqdn, "."), null)
}

output "controller_client_id" {
  description = "Client ID of the ALB controller's identity (its Helm value albController.podIdentity.clientID)."
  value       = try(azurerm_user_assigned_identity.controller.client_id, null)
}
