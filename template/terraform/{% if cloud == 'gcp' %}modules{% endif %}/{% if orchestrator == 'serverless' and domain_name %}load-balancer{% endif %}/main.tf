locals {
  # The release script reaches the revision it releases (Cloud Run tag var.candidate_tag) through
  # this load balancer by sending var.candidate_header: the *.run.app URLs refuse callers from
  # outside once ingress is limited to load balancers.
  backends = {
    service   = { description = "Every revision that takes traffic", tag = null }
    candidate = { description = "The revision tagged ${var.candidate_tag}, while deploy/release.py tests it", tag = var.candidate_tag }
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
module "cloud_armor" {
  source = "../cloud-armor"

  name                  = "${var.name}-waf"
  description           = "Web application firewall of ${var.hostname}"
  rate_limit_per_minute = var.rate_limit_per_minute
}

# Declared here before the cloud-armor module held it: the state moves, the policy stays.
moved {
  from = google_compute_security_policy.this
  to   = module.cloud_armor.google_compute_security_policy.this
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
  security_policy       = module.cloud_armor.id

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
