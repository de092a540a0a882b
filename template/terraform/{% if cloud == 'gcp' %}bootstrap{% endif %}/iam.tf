# ---------------------------------------------------------------- CI identity
# The workload identity provider of the CI platform, and which token may act as each service
# account, live in ci-identity.tf; what each service account may do is defined here, the same
# whatever the platform. No service account has a key: CI exchanges its OIDC token for a
# short-lived access token.

locals {
  # Every service account CI acts as: one deploy account per environment, the plan account for
  # pull or merge requests, the publish account for the main branch.
  ci_accounts = merge(
    { for env, e in var.environments : e.deploy_service_account_id => { kind = "deploy", environment = env } },
    {
      (var.plan_service_account_id)    = { kind = "plan", environment = null }
      (var.publish_service_account_id) = { kind = "publish", environment = null }
    },
  )

  deploy_members = { for env, e in var.environments : env => google_service_account.ci[e.deploy_service_account_id].member }
  plan_member    = google_service_account.ci[var.plan_service_account_id].member

  # IAM condition names: state objects, and the key rings of this region.
  state_objects = "projects/_/buckets/${var.state_bucket_name}/objects"
  key_rings     = "projects/${var.project_id}/locations/${var.region}/keyRings"
}

resource "google_iam_workload_identity_pool" "ci" {
  workload_identity_pool_id = var.ci_pool_id
  display_name              = substr("CI of ${var.registry_repository}", 0, 32)
  description               = "Tokens of the CI platform that builds and deploys ${var.registry_repository}"

  depends_on = [google_project_service.this]
}

resource "google_service_account" "ci" {
  for_each = local.ci_accounts

  account_id = each.key
  display_name = {
    deploy  = "Deploy ${coalesce(each.value.environment, "-")}"
    plan    = "Plan (read-only)"
    publish = "Publish images"
  }[each.value.kind]
  description = {
    deploy  = "Runs terraform apply and the Helm release of the ${coalesce(each.value.environment, "-")} environment from its CI deploy job"
    plan    = "Runs terraform plan -lock=false for pull or merge requests; read-only"
    publish = "Pushes the service image to ${var.registry_repository} from the main branch"
  }[each.value.kind]

  depends_on = [google_project_service.this]
}

# Authoritative: the CI token ci-identity.tf names is the only principal that may act as each
# service account.
resource "google_service_account_iam_binding" "ci_federation" {
  for_each = local.ci_accounts

  service_account_id = google_service_account.ci[each.key].name
  role               = "roles/iam.workloadIdentityUser"
  members            = [local.ci_members[each.key]]

  lifecycle {
    precondition {
      condition     = !startswith(local.ci_members[each.key], "principal://") || length(regex("/subject/(.*)$", local.ci_members[each.key])[0]) <= 127
      error_message = "The token subject ${local.ci_members[each.key]} is longer than the 127 bytes a workload identity subject may have."
    }
  }
}

# ---------------------------------------------------------------- deploy service accounts (one per environment)

locals {
  # What an environment's root module manages: its network, firewall rules, router and NAT,
  # its cluster (and, with container.admin, everything inside it: the Helm releases), its log
  # buckets, sinks and exclusions, and its backup plan.
  deploy_project_roles = [
    "roles/browser",
    "roles/compute.networkAdmin",
    "roles/compute.securityAdmin",
    "roles/container.admin",
    "roles/logging.configWriter",
  ]
  deploy_grants = merge(
    {
      for pair in setproduct(keys(var.environments), local.deploy_project_roles) :
      "${pair[0]} ${pair[1]}" => { environment = pair[0], role = pair[1] }
    },
    { for env, e in var.environments : "${env} roles/gkebackup.admin" => { environment = env, role = "roles/gkebackup.admin" } if e.backup },
  )

  # The key rings an environment's modules create, by their fixed names: the cluster's
  # (modules/cluster: <prefix>-gke-secrets) and the backup plan's (modules/backup: <prefix>-backup).
  deploy_key_rings = {
    for env, e in var.environments : env => concat(
      ["${local.key_rings}/${e.resource_prefix}-gke-secrets"],
      e.backup ? ["${local.key_rings}/${e.resource_prefix}-backup"] : [],
    )
  }
}

# The project-wide roles reach every environment's resources of those kinds: all environments
# share one project, as IAM cannot narrow these roles by resource name. Give production its own
# project when that is not acceptable.
resource "google_project_iam_member" "deploy" {
  for_each = local.deploy_grants

  project = var.project_id
  role    = each.value.role
  member  = local.deploy_members[each.value.environment]
}

# Keys only in the environment's own key rings: never the state's or the registry's, nor
# another environment's. Resources of other types (e.g. the location, to create a ring) pass.
resource "google_project_iam_member" "deploy_keys" {
  for_each = var.environments

  project = var.project_id
  role    = "roles/cloudkms.admin"
  member  = local.deploy_members[each.key]

  condition {
    title       = "own-key-rings"
    description = "Only the key rings of the ${each.key} environment"
    expression = join(" || ", concat(
      ["!(resource.type in [\"cloudkms.googleapis.com/KeyRing\", \"cloudkms.googleapis.com/CryptoKey\", \"cloudkms.googleapis.com/CryptoKeyVersion\", \"cloudkms.googleapis.com/ImportJob\"])"],
      [for ring in local.deploy_key_rings[each.key] : "resource.name == \"${ring}\" || resource.name.startsWith(\"${ring}/\")"],
    ))
  }
}

# Reads and writes its own state and lock file (<prefix>/default.tfstate, default.tflock), and
# lists object names; other environments' state and the bootstrap's are out of reach. Old state
# versions it deletes stay restorable for soft_delete_days.
resource "google_storage_bucket_iam_member" "deploy_state" {
  for_each = var.environments

  bucket = google_storage_bucket.state.name
  role   = "roles/storage.objectUser"
  member = local.deploy_members[each.key]

  condition {
    title       = "own-state"
    description = "Only the state of the ${each.key} environment"
    expression  = "resource.type == \"storage.googleapis.com/Bucket\" || resource.name.startsWith(\"${local.state_objects}/${each.value.state_prefix}/\")"
  }
}

# The cluster's node pool runs as the environment's node service account.
resource "google_service_account_iam_member" "deploy_nodes" {
  for_each = var.environments

  service_account_id = google_service_account.node[each.key].name
  role               = "roles/iam.serviceAccountUser"
  member             = local.deploy_members[each.key]
}

# ---------------------------------------------------------------- plan service account (pull or merge requests)

locals {
  # Read access to what the environments' root modules manage, and to IAM policies (browser:
  # the project itself).
  plan_project_roles = [
    "roles/browser",
    "roles/cloudkms.viewer",
    "roles/compute.viewer",
    "roles/container.clusterViewer",
    "roles/gkebackup.viewer",
    "roles/iam.securityReviewer",
    "roles/logging.viewer",
  ]
}

resource "google_project_iam_member" "plan" {
  for_each = toset(local.plan_project_roles)

  project = var.project_id
  role    = each.value
  member  = local.plan_member
}

# Plans run with -lock=false, so the account never writes: not even the lock file.
resource "google_storage_bucket_iam_member" "plan_state" {
  bucket = google_storage_bucket.state.name
  role   = "roles/storage.objectViewer"
  member = local.plan_member

  condition {
    title       = "environment-state"
    description = "Only the environments' state, not the bootstrap's"
    expression = join(" || ", concat(
      ["resource.type == \"storage.googleapis.com/Bucket\""],
      [for e in values(var.environments) : "resource.name.startsWith(\"${local.state_objects}/${e.state_prefix}/\")"],
    ))
  }
}

# The publish service account may push to the registry and nothing else: module.registry
# (main.tf) makes it the repository's only writer.

# ---------------------------------------------------------------- node service accounts (one per environment)

resource "google_service_account" "node" {
  for_each = var.environments

  account_id   = each.value.node_service_account_id
  display_name = "GKE nodes of ${each.key}"
  description  = "Nodes of ${each.value.resource_prefix}: write logs and metrics, pull images; nothing else"

  depends_on = [google_project_service.this]
}

locals {
  node_project_roles = [
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
  ]
}

resource "google_project_iam_member" "node" {
  for_each = {
    for pair in setproduct(keys(var.environments), local.node_project_roles) :
    "${pair[0]} ${pair[1]}" => { environment = pair[0], role = pair[1] }
  }

  project = var.project_id
  role    = each.value.role
  member  = google_service_account.node[each.value.environment].member
}

# ---------------------------------------------------------------- people

resource "google_project_iam_member" "cluster_admin" {
  for_each = toset(var.cluster_admin_members)

  project = var.project_id
  role    = "roles/container.admin"
  member  = each.value
}
