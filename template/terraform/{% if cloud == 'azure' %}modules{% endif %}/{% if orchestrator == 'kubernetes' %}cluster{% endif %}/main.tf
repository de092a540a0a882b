data "azurerm_client_config" "current" {}

locals {
  # AKS taints Spot nodes with this; the pool names it too, so Terraform sees no drift.
  spot_taint = "kubernetes.azure.com/scalesetpriority=spot:NoSchedule"
}

# ---------------------------------------------------------------- control plane

resource "azurerm_kubernetes_cluster" "this" {
  #checkov:skip=CKV_AZURE_117:Encryption at host encrypts the OS and temporary disks and their caches; a disk encryption set would add a second key vault key and identity for the same disks.
  #checkov:skip=CKV_AZURE_226:The node sizes have no local disk large enough for an ephemeral OS disk; managed OS disks are encrypted at host.
  #checkov:skip=CKV_AZURE_170:sku_tier is an input: production uses Standard (uptime SLA), other environments Free to save cost.
  #checkov:skip=CKV_AZURE_232:The system pool stays untainted on purpose (ADR 10): the monitoring stack and short-lived pods must have a place to run when the service's Spot pool is reclaimed.
  name                = var.name
  resource_group_name = var.resource_group_name
  location            = var.location
  dns_prefix          = var.name
  kubernetes_version  = var.kubernetes_version
  sku_tier            = var.sku_tier
  node_resource_group = var.node_resource_group

  # Only addresses inside the VNet (or networks peered with it) reach the API server.
  private_cluster_enabled             = true
  private_dns_zone_id                 = "System"
  private_cluster_public_fqdn_enabled = false

  # Microsoft Entra ID authenticates every user and Azure RBAC authorises them; there is no
  # local admin account and no static credential to leak.
  local_account_disabled            = true
  role_based_access_control_enabled = true

  azure_active_directory_role_based_access_control {
    azure_rbac_enabled = true
    tenant_id          = data.azurerm_client_config.current.tenant_id
  }

  # Created by terraform/bootstrap, with Network Contributor and Key Vault Crypto User on the
  # environment's resource group: a system-assigned identity would exist only after the cluster,
  # too late for the KMS key.
  identity {
    type         = "UserAssigned"
    identity_ids = [var.cluster_identity_id]
  }

  # The nodes' identity pulls images (AcrPull on the registry, from terraform/bootstrap) and
  # nothing else.
  kubelet_identity {
    user_assigned_identity_id = var.kubelet_identity_id
    client_id                 = var.kubelet_identity_client_id
    object_id                 = var.kubelet_identity_object_id
  }

  oidc_issuer_enabled       = true
  workload_identity_enabled = true
  azure_policy_enabled      = true
  image_cleaner_enabled     = true
  # The Standard and Premium tiers only.
  cost_analysis_enabled = var.sku_tier != "Free"

  http_application_routing_enabled = false

  network_profile {
    network_plugin      = "azure"
    network_plugin_mode = "overlay"
    network_data_plane  = "cilium"
    network_policy      = "cilium" # enforces the chart's NetworkPolicy
    pod_cidr            = var.pods_cidr
    service_cidr        = var.services_cidr
    dns_service_ip      = var.dns_service_ip
    outbound_type       = "userAssignedNATGateway"
    load_balancer_sku   = "standard"
  }

  # Kubernetes secrets in etcd are encrypted with the environment's Key Vault key.
  key_management_service {
    key_vault_key_id         = var.kms_key_id
    key_vault_network_access = "Public"
  }

  # Pods can mount Key Vault secrets with their workload identity; rotated secrets follow.
  key_vault_secrets_provider {
    secret_rotation_enabled  = true
    secret_rotation_interval = "2m"
  }

  # Container Insights, authenticated with the cluster's managed identity.
  oms_agent {
    log_analytics_workspace_id      = var.log_analytics_workspace_id
    msi_auth_for_monitoring_enabled = true
  }

  storage_profile {
    disk_driver_enabled         = true
    file_driver_enabled         = false
    blob_driver_enabled         = false
    snapshot_controller_enabled = true
  }

  # Patch releases of kubernetes_version and the nodes' OS images are applied automatically, only
  # inside the weekly window.
  automatic_upgrade_channel = "patch"
  node_os_upgrade_channel   = "NodeImage"

  maintenance_window_auto_upgrade {
    frequency   = "Weekly"
    interval    = 1
    day_of_week = var.maintenance_day
    start_time  = var.maintenance_start_time
    utc_offset  = "+00:00"
    duration    = 4
  }

  maintenance_window_node_os {
    frequency   = "Weekly"
    interval    = 1
    day_of_week = var.maintenance_day
    start_time  = var.maintenance_start_time
    utc_offset  = "+00:00"
    duration    = 4
  }

  # The system pool: AKS's own components, the monitoring stack and the platform's controllers.
  default_node_pool {
    name                         = "system"
    temporary_name_for_rotation  = "systemtmp"
    vm_size                      = var.system_node_vm_size
    zones                        = var.zones
    vnet_subnet_id               = var.nodes_subnet_id
    auto_scaling_enabled         = true
    min_count                    = var.system_node_min_size
    max_count                    = var.system_node_max_size
    node_count                   = var.system_node_min_size
    max_pods                     = var.max_pods
    os_sku                       = "AzureLinux"
    os_disk_type                 = "Managed"
    os_disk_size_gb              = var.node_os_disk_size_gb
    host_encryption_enabled      = true
    node_public_ip_enabled       = false
    only_critical_addons_enabled = false

    upgrade_settings {
      max_surge                     = "33%"
      drain_timeout_in_minutes      = 30
      node_soak_duration_in_minutes = 0
    }

    tags = var.tags
  }

  tags = var.tags

  lifecycle {
    # The autoscaler owns the node count after creation.
    ignore_changes = [default_node_pool[0].node_count]

    precondition {
      condition     = cidrhost(var.services_cidr, 10) == var.dns_service_ip
      error_message = "dns_service_ip must be the .10 address of services_cidr."
    }
  }
}

# ---------------------------------------------------------------- the service's nodes

resource "azurerm_kubernetes_cluster_node_pool" "service" {
  name                  = "service"
  kubernetes_cluster_id = azurerm_kubernetes_cluster.this.id
  mode                  = "User"
  vm_size               = var.node_vm_size
  zones                 = var.zones
  vnet_subnet_id        = var.nodes_subnet_id
  auto_scaling_enabled  = true
  min_count             = var.node_min_size
  max_count             = var.node_max_size
  node_count            = var.node_desired_size
  max_pods              = var.max_pods
  os_type               = "Linux"
  os_sku                = "AzureLinux"
  os_disk_type          = "Managed"
  os_disk_size_gb       = var.node_os_disk_size_gb

  host_encryption_enabled = true
  node_public_ip_enabled  = false

  # Spot VMs outside production: much cheaper, but Azure may evict them at any time; the
  # service's replicas and PodDisruptionBudget absorb an eviction.
  priority        = var.spot_nodes ? "Spot" : "Regular"
  eviction_policy = var.spot_nodes ? "Delete" : null
  spot_max_price  = var.spot_nodes ? -1 : null
  node_taints     = var.spot_nodes ? [local.spot_taint] : null

  # Spot pools take no surge settings: evicted capacity is replaced, not surged.
  dynamic "upgrade_settings" {
    for_each = var.spot_nodes ? [] : [1]
    content {
      max_surge                     = "33%"
      drain_timeout_in_minutes      = 30
      node_soak_duration_in_minutes = 0
    }
  }

  tags = var.tags

  lifecycle {
    ignore_changes = [node_count]
  }
}

# ---------------------------------------------------------------- logs

# Control-plane logs (API server, audit of writes, scheduler, autoscaler, Entra ID sign-ins) in
# the environment's workspace, in resource-specific tables.
resource "azurerm_monitor_diagnostic_setting" "cluster" {
  name                           = "control-plane"
  target_resource_id             = azurerm_kubernetes_cluster.this.id
  log_analytics_workspace_id     = var.log_analytics_workspace_id
  log_analytics_destination_type = "Dedicated"

  dynamic "enabled_log" {
    for_each = toset(["kube-apiserver", "kube-audit-admin", "kube-controller-manager", "kube-scheduler", "cluster-autoscaler", "guard"])
    content {
      category = enabled_log.value
    }
  }
}

# Container Insights: the containers' logs, Kubernetes events and inventory.
resource "azurerm_monitor_data_collection_rule" "container_insights" {
  name                = "dcr-${var.name}-insights"
  resource_group_name = var.resource_group_name
  location            = var.location
  kind                = "Linux"
  description         = "Container Insights of ${var.name}"

  destinations {
    log_analytics {
      name                  = "workspace"
      workspace_resource_id = var.log_analytics_workspace_id
    }
  }

  data_flow {
    streams      = ["Microsoft-ContainerInsights-Group-Default"]
    destinations = ["workspace"]
  }

  data_sources {
    extension {
      name           = "ContainerInsightsExtension"
      extension_name = "ContainerInsights"
      streams        = ["Microsoft-ContainerInsights-Group-Default"]
      extension_json = jsonencode({
        dataCollectionSettings = {
          interval               = "1m"
          namespaceFilteringMode = "Off"
          enableContainerLogV2   = true
        }
      })
    }
  }

  tags = var.tags
}

resource "azurerm_monitor_data_collection_rule_association" "container_insights" {
  name                    = "ContainerInsightsExtension"
  target_resource_id      = azurerm_kubernetes_cluster.this.id
  data_collection_rule_id = azurerm_monitor_data_collection_rule.container_insights.id
}

# ---------------------------------------------------------------- access

# People who administer the cluster (the environment's deploy identity already does, from
# terraform/bootstrap): Kubernetes administrators, and allowed to fetch a kubeconfig. Granted on
# the resource group, which holds this cluster only, so that the deletion lock on the cluster does
# not keep an administrator from being removed.
resource "azurerm_role_assignment" "admin" {
  for_each = {
    for pair in setproduct(var.admin_object_ids, ["Azure Kubernetes Service RBAC Cluster Admin", "Azure Kubernetes Service Cluster User Role"]) :
    "${pair[0]} ${pair[1]}" => { object_id = pair[0], role = pair[1] }
  }

  scope                = "/subscriptions/${data.azurerm_client_config.current.subscription_id}/resourceGroups/${var.resource_group_name}"
  role_definition_name = each.value.role
  principal_id         = each.value.object_id
}

# ---------------------------------------------------------------- the service's pods

# The pods' Azure identity (AKS workload identity): only the service's Kubernetes service account
# in this cluster may use it. It has no role: grant what the service needs to
# workload_principal_id.
resource "azurerm_user_assigned_identity" "workload" {
  name                = "id-${var.name}-workload"
  resource_group_name = var.resource_group_name
  location            = var.location

  tags = var.tags
}

resource "azurerm_federated_identity_credential" "workload" {
  name                      = "${var.workload_namespace}-${var.workload_service_account}"
  user_assigned_identity_id = azurerm_user_assigned_identity.workload.id
  issuer                    = azurerm_kubernetes_cluster.this.oidc_issuer_url
  subject                   = "system:serviceaccount:${var.workload_namespace}:${var.workload_service_account}"
  audience                  = ["api://AzureADTokenExchange"]
}

# ---------------------------------------------------------------- deletion protection

# Azure refuses to delete a locked cluster, or anything beneath it (node pools, extensions, role
# assignments on it), until the lock is removed: set deletion_protection = false and apply first.
resource "azurerm_management_lock" "cluster" {
  count = var.deletion_protection ? 1 : 0

  name       = "deletion-protection"
  scope      = azurerm_kubernetes_cluster.this.id
  lock_level = "CanNotDelete"
  notes      = "Set deletion_protection = false in terraform.tfvars and apply before deleting this cluster or one of its node pools."
}
