# ---------------------------------------------------------------- CI identities
# Which tokens may act as each identity (its federated credentials) depends on the CI platform
# and lives in ci-identity.tf; what each identity may do is defined here, the same whatever the
# platform. No identity has a secret: CI exchanges its OIDC token for a short-lived Entra ID
# token of one identity.

locals {
  # Every identity CI acts as: one deploy identity per environment, the plan identity for pull or
  # merge requests, the publish identity for the main branch.
  ci_identities = merge(
    { for env, e in var.environments : "deploy ${env}" => { kind = "deploy", environment = env, name = e.deploy_identity_name } },
    {
      plan    = { kind = "plan", environment = null, name = var.plan_identity_name }
      publish = { kind = "publish", environment = null, name = var.publish_identity_name }
    },
  )

  # One credential per trusted token subject (local.ci_subjects of ci-identity.tf).
  ci_credentials = merge([
    for identity, subjects in local.ci_subjects : {
      for name, subject in subjects : "${identity} ${name}" => { identity = identity, name = name, subject = subject }
    }
  ]...)

  deploy_principals = { for env in keys(var.environments) : env => azurerm_user_assigned_identity.ci["deploy ${env}"].principal_id }
  plan_principal    = azurerm_user_assigned_identity.ci["plan"].principal_id
}

resource "azurerm_user_assigned_identity" "ci" {
  for_each = local.ci_identities

  name                = each.value.name
  resource_group_name = azurerm_resource_group.shared.name
  location            = var.location

  tags = var.tags
}

resource "azurerm_federated_identity_credential" "ci" {
  for_each = local.ci_credentials

  name                      = each.value.name
  user_assigned_identity_id = azurerm_user_assigned_identity.ci[each.value.identity].id
  issuer                    = local.ci_issuer
  subject                   = each.value.subject
  audience                  = [local.ci_audience]

  lifecycle {
    precondition {
      condition     = length([for credential in values(local.ci_credentials) : credential if credential.identity == each.value.identity]) <= 20
      error_message = "A managed identity takes at most 20 federated credentials; ${each.value.identity} would have more."
    }
  }
}

# ---------------------------------------------------------------- role definitions and conditions

# Built-in roles a deploy identity may hand out inside its resource group, by ID.
data "azurerm_role_definition" "assignable" {
  for_each = toset(var.deploy_assignable_roles)

  name  = each.value
  scope = data.azurerm_subscription.this.id
}

locals {
  assignable_role_ids = join(", ", sort([for role in data.azurerm_role_definition.assignable : basename(role.role_definition_resource_id)]))

  # Role assignments the deploy identity creates or deletes must be of those roles: never Owner,
  # an access administrator, or a role it could not itself justify. Conditions are written on
  # several lines for reading and sent on one.
  deploy_rbac_condition = replace(trimspace(<<-EOT
    (
     (
      !(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})
     )
     OR
     (
      @Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${local.assignable_role_ids}}
     )
    )
    AND
    (
     (
      !(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})
     )
     OR
     (
      @Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${local.assignable_role_ids}}
     )
    )
  EOT
  ), "/\\s+/", " ")

  # Blob operations a state condition restricts; listing names stays open (terraform init lists
  # the workspaces under its key).
  blob_data_operations = replace(trimspace(<<-EOT
    !(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'} AND NOT SubOperationMatches{'Blob.List'})
      AND !(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write'})
      AND !(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action'})
      AND !(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete'})
      AND !(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action'})
  EOT
  ), "/\\s+/", " ")
  blob_path = "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path]"
}

# Creates and removes resource locks: the clusters' deletion protection (modules/cluster).
resource "azurerm_role_definition" "locks" {
  name        = "Resource lock operator (${var.shared_resource_group})"
  scope       = data.azurerm_subscription.this.id
  description = "Creates and removes resource locks in the environments' resource groups."

  permissions {
    actions = [
      "Microsoft.Authorization/locks/read",
      "Microsoft.Authorization/locks/write",
      "Microsoft.Authorization/locks/delete",
    ]
  }

  assignable_scopes = [for group in azurerm_resource_group.environment : group.id]
}

# ---------------------------------------------------------------- deploy identities (one per environment)

locals {
  # What an environment's root module manages lies in its own resource group: Contributor there,
  # data rights on its key vault's keys, Kubernetes administration of its cluster, its deletion
  # lock. Read access to the whole subscription lets Terraform look up what it refers to.
  deploy_group_roles = ["Contributor", "Key Vault Crypto Officer", "Azure Kubernetes Service RBAC Cluster Admin"]
  deploy_group_grants = {
    for pair in setproduct(keys(var.environments), local.deploy_group_roles) :
    "${pair[0]} ${pair[1]}" => { environment = pair[0], role = pair[1] }
  }
}

resource "azurerm_role_assignment" "deploy_subscription" {
  for_each = var.environments

  scope                = data.azurerm_subscription.this.id
  role_definition_name = "Reader"
  principal_id         = local.deploy_principals[each.key]
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "deploy_group" {
  for_each = local.deploy_group_grants

  scope                = azurerm_resource_group.environment[each.value.environment].id
  role_definition_name = each.value.role
  principal_id         = local.deploy_principals[each.value.environment]
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "deploy_locks" {
  for_each = var.environments

  scope              = azurerm_resource_group.environment[each.key].id
  role_definition_id = azurerm_role_definition.locks.role_definition_resource_id
  principal_id       = local.deploy_principals[each.key]
  principal_type     = "ServicePrincipal"
}

# Role assignments inside its group, of deploy_assignable_roles only.
resource "azurerm_role_assignment" "deploy_access" {
  for_each = var.environments

  scope                = azurerm_resource_group.environment[each.key].id
  role_definition_name = "Role Based Access Control Administrator"
  principal_id         = local.deploy_principals[each.key]
  principal_type       = "ServicePrincipal"
  condition_version    = "2.0"
  condition            = local.deploy_rbac_condition
  description          = "Assigns only: ${join(", ", sort(var.deploy_assignable_roles))}"
}

# Attaches its cluster's control-plane and node identities to the cluster.
resource "azurerm_role_assignment" "deploy_cluster_identities" {
  for_each = merge(
    { for env in keys(var.environments) : "${env} cluster" => { environment = env, scope = azurerm_user_assigned_identity.cluster[env].id } },
    { for env in keys(var.environments) : "${env} kubelet" => { environment = env, scope = azurerm_user_assigned_identity.kubelet[env].id } },
  )

  scope                = each.value.scope
  role_definition_name = "Managed Identity Operator"
  principal_id         = local.deploy_principals[each.value.environment]
  principal_type       = "ServicePrincipal"
}

# Reads and writes (and leases, the lock) its own state only: environments/<env>/ in the
# container. Other environments' state and the bootstrap's are out of reach; it cannot delete
# old versions, so overwritten states stay restorable.
resource "azurerm_role_assignment" "deploy_state" {
  for_each = var.environments

  scope                = azurerm_storage_container.state.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = local.deploy_principals[each.key]
  principal_type       = "ServicePrincipal"
  condition_version    = "2.0"
  condition            = "((${local.blob_data_operations}) OR (${local.blob_path} StringStartsWith '${each.value.state_prefix}/'))"
  description          = "Only blobs under ${each.value.state_prefix}/"
}

# ---------------------------------------------------------------- plan identity (pull or merge requests)

# Reads everything the environments' root modules manage (Reader), their keys' metadata, and
# their clusters' kubeconfig (which gives no Kubernetes access by itself: Azure RBAC decides).
resource "azurerm_role_assignment" "plan_subscription" {
  scope                = data.azurerm_subscription.this.id
  role_definition_name = "Reader"
  principal_id         = local.plan_principal
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "plan_group" {
  for_each = {
    for pair in setproduct(keys(var.environments), ["Key Vault Reader", "Azure Kubernetes Service Cluster User Role"]) :
    "${pair[0]} ${pair[1]}" => { environment = pair[0], role = pair[1] }
  }

  scope                = azurerm_resource_group.environment[each.value.environment].id
  role_definition_name = each.value.role
  principal_id         = local.plan_principal
  principal_type       = "ServicePrincipal"
}

# Plans run with -lock=false, so the identity never writes, not even a lock (a lease). It reads
# the environments' state, not the bootstrap's.
resource "azurerm_role_assignment" "plan_state" {
  scope                = azurerm_storage_container.state.id
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = local.plan_principal
  principal_type       = "ServicePrincipal"
  condition_version    = "2.0"
  condition = format(
    "((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'} AND NOT SubOperationMatches{'Blob.List'})) OR (%s))",
    join(" OR ", [for e in values(var.environments) : "${local.blob_path} StringStartsWith '${e.state_prefix}/'"]),
  )
  description = "Only the environments' state"
}

# The publish identity may push to the registry and nothing else: module.registry (main.tf)
# gives it AcrPush.

# ---------------------------------------------------------------- cluster identities (one pair per environment)

# The control plane's identity: joins the nodes to the subnet and manages load balancers and
# addresses in its resource group, encrypts secrets with the group's key vault key (KMS), and
# attaches the node identity. Made here, before the cluster, so that its rights exist when AKS
# checks them; AKS creates its nodes' resource group itself.
resource "azurerm_user_assigned_identity" "cluster" {
  for_each = var.environments

  name                = each.value.cluster_identity_name
  resource_group_name = azurerm_resource_group.shared.name
  location            = var.location

  tags = merge(var.tags, { Environment = each.key })
}

# The nodes' (kubelet's) identity: pulls images (module.registry) and nothing else. The
# service's pods never see it: they get their own workload identity.
resource "azurerm_user_assigned_identity" "kubelet" {
  for_each = var.environments

  name                = each.value.kubelet_identity_name
  resource_group_name = azurerm_resource_group.shared.name
  location            = var.location

  tags = merge(var.tags, { Environment = each.key })
}

locals {
  # Backed-up environments keep volume snapshots in their resource group, where Azure Backup for
  # AKS needs the cluster identity to be a Contributor.
  cluster_grants = merge(
    { for env in keys(var.environments) : "${env} Network Contributor" => { environment = env, role = "Network Contributor" } },
    { for env in keys(var.environments) : "${env} Key Vault Crypto User" => { environment = env, role = "Key Vault Crypto User" } },
    { for env, e in var.environments : "${env} Contributor" => { environment = env, role = "Contributor" } if e.backup },
  )
}

resource "azurerm_role_assignment" "cluster_group" {
  for_each = local.cluster_grants

  scope                = azurerm_resource_group.environment[each.value.environment].id
  role_definition_name = each.value.role
  principal_id         = azurerm_user_assigned_identity.cluster[each.value.environment].principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "cluster_kubelet" {
  for_each = var.environments

  scope                = azurerm_user_assigned_identity.kubelet[each.key].id
  role_definition_name = "Managed Identity Operator"
  principal_id         = azurerm_user_assigned_identity.cluster[each.key].principal_id
  principal_type       = "ServicePrincipal"
}

# ---------------------------------------------------------------- people

# Whoever migrates the bootstrap state or restores an old version: with shared keys off, owning
# the subscription gives no access to the blobs.
resource "azurerm_role_assignment" "state_administrator" {
  for_each = toset(var.state_administrator_object_ids)

  scope                = azurerm_storage_account.state.id
  role_definition_name = "Storage Blob Data Owner"
  principal_id         = each.value
}
