# ---------------------------------------------------------------- Application Gateway for Containers

# Managed by Terraform (the "bring your own" deployment): the ALB controller in the cluster only
# programs its routes from the chart's Gateway and cannot create or delete it.
resource "azurerm_application_load_balancer" "this" {
  name                = "alb-${var.name}"
  resource_group_name = var.resource_group_name
  location            = var.location

  tags = var.tags
}

resource "azurerm_application_load_balancer_subnet_association" "this" {
  name                         = "load-balancer"
  application_load_balancer_id = azurerm_application_load_balancer.this.id
  subnet_id                    = var.subnet_id

  tags = var.tags
}

# The public entry: a generated host name under alb.azure.com that the service's own host name
# is a CNAME of. One frontend belongs to one Gateway (the chart's).
resource "azurerm_application_load_balancer_frontend" "this" {
  name                         = var.frontend_name
  application_load_balancer_id = azurerm_application_load_balancer.this.id

  tags = var.tags
}

# ---------------------------------------------------------------- web application firewall

# Blocking in every environment, so that a false positive of the managed rules shows in dev before
# production's users meet it. Exclude a rule here, visibly, rather than switch a rule set off.
resource "azurerm_web_application_firewall_policy" "this" {
  #checkov:skip=CKV_AZURE_135:The check knows only the OWASP Core Rule Set 3.1/3.2, which Application Gateway for Containers does not take; the Default Rule Set 2.1 used here blocks Log4Shell (rule 944240, Java attacks) with no rule disabled.
  name                = "waf-${var.name}"
  resource_group_name = var.resource_group_name
  location            = var.location

  policy_settings {
    enabled                     = true
    mode                        = "Prevention"
    request_body_check          = true
    max_request_body_size_in_kb = 128
    file_upload_limit_in_mb     = 100
  }

  managed_rules {
    # Microsoft's rules for common attacks (OWASP Top 10, Log4Shell among them); Application
    # Gateway for Containers takes only the Default Rule Set, not the Core Rule Set.
    managed_rule_set {
      type    = "Microsoft_DefaultRuleSet"
      version = "2.1"
    }

    managed_rule_set {
      type    = "Microsoft_BotManagerRuleSet"
      version = "1.1"
    }
  }

  # Every request counts (no address is 255.255.255.255); past the limit within a minute, one
  # client address is blocked until its count drops.
  custom_rules {
    name                 = "RateLimitPerClientIp"
    priority             = 10
    rule_type            = "RateLimitRule"
    action               = "Block"
    rate_limit_duration  = "OneMin"
    rate_limit_threshold = var.rate_limit_per_minute
    group_rate_limit_by  = "ClientAddr"

    match_conditions {
      match_variables {
        variable_name = "RemoteAddr"
      }
      operator           = "IPMatch"
      negation_condition = true
      match_values       = ["255.255.255.255/32"]
    }
  }

  tags = var.tags
}

# No security policy here: the ALB controller creates the load balancer's security policy for this
# firewall policy from the chart's WebApplicationFirewallPolicy (its identity may program this load
# balancer and join this policy), and a WAF policy has a single security policy; a second one
# made here would clash with it or be billed for nothing.

# ---------------------------------------------------------------- logs

# Every request (access log) and every firewall decision, blocked or allowed, in the environment's
# workspace, in resource-specific tables (AGCAccessLogs, AGCFirewallLogs).
resource "azurerm_monitor_diagnostic_setting" "this" {
  name                           = "access"
  target_resource_id             = azurerm_application_load_balancer.this.id
  log_analytics_workspace_id     = var.log_analytics_workspace_id
  log_analytics_destination_type = "Dedicated"

  enabled_log {
    category = "TrafficControllerAccessLog"
  }

  enabled_log {
    category = "TrafficControllerFirewallLog"
  }
}

# ---------------------------------------------------------------- DNS

# The host name is Terraform's, so it follows the frontend if the frontend is ever replaced.
resource "azurerm_dns_cname_record" "this" {
  name                = var.record_name
  zone_name           = var.dns_zone_name
  resource_group_name = var.dns_zone_resource_group_name
  ttl                 = 300
  record              = azurerm_application_load_balancer_frontend.this.fully_qualified_domain_name

  tags = var.tags

  lifecycle {
    precondition {
      condition     = var.record_name != "@"
      error_message = "A zone apex cannot hold a CNAME record, and Application Gateway for Containers offers no alias target: publish this environment on a subdomain (www. or api.)."
    }
  }
}

# ---------------------------------------------------------------- the ALB controller's identity

# The ALB controller (deploy/ingress/install.sh) signs in as this identity through AKS workload
# identity: only its service account in this cluster may use it.
resource "azurerm_user_assigned_identity" "controller" {
  name                = "id-${var.name}-alb-controller"
  resource_group_name = var.resource_group_name
  location            = var.location

  tags = var.tags
}

resource "azurerm_federated_identity_credential" "controller" {
  name                      = "${var.controller_namespace}-${var.controller_service_account}"
  user_assigned_identity_id = azurerm_user_assigned_identity.controller.id
  issuer                    = var.oidc_issuer_url
  subject                   = "system:serviceaccount:${var.controller_namespace}:${var.controller_service_account}"
  audience                  = ["api://AzureADTokenExchange"]
}

# The rights Microsoft documents for a controller that uses an existing load balancer, each on
# the one resource it concerns: programming this load balancer, joining its subnet, attaching the
# firewall policy; and reading the cluster's resource group, where it finds the cluster.
locals {
  controller_roles = {
    configuration = { scope = azurerm_application_load_balancer.this.id, role = "AppGw for Containers Configuration Manager" }
    subnet        = { scope = var.subnet_id, role = "Network Contributor" }
    waf           = { scope = azurerm_web_application_firewall_policy.this.id, role = "Network Contributor" }
    cluster       = { scope = var.cluster_resource_group_id, role = "Reader" }
  }
}

resource "azurerm_role_assignment" "controller" {
  for_each = local.controller_roles

  scope                = each.value.scope
  role_definition_name = each.value.role
  principal_id         = azurerm_user_assigned_identity.controller.principal_id
  principal_type       = "ServicePrincipal"
}
