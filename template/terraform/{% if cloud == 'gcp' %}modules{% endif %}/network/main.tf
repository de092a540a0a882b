resource "google_compute_network" "this" {
  name                    = var.name
  description             = "Network of ${var.name}"
  auto_create_subnetworks = false
  routing_mode            = "REGIONAL"
}

# One regional subnet serves every zone: the nodes take its primary range, pods and Services
# its secondary ranges (VPC-native cluster). Nodes have no external IP and reach Google APIs
# privately.
resource "google_compute_subnetwork" "nodes" {
  name                     = "${var.name}-nodes"
  description              = "Nodes, pods and Services of ${var.name}"
  network                  = google_compute_network.this.id
  region                   = var.region
  ip_cidr_range            = var.nodes_cidr
  stack_type               = "IPV4_ONLY"
  private_ip_google_access = true

  secondary_ip_range {
    range_name    = "${var.name}-pods"
    ip_cidr_range = var.pods_cidr
  }

  secondary_ip_range {
    range_name    = "${var.name}-services"
    ip_cidr_range = var.services_cidr
  }

  log_config {
    aggregation_interval = "INTERVAL_5_SEC"
    flow_sampling        = var.flow_log_sampling
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

# ---------------------------------------------------------------- firewall

# Ingress is denied unless a rule allows it (GKE adds the rules its control plane, nodes and
# load balancers need). This rule only makes the default explicit and logs what it drops; it
# sits just above the network's implied deny, which cannot log.
resource "google_compute_firewall" "deny_ingress" {
  name        = "${var.name}-deny-ingress"
  description = "Deny and log ingress that no other rule allows"
  network     = google_compute_network.this.id
  direction   = "INGRESS"
  priority    = 65534

  source_ranges = ["0.0.0.0/0"]

  deny {
    protocol = "all"
  }

  log_config {
    metadata = "EXCLUDE_ALL_METADATA"
  }
}

# ---------------------------------------------------------------- outbound internet access

resource "google_compute_router" "this" {
  name    = var.name
  network = google_compute_network.this.id
  region  = var.region
}

# Reserved addresses keep the egress IPs stable, so partners can allow-list them.
resource "google_compute_address" "nat" {
  count = var.nat_ip_count

  name         = "${var.name}-nat-${count.index}"
  description  = "Outbound address of ${var.name}"
  region       = var.region
  address_type = "EXTERNAL"
  network_tier = "PREMIUM"
  labels       = var.labels
}

# Cloud NAT is a regional, distributed service: no zone holds a gateway that could fail alone.
resource "google_compute_router_nat" "this" {
  name                               = var.name
  router                             = google_compute_router.this.name
  region                             = var.region
  nat_ip_allocate_option             = "MANUAL_ONLY"
  nat_ips                            = google_compute_address.nat[*].self_link
  source_subnetwork_ip_ranges_to_nat = "LIST_OF_SUBNETWORKS"
  enable_dynamic_port_allocation     = true
  # Must be off with dynamic port allocation.
  enable_endpoint_independent_mapping = false

  subnetwork {
    name                    = google_compute_subnetwork.nodes.id
    source_ip_ranges_to_nat = ["ALL_IP_RANGES"]
  }

  log_config {
    enable = true
    filter = "ERRORS_ONLY"
  }
}

# ---------------------------------------------------------------- flow logs

module "flow_logs" {
  source = "../log-bucket"

  name           = "${var.name}-flow-logs"
  description    = "VPC flow logs of the ${google_compute_subnetwork.nodes.name} subnet"
  location       = var.region
  retention_days = var.flow_log_retention_days
  filter         = "resource.type=\"gce_subnetwork\" AND resource.labels.subnetwork_name=\"${google_compute_subnetwork.nodes.name}\" AND log_id(\"compute.googleapis.com/vpc_flows\")"
}
