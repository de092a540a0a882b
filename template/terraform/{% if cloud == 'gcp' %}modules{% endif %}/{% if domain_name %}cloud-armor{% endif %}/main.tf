locals {
  # Cloud Armor's preconfigured OWASP rules at sensitivity 1: the signatures with few false
  # positives, which leave ordinary JSON APIs alone (bodies are parsed as JSON below).
  waf_rules = {
    sqli             = { priority = 1000, expression = "evaluatePreconfiguredWaf('sqli-v33-stable', {'sensitivity': 1})" }
    xss              = { priority = 1010, expression = "evaluatePreconfiguredWaf('xss-v33-stable', {'sensitivity': 1})" }
    lfi              = { priority = 1020, expression = "evaluatePreconfiguredWaf('lfi-v33-stable', {'sensitivity': 1})" }
    rfi              = { priority = 1030, expression = "evaluatePreconfiguredWaf('rfi-v33-stable', {'sensitivity': 1})" }
    rce              = { priority = 1040, expression = "evaluatePreconfiguredWaf('rce-v33-stable', {'sensitivity': 1})" }
    scannerdetection = { priority = 1050, expression = "evaluatePreconfiguredWaf('scannerdetection-v33-stable', {'sensitivity': 1})" }
    protocolattack   = { priority = 1060, expression = "evaluatePreconfiguredWaf('protocolattack-v33-stable', {'sensitivity': 1})" }
    sessionfixation  = { priority = 1070, expression = "evaluatePreconfiguredWaf('sessionfixation-v33-stable', {'sensitivity': 1})" }
  }
}

# In blocking mode in every environment, so that a false positive shows before production. Its
# decisions are written to the request logs of the load balancer whose backends it protects.
resource "google_compute_security_policy" "this" {
  name        = var.name
  description = var.description
  type        = "CLOUD_ARMOR"

  advanced_options_config {
    json_parsing = "STANDARD"
    log_level    = "VERBOSE"
  }

  adaptive_protection_config {
    layer_7_ddos_defense_config {
      enable = true
    }
  }

  # Log4Shell (CVE-2021-44228 and CVE-2021-45046) in any header, path or body.
  rule {
    action      = "deny(403)"
    priority    = 900
    description = "Log4j message lookups"
    match {
      expr {
        expression = "evaluatePreconfiguredWaf('cve-canary')"
      }
    }
  }

  dynamic "rule" {
    for_each = local.waf_rules
    content {
      action      = "deny(403)"
      priority    = rule.value.priority
      description = "OWASP ${rule.key}"
      match {
        expr {
          expression = rule.value.expression
        }
      }
    }
  }

  # A conforming request is allowed here and not evaluated further: the rules above come first.
  rule {
    action      = "throttle"
    priority    = 2000
    description = "At most ${var.rate_limit_per_minute} requests a minute per client address"
    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }
    rate_limit_options {
      conform_action = "allow"
      exceed_action  = "deny(429)"
      enforce_on_key = "IP"
      rate_limit_threshold {
        count        = var.rate_limit_per_minute
        interval_sec = 60
      }
    }
  }

  rule {
    action      = "allow"
    priority    = 2147483647
    description = "Everything the rules above let through"
    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }
  }
}
