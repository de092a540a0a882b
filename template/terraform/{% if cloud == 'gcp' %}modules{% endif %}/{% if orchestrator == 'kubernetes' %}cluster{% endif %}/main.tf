data "google_project" "this" {}

locals {
  # Production runs a regional control plane (replicated across the region's zones); other
  # environments a zonal one, cheaper, with nodes still spread over every zone in var.zones.
  location      = var.regional ? var.region : var.zones[0]
  workload_pool = "${data.google_project.this.project_id}.svc.id.goog"
  # GKE's service agent: terraform/bootstrap makes sure it exists before the key names it.
  gke_agent = "serviceAccount:service-${data.google_project.this.number}@container-engine-robot.iam.gserviceaccount.com"
}

# ---------------------------------------------------------------- control plane

module "secrets_key" {
  source = "../kms-key"

  name                        = coalesce(var.secrets_key_name, "${var.name}-gke-secrets")
  location                    = var.region
  encrypter_decrypter_members = [local.gke_agent]
  labels                      = var.labels
}

# Everything the cluster logs (control plane, system components, the workloads' stdout) is kept
# log_retention_days in its own log bucket instead of the project's 30-day _Default bucket.
module "log_bucket" {
  source = "../log-bucket"

  name           = "${var.name}-gke-logs"
  description    = "Logs of the GKE cluster ${var.name}"
  location       = var.region
  retention_days = var.log_retention_days
  filter         = "resource.labels.cluster_name=\"${var.name}\""
}

resource "google_container_cluster" "this" {
  #checkov:skip=CKV_GCP_66:Binary Authorization needs attestors and a project policy this repository does not define; images come only from the immutable registry, by digest.
  #checkov:skip=CKV_GCP_12:Dataplane V2 (datapath_provider below) enforces NetworkPolicy; the network_policy block configures the older Calico add-on, which must stay off with it.
  #checkov:skip=CKV_GCP_24:PodSecurityPolicy was removed in Kubernetes 1.25; the chart's pods run under the restricted Pod Security Standard instead.
  #checkov:skip=CKV_GCP_61:VPC flow logs are on for the subnet; intranode visibility would add every pod-to-pod flow inside a node to them, at a cost few services need.
  #checkov:skip=CKV_GCP_65:Google Groups for RBAC needs a Google Workspace or Cloud Identity domain with a gke-security-groups group; access is granted with IAM instead (terraform/bootstrap).
  #checkov:skip=CKV_GCP_69:The default node pool is removed; the node pool below sets the GKE metadata server.
  #checkov:skip=CKV_GCP_21:The provider's default labels (project, team, environment, ...) are on the cluster; var.labels only adds to them.
  name                = var.name
  description         = "Runs ${var.workload_namespace}/${var.workload_service_account}"
  location            = local.location
  node_locations      = var.regional ? var.zones : slice(var.zones, 1, length(var.zones))
  min_master_version  = var.kubernetes_version
  deletion_protection = var.deletion_protection
  resource_labels     = var.labels

  # Nodes live in the separately managed node pool below. GKE still creates the default pool
  # briefly: it runs as the nodes' service account too (the deploy service account may use no
  # other, and the Compute Engine default account may not exist).
  remove_default_node_pool = true
  initial_node_count       = 1
  node_config {
    service_account = var.node_service_account
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]

    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }

    workload_metadata_config {
      mode = "GKE_METADATA"
    }
  }

  network           = var.network_id
  subnetwork        = var.subnetwork_id
  networking_mode   = "VPC_NATIVE"
  datapath_provider = "ADVANCED_DATAPATH" # Dataplane V2: enforces the chart's NetworkPolicy

  ip_allocation_policy {
    cluster_secondary_range_name  = var.pods_range_name
    services_secondary_range_name = var.services_range_name
    stack_type                    = "IPV4"
  }

  # The Kubernetes API is reached through its DNS name only: every request is authorised by
  # IAM, from anywhere, with no network path or allow-list to maintain. The IP endpoint has
  # no public address; nodes have no external IPs.
  control_plane_endpoints_config {
    dns_endpoint_config {
      allow_external_traffic = true
    }
  }

  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = true
  }

  master_authorized_networks_config {
    gcp_public_cidrs_access_enabled      = false
    private_endpoint_enforcement_enabled = true
  }

  master_auth {
    client_certificate_config {
      issue_client_certificate = false
    }
  }

  enable_legacy_abac    = false
  enable_shielded_nodes = true

  workload_identity_config {
    workload_pool = local.workload_pool
  }

  release_channel {
    channel = "REGULAR"
  }

  database_encryption {
    state    = "ENCRYPTED"
    key_name = module.secrets_key.key_id
  }

  logging_config {
    enable_components = ["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "WORKLOADS"]
  }

  monitoring_config {
    enable_components = ["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER"]

    managed_prometheus {
      enabled = var.managed_prometheus
    }
  }

  # Automatic upgrades and repairs start only inside this daily window (UTC).
  maintenance_policy {
    daily_maintenance_window {
      start_time = var.maintenance_start_time
    }
  }

  addons_config {
    http_load_balancing {
      disabled = false
    }

    horizontal_pod_autoscaling {
      disabled = false
    }

    # Persistent volumes of stateful pods (Prometheus, Alertmanager).
    gce_persistent_disk_csi_driver_config {
      enabled = true
    }

    gke_backup_agent_config {
      enabled = var.backup_agent
    }
  }

  # The Secret Manager add-on: a CSI driver (secrets-store-gke.csi.k8s.io) that mounts Secret
  # Manager secrets into pods as files, read as the pod's own Workload Identity principal (the
  # chart's SecretProviderClass). It re-reads them every rotation_interval, so a new version
  # reaches running pods' files without a restart.
  secret_manager_config {
    enabled = true

    rotation_config {
      enabled           = true
      rotation_interval = "120s"
    }
  }

  # Splits the nodes' cost by namespace and label in the billing export.
  cost_management_config {
    enabled = true
  }

  security_posture_config {
    mode = "BASIC"
  }

  # The GKE service agent must be able to use the key before the cluster is created.
  depends_on = [module.secrets_key]

  lifecycle {
    # node_config describes only the default pool, which exists during creation alone.
    ignore_changes = [node_config]
  }
}

resource "google_container_node_pool" "default" {
  name_prefix    = "default-"
  cluster        = google_container_cluster.this.id
  location       = local.location
  node_locations = var.zones
  # Per zone; the autoscaler then keeps the total between node_min_size and node_max_size.
  initial_node_count = ceil(var.node_desired_size / length(var.zones))

  autoscaling {
    total_min_node_count = var.node_min_size
    total_max_node_count = var.node_max_size
    # Spot capacity comes where it is available; on-demand nodes stay balanced across zones.
    location_policy = var.spot_nodes ? "ANY" : "BALANCED"
  }

  management {
    auto_repair  = true
    auto_upgrade = true
  }

  upgrade_settings {
    strategy        = "SURGE"
    max_surge       = 1
    max_unavailable = 0
  }

  node_config {
    machine_type    = var.node_machine_type
    spot            = var.spot_nodes
    image_type      = "COS_CONTAINERD"
    disk_type       = "pd-balanced"
    disk_size_gb    = var.node_disk_size_gb
    service_account = var.node_service_account
    # What the nodes may do is decided by the service account's IAM roles alone.
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]
    resource_labels = var.labels

    metadata = {
      disable-legacy-endpoints = "true"
    }

    # Pods see the GKE metadata server, never the node's own credentials.
    workload_metadata_config {
      mode = "GKE_METADATA"
    }

    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }
  }

  lifecycle {
    # A change that replaces the pool (e.g. the machine type) brings up the new nodes first.
    create_before_destroy = true
    ignore_changes        = [initial_node_count]
  }
}
