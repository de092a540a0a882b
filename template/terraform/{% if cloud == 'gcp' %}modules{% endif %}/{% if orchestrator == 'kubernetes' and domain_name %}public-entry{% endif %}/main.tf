locals {
  # Names of what only exists for one host name: Certificate Manager cannot change the domain of
  # a DNS authorization or a certificate, so a new host name gets new ones, created before the
  # old ones go.
  host_suffix = substr(sha256(var.hostname), 0, 8)

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

# ---------------------------------------------------------------- address and DNS

# The Gateway of the chart takes this address by name (addresses: NamedAddress), so the A record
# exists, and the certificate can be issued, before the load balancer does.
resource "google_compute_global_address" "this" {
  name         = "${var.name}-gateway"
  description  = "Public address of ${var.hostname}"
  address_type = "EXTERNAL"
  ip_version   = "IPV4"
  labels       = var.labels
}

resource "google_dns_record_set" "this" {
  managed_zone = var.dns_zone_name
  name         = "${var.hostname}."
  type         = "A"
  ttl          = 300
  rrdatas      = [google_compute_global_address.this.address]

  lifecycle {
    precondition {
      condition     = var.dns_zone_name != null && var.dns_zone_name != ""
      error_message = "No public Cloud DNS zone of the project serves ${var.hostname}: create it (terraform/bootstrap) or correct the domain."
    }
  }
}

# ---------------------------------------------------------------- certificate

# Google proves control of the host name through this CNAME record, not through traffic: the
# certificate is issued before the Gateway exists, and renewed by Google.
resource "google_certificate_manager_dns_authorization" "this" {
  name        = "${var.name}-${local.host_suffix}"
  description = "Control of ${var.hostname}, for its Google-managed certificate"
  domain      = var.hostname
  labels      = var.labels

  lifecycle {
    create_before_destroy = true
  }
}

resource "google_dns_record_set" "authorization" {
  managed_zone = var.dns_zone_name
  name         = google_certificate_manager_dns_authorization.this.dns_resource_record[0].name
  type         = google_certificate_manager_dns_authorization.this.dns_resource_record[0].type
  ttl          = 300
  rrdatas      = [google_certificate_manager_dns_authorization.this.dns_resource_record[0].data]
}

resource "google_certificate_manager_certificate" "this" {
  name        = "${var.name}-${local.host_suffix}"
  description = "Google-managed certificate of ${var.hostname}"
  labels      = var.labels

  managed {
    domains            = [var.hostname]
    dns_authorizations = [google_certificate_manager_dns_authorization.this.id]
  }

  lifecycle {
    create_before_destroy = true
  }
}

# The Gateway names this map (annotation networking.gke.io/certmap); its one entry serves the
# host name's certificate.
resource "google_certificate_manager_certificate_map" "this" {
  name        = "${var.name}-certificates"
  description = "Certificates of the ${var.name} Gateway"
  labels      = var.labels
}

resource "google_certificate_manager_certificate_map_entry" "this" {
  name         = "${var.name}-${local.host_suffix}"
  description  = "Certificate of ${var.hostname}"
  map          = google_certificate_manager_certificate_map.this.name
  hostname     = var.hostname
  certificates = [google_certificate_manager_certificate.this.id]
  labels       = var.labels

  lifecycle {
    create_before_destroy = true
  }
}

# The Gateway's HTTPS proxy takes it by name (GCPGatewayPolicy).
resource "google_compute_ssl_policy" "this" {
  name            = "${var.name}-tls"
  description     = "TLS 1.2 or later, modern cipher suites"
  profile         = "MODERN"
  min_tls_version = "TLS_1_2"
}

# ---------------------------------------------------------------- Cloud Armor

# In blocking mode in every environment, so that a false positive shows before production. The
# chart's GCPBackendPolicy attaches it to the service's backend by name, with request logging on:
# every decision is in the load balancer's request logs.
resource "google_compute_security_policy" "this" {
  name        = "${var.name}-waf"
  description = "Web application firewall of ${var.hostname}"
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

# ---------------------------------------------------------------- logs

# Every request to the host name and Cloud Armor's decision on it (jsonPayload.enforcedSecurityPolicy),
# kept for the environment's retention. GKE names the load balancer's parts itself, so the
# entries are selected by the URL they were sent to.
module "logs" {
  source = "../log-bucket"

  name           = "${var.name}-lb-logs"
  description    = "Requests to ${var.hostname} at the load balancer, with Cloud Armor's decisions"
  location       = var.region
  retention_days = var.log_retention_days
  filter         = "resource.type=\"http_load_balancer\" AND httpRequest.requestUrl:\"://${var.hostname}/\""
}
