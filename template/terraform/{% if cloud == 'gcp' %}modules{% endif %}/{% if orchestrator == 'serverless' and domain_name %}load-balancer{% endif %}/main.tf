locals {
  # The release script reaches the revision it releases (Cloud Run tag var.candidate_tag) through
  # this load balancer by sending var.candidate_header: the *.run.app URLs refuse callers from
  # outside once ingress is limited to load balancers.
  backends = {
    service   = { description = "Every revision that takes traffic", tag = null }
    candidate = { description = "The revision tagged ${var.candidate_tag}, while deploy/release.py tests it", tag = var.candidate_tag }
  }

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

resource "google_compute_global_address" "this" {
  name        = "${var.name}-lb"
  description = "Public address of ${var.hostname}"
  ip_version  = "IPV4"
  labels      = var.labels
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

# ---------------------------------------------------------------- Cloud Armor

# In blocking mode in every environment, so that a false positive shows before production. Its
# decisions are written to the load balancer's request logs (log_config below).
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

# ---------------------------------------------------------------- backends

resource "google_compute_region_network_endpoint_group" "this" {
  for_each = local.backends

  name                  = "${var.name}-${each.key}"
  description           = each.value.description
  region                = var.region
  network_endpoint_type = "SERVERLESS"

  cloud_run {
    service = var.service_name
    tag     = each.value.tag
  }
}

# Serverless endpoints take no health check: Cloud Run's startup probe on /readyz decides when a
# revision serves.
resource "google_compute_backend_service" "this" {
  for_each = local.backends

  name                  = "${var.name}-${each.key}"
  description           = each.value.description
  load_balancing_scheme = "EXTERNAL_MANAGED"
  protocol              = "HTTPS"
  security_policy       = google_compute_security_policy.this.id

  backend {
    group = google_compute_region_network_endpoint_group.this[each.key].id
  }

  log_config {
    enable      = true
    sample_rate = 1
  }
}

# ---------------------------------------------------------------- HTTPS

# Google issues and renews it once the A record above resolves to the address. Its domains cannot
# change in place, and the HTTPS proxy keeps a certificate in use: a new host name gets a new
# certificate, named after it, that replaces the old one on the proxy before the old one goes.
resource "google_compute_managed_ssl_certificate" "this" {
  name        = "${var.name}-lb-${substr(sha256(var.hostname), 0, 8)}"
  description = "Certificate of ${var.hostname}"

  managed {
    domains = [var.hostname]
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "google_compute_ssl_policy" "this" {
  name            = "${var.name}-tls"
  description     = "TLS 1.2 or later, modern cipher suites"
  profile         = "MODERN"
  min_tls_version = "TLS_1_2"
}

resource "google_compute_url_map" "https" {
  name            = "${var.name}-https"
  description     = "Requests to ${var.hostname}"
  default_service = google_compute_backend_service.this["service"].id

  host_rule {
    hosts        = [var.hostname]
    path_matcher = "service"
  }

  path_matcher {
    name            = "service"
    default_service = google_compute_backend_service.this["service"].id

    route_rules {
      priority = 1
      service  = google_compute_backend_service.this["candidate"].id
      match_rules {
        prefix_match = "/"
        header_matches {
          header_name   = var.candidate_header
          present_match = true
        }
      }
    }
  }
}

resource "google_compute_target_https_proxy" "this" {
  name             = "${var.name}-https"
  url_map          = google_compute_url_map.https.id
  ssl_certificates = [google_compute_managed_ssl_certificate.this.id]
  ssl_policy       = google_compute_ssl_policy.this.id
}

resource "google_compute_global_forwarding_rule" "https" {
  name                  = "${var.name}-https"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  ip_protocol           = "TCP"
  ip_address            = google_compute_global_address.this.id
  port_range            = "443"
  target                = google_compute_target_https_proxy.this.id
  labels                = var.labels
}

# ---------------------------------------------------------------- HTTP: a redirect, nothing else

resource "google_compute_url_map" "http" {
  name        = "${var.name}-http"
  description = "Redirects plain HTTP to https://${var.hostname}"

  default_url_redirect {
    https_redirect         = true
    redirect_response_code = "MOVED_PERMANENTLY_DEFAULT"
    strip_query            = false
  }
}

resource "google_compute_target_http_proxy" "this" {
  name    = "${var.name}-http"
  url_map = google_compute_url_map.http.id
}

resource "google_compute_global_forwarding_rule" "http" {
  name                  = "${var.name}-http"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  ip_protocol           = "TCP"
  ip_address            = google_compute_global_address.this.id
  port_range            = "80"
  target                = google_compute_target_http_proxy.this.id
  labels                = var.labels
}

# ---------------------------------------------------------------- logs

# Every request and Cloud Armor's decision on it (jsonPayload.enforcedSecurityPolicy), redirects
# included, kept for the environment's retention.
module "logs" {
  source = "../log-bucket"

  name           = "${var.name}-lb-logs"
  description    = "Requests to ${var.hostname} at the load balancer, with Cloud Armor's decisions"
  location       = var.region
  retention_days = var.log_retention_days
  filter         = "resource.type=\"http_load_balancer\" AND resource.labels.url_map_name=(\"${google_compute_url_map.https.name}\" OR \"${google_compute_url_map.http.name}\")"
}
