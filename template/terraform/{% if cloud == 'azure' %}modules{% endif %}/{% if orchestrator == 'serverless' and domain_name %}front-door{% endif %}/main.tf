locals {
  # The host name relative to its zone: "@" for the zone's apex.
  record_name = var.hostname == var.dns_zone_name ? "@" : trimsuffix(var.hostname, ".${var.dns_zone_name}")
  # Front Door proves control of the host name with a TXT record under _dnsauth.
  validation_record_name = local.record_name == "@" ? "_dnsauth" : "_dnsauth.${local.record_name}"
  # Front Door policy and rule names take letters and digits only.
  compact_name = replace(var.name, "-", "")
  # Container Apps answers for a revision label on <app>---<label>.<environment's default domain>.
  candidate_host_name = "${var.service_name}---${var.candidate_label}.${var.default_domain}"
  # deploy/release.py approves the pending connections that carry this message, and no other.
  private_link_request = "Front Door ${azurerm_cdn_frontdoor_profile.this.resource_guid}"
  # Front Door makes its private endpoint in one of the regions that offer Front Door Private Link;
  # for an environment elsewhere, in the nearest of them
  # (https://learn.microsoft.com/azure/frontdoor/private-link#region-availability).
  private_link_location = lookup({
    israelcentral    = "uaenorth"
    italynorth       = "germanywestcentral"
    newzealandnorth  = "australiaeast"
    polandcentral    = "germanywestcentral"
    qatarcentral     = "uaenorth"
    spaincentral     = "francecentral"
    switzerlandnorth = "germanywestcentral"
  }, var.location, var.location)
}

# ---------------------------------------------------------------- profile and endpoint

# Premium: the only tier with Private Link origins and the managed WAF rule sets.
resource "azurerm_cdn_frontdoor_profile" "this" {
  name                     = "afd-${var.name}"
  resource_group_name      = var.resource_group_name
  sku_name                 = "Premium_AzureFrontDoor"
  response_timeout_seconds = 60

  tags = var.tags
}

resource "azurerm_cdn_frontdoor_endpoint" "this" {
  name                     = var.name
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.this.id
  enabled                  = true

  tags = var.tags
}

# ---------------------------------------------------------------- origins, through Private Link

# Front Door reaches the internal Container Apps environment through a private endpoint it makes
# in the environment: no public address anywhere behind it. The connection waits for approval on
# the environment (deploy/release.py approves it).
# No health probe: with one origin there is nothing to fail over to, and every Front Door edge
# location would probe on its own, several requests a second that would count in the traffic a
# release judges. The environment's ingress sends requests only to replicas whose /readyz answers.
resource "azurerm_cdn_frontdoor_origin_group" "service" {
  name                     = "service"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.this.id
  session_affinity_enabled = false

  load_balancing {}
}

resource "azurerm_cdn_frontdoor_origin" "service" {
  name                           = "service"
  cdn_frontdoor_origin_group_id  = azurerm_cdn_frontdoor_origin_group.service.id
  enabled                        = true
  host_name                      = var.origin_host_name
  origin_host_header             = var.origin_host_name
  https_port                     = 443
  http_port                      = 80
  certificate_name_check_enabled = true
  priority                       = 1
  weight                         = 1000

  private_link {
    target_type            = "managedEnvironments"
    private_link_target_id = var.environment_id
    location               = local.private_link_location
    request_message        = local.private_link_request
  }
}

# The revision under test in a release: requests with the candidate header reach it (the rule set
# below), whatever its share of the traffic. One origin, so no health probe.
resource "azurerm_cdn_frontdoor_origin_group" "candidate" {
  name                     = "candidate"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.this.id
  session_affinity_enabled = false

  load_balancing {}
}

resource "azurerm_cdn_frontdoor_origin" "candidate" {
  name                           = "candidate"
  cdn_frontdoor_origin_group_id  = azurerm_cdn_frontdoor_origin_group.candidate.id
  enabled                        = true
  host_name                      = local.candidate_host_name
  origin_host_header             = local.candidate_host_name
  https_port                     = 443
  http_port                      = 80
  certificate_name_check_enabled = true

  private_link {
    target_type            = "managedEnvironments"
    private_link_target_id = var.environment_id
    location               = local.private_link_location
    request_message        = local.private_link_request
  }
}

resource "azurerm_cdn_frontdoor_rule_set" "release" {
  name                     = "release"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.this.id
}

resource "azurerm_cdn_frontdoor_rule" "candidate" {
  name                      = "candidate"
  cdn_frontdoor_rule_set_id = azurerm_cdn_frontdoor_rule_set.release.id
  order                     = 1
  behaviour_on_match        = "Stop"

  conditions {
    request_header {
      name       = var.candidate_header
      operator   = "Equal"
      values     = [var.candidate_label]
      transforms = ["Lowercase"]
    }
  }

  actions {
    route_configuration_override {
      origin_group {
        cdn_frontdoor_origin_group_id = azurerm_cdn_frontdoor_origin_group.candidate.id
        forwarding_protocol           = "HttpsOnly"
      }
    }
  }

  depends_on = [azurerm_cdn_frontdoor_origin.candidate]
}

# ---------------------------------------------------------------- the host name and its certificate

# A certificate that Front Door issues and renews for the host name, once the TXT record below
# proves control of it; clients must speak TLS 1.2 or later.
resource "azurerm_cdn_frontdoor_custom_domain" "this" {
  name                     = replace(var.hostname, ".", "-")
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.this.id
  host_name                = var.hostname

  tls {
    certificate_type = "ManagedCertificate"
    minimum_version  = "TLS12"
  }
}

resource "azurerm_dns_txt_record" "validation" {
  name                = local.validation_record_name
  zone_name           = var.dns_zone_name
  resource_group_name = var.dns_zone_resource_group_name
  ttl                 = 3600

  record {
    value = azurerm_cdn_frontdoor_custom_domain.this.validation_token
  }

  tags = var.tags
}

# The apex cannot hold a CNAME: there, an alias A record follows the endpoint's addresses.
resource "azurerm_dns_cname_record" "this" {
  count = local.record_name == "@" ? 0 : 1

  name                = local.record_name
  zone_name           = var.dns_zone_name
  resource_group_name = var.dns_zone_resource_group_name
  ttl                 = 300
  record              = azurerm_cdn_frontdoor_endpoint.this.host_name

  tags = var.tags
}

resource "azurerm_dns_a_record" "apex" {
  count = local.record_name == "@" ? 1 : 0

  name                = "@"
  zone_name           = var.dns_zone_name
  resource_group_name = var.dns_zone_resource_group_name
  ttl                 = 300
  target_resource_id  = azurerm_cdn_frontdoor_endpoint.this.id

  tags = var.tags
}

# ---------------------------------------------------------------- the route: HTTPS only

# HTTPS on the host name only (not the endpoint's azurefd.net name); plain HTTP gets a redirect to
# HTTPS and never reaches the service. Nothing is cached: every request reaches a revision.
resource "azurerm_cdn_frontdoor_route" "this" {
  name                            = "service"
  cdn_frontdoor_endpoint_id       = azurerm_cdn_frontdoor_endpoint.this.id
  cdn_frontdoor_origin_group_id   = azurerm_cdn_frontdoor_origin_group.service.id
  cdn_frontdoor_origin_ids        = [azurerm_cdn_frontdoor_origin.service.id]
  cdn_frontdoor_rule_set_ids      = [azurerm_cdn_frontdoor_rule_set.release.id]
  cdn_frontdoor_custom_domain_ids = [azurerm_cdn_frontdoor_custom_domain.this.id]
  enabled                         = true
  supported_protocols             = ["Http", "Https"]
  https_redirect_enabled          = true
  forwarding_protocol             = "HttpsOnly"
  patterns_to_match               = ["/*"]
  link_to_default_domain          = false

  depends_on = [azurerm_cdn_frontdoor_rule.candidate]
}

resource "azurerm_cdn_frontdoor_custom_domain_association" "this" {
  cdn_frontdoor_custom_domain_id = azurerm_cdn_frontdoor_custom_domain.this.id
  cdn_frontdoor_route_ids        = [azurerm_cdn_frontdoor_route.this.id]
}

# ---------------------------------------------------------------- web application firewall

# Blocks, in every environment: Microsoft's default rule set (OWASP top ten and Microsoft's threat
# intelligence), the bot manager rules, and more than rate_limit_per_minute requests a minute from
# one client address. Every match is in the WAF log.
resource "azurerm_cdn_frontdoor_firewall_policy" "this" {
  name                              = "waf${local.compact_name}"
  resource_group_name               = var.resource_group_name
  sku_name                          = "Premium_AzureFrontDoor"
  enabled                           = true
  mode                              = "Prevention"
  request_body_check_enabled        = true
  custom_block_response_status_code = 403

  custom_rule {
    name                           = "RateLimitPerClient"
    enabled                        = true
    priority                       = 100
    type                           = "RateLimitRule"
    action                         = "Block"
    rate_limit_duration_in_minutes = 1
    rate_limit_threshold           = var.rate_limit_per_minute

    match_condition {
      match_variable = "RemoteAddr"
      operator       = "IPMatch"
      match_values   = ["0.0.0.0/0", "::/0"]
    }
  }

  managed_rule {
    type    = "Microsoft_DefaultRuleSet"
    version = "2.1"
    action  = "Block"
  }

  managed_rule {
    type    = "Microsoft_BotManagerRuleSet"
    version = "1.1"
    action  = "Block"
  }

  tags = var.tags
}

resource "azurerm_cdn_frontdoor_security_policy" "this" {
  name                     = "waf"
  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.this.id

  security_policies {
    firewall {
      cdn_frontdoor_firewall_policy_id = azurerm_cdn_frontdoor_firewall_policy.this.id

      association {
        patterns_to_match = ["/*"]

        domain {
          cdn_frontdoor_domain_id = azurerm_cdn_frontdoor_custom_domain.this.id
        }

        domain {
          cdn_frontdoor_domain_id = azurerm_cdn_frontdoor_endpoint.this.id
        }
      }
    }
  }
}

# ---------------------------------------------------------------- logs

# Every request (access log), the WAF's decisions and the health probes, in the environment's
# Log Analytics workspace.
resource "azurerm_monitor_diagnostic_setting" "this" {
  name                       = "logs"
  target_resource_id         = azurerm_cdn_frontdoor_profile.this.id
  log_analytics_workspace_id = var.log_analytics_workspace_id

  dynamic "enabled_log" {
    for_each = toset(["FrontDoorAccessLog", "FrontDoorWebApplicationFirewallLog", "FrontDoorHealthProbeLog"])
    content {
      category = enabled_log.value
    }
  }

  enabled_metric {
    category = "AllMetrics"
  }
}
