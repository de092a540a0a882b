locals {
  # Names of what only exists for one host name: Certificate Manager cannot change the domain of
  # a DNS authorization or a certificate, so a new host name gets new ones, created before the
  # old ones go.
  host_suffix = substr(sha256(var.hostname), 0, 8)
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
module "cloud_armor" {
  source = "../cloud-armor"

  name                  = "${var.name}-waf"
  description           = "Web application firewall of ${var.hostname}"
  rate_limit_per_minute = var.rate_limit_per_minute
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
