# The environment's secret store is made by terraform/bootstrap (the vault, its first values,
# who may write them). This module reads the vault's metadata only, never a secret value: plans
# run it on pull requests, and a value read here would reach the plan and the state.
data "azurerm_key_vault" "this" {
  name                = var.key_vault_name
  resource_group_name = var.resource_group_name
}

locals {
  # Versionless IDs: the workload always gets the newest version of each secret.
  secret_ids = { for name in var.secret_names : name => "${trimsuffix(data.azurerm_key_vault.this.vault_uri, "/")}/secrets/${name}" }
}

# Who read, wrote or was refused which secret, in the environment's workspace (the alert below
# reads it).
resource "azurerm_monitor_diagnostic_setting" "this" {
  name                       = "audit"
  target_resource_id         = data.azurerm_key_vault.this.id
  log_analytics_workspace_id = var.log_analytics_workspace_id

  enabled_log {
    category = "AuditEvent"
  }
}

# The workload identities that read the secrets: Key Vault Secrets User on this vault only.
resource "azurerm_role_assignment" "reader" {
  for_each = var.granted_reader_principal_ids

  scope                = data.azurerm_key_vault.this.id
  role_definition_name = "Key Vault Secrets User"
  principal_id         = each.value
  principal_type       = "ServicePrincipal"
  description          = "Reads the secrets of ${var.key_vault_name}: ${each.key}"
}

# ---------------------------------------------------------------- private endpoint

# A private vault answers inside the VNet only: its private endpoint in the endpoints' subnet and
# privatelink.vaultcore.azure.net, linked to the VNet, so that <vault>.vault.azure.net resolves to
# the endpoint's address there.
resource "azurerm_private_dns_zone" "this" {
  count = var.private_endpoint ? 1 : 0

  name                = "privatelink.vaultcore.azure.net"
  resource_group_name = var.resource_group_name

  tags = var.tags
}

resource "azurerm_private_dns_zone_virtual_network_link" "this" {
  count = var.private_endpoint ? 1 : 0

  name                 = "${var.key_vault_name}-vnet"
  private_dns_zone_id  = azurerm_private_dns_zone.this[0].id
  virtual_network_id   = var.vnet_id
  registration_enabled = false

  tags = var.tags
}

resource "azurerm_private_endpoint" "this" {
  count = var.private_endpoint ? 1 : 0

  name                = "pe-${var.key_vault_name}"
  resource_group_name = var.resource_group_name
  location            = var.location
  subnet_id           = var.endpoints_subnet_id

  private_service_connection {
    name                           = "${var.key_vault_name}-vault"
    private_connection_resource_id = data.azurerm_key_vault.this.id
    subresource_names              = ["vault"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "vaultcore"
    private_dns_zone_ids = [azurerm_private_dns_zone.this[0].id]
  }

  tags = var.tags
}

# ---------------------------------------------------------------- unusual access

# Refused requests (403: a caller without a role, or from a network the vault does not admit),
# and secret values read by anyone but the workload identities: a person reading a value is
# either a rotation (expected, and known to whoever did it) or worth a look.
resource "azurerm_monitor_scheduled_query_rules_alert_v2" "access" {
  name                 = "${var.name}-secret-access"
  resource_group_name  = var.resource_group_name
  location             = var.location
  description          = "P3: unusual access to the secrets of ${var.key_vault_name} (a refused request, or a value read by someone other than the workload). Runbook: ${var.runbook_url}"
  severity             = 3
  scopes               = [var.log_analytics_workspace_id]
  evaluation_frequency = "PT15M"
  window_duration      = "PT15M"
  # The workspace has no Key Vault columns until the vault's first log arrives.
  skip_query_validation   = true
  auto_mitigation_enabled = false

  criteria {
    query = <<-EOT
      AzureDiagnostics
      | where ResourceProvider == "MICROSOFT.KEYVAULT" and Category == "AuditEvent" and Resource =~ "${var.key_vault_name}"
      | extend caller = tostring(column_ifexists("identity_claim_http_schemas_microsoft_com_identity_claims_objectidentifier_g", column_ifexists("identity_claim_oid_g", "")))
      | where httpStatusCode_d == 403 or (OperationName == "SecretGet" and caller !in (dynamic(${jsonencode(values(var.reader_principal_ids))})))
      | summarize requests = count() by OperationName, ResultSignature, caller, CallerIPAddress
    EOT

    time_aggregation_method = "Count"
    operator                = "GreaterThan"
    threshold               = 0
  }

  action {
    action_groups = var.action_group_ids
  }

  tags = var.tags
}
