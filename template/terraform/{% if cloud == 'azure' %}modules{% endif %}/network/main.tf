resource "azurerm_virtual_network" "this" {
  name                = var.name
  resource_group_name = var.resource_group_name
  location            = var.location
  address_space       = [var.vnet_cidr]

  tags = var.tags
}

# ---------------------------------------------------------------- subnets

# The nodes' subnet. Pods (Azure CNI Overlay) and Services take ranges outside the VNet, so this
# subnet holds only node addresses. Nothing here reaches the internet but through the NAT
# gateway: Azure's implicit default outbound access is off.
resource "azurerm_subnet" "nodes" {
  name                            = "nodes"
  resource_group_name             = var.resource_group_name
  virtual_network_name            = azurerm_virtual_network.this.name
  address_prefixes                = [var.nodes_cidr]
  default_outbound_access_enabled = false

  # Same-region storage (the backup staging account) is reached over the Azure backbone and can
  # then admit this subnet alone.
  service_endpoint {
    service = "Microsoft.Storage"
  }
}

# Private endpoints of the environment's services (and, later, an internal ingress).
resource "azurerm_subnet" "endpoints" {
  name                              = "endpoints"
  resource_group_name               = var.resource_group_name
  virtual_network_name              = azurerm_virtual_network.this.name
  address_prefixes                  = [var.endpoints_cidr]
  default_outbound_access_enabled   = false
  private_endpoint_network_policies = "Enabled"
}

# ---------------------------------------------------------------- network security groups

# The default rules admit traffic from inside the VNet and from Azure's load balancer, and deny
# the rest of the internet; AKS adds the rules its load balancers need to the node pools' own
# group. No rule here opens anything.
resource "azurerm_network_security_group" "this" {
  for_each = toset(["nodes", "endpoints"])

  name                = "${var.name}-${each.key}"
  resource_group_name = var.resource_group_name
  location            = var.location

  tags = var.tags
}

resource "azurerm_subnet_network_security_group_association" "nodes" {
  subnet_id                 = azurerm_subnet.nodes.id
  network_security_group_id = azurerm_network_security_group.this["nodes"].id
}

resource "azurerm_subnet_network_security_group_association" "endpoints" {
  subnet_id                 = azurerm_subnet.endpoints.id
  network_security_group_id = azurerm_network_security_group.this["endpoints"].id
}

# ---------------------------------------------------------------- outbound internet access

# Static addresses keep the egress IPs stable, so partners can allow-list them; each one adds
# 64,512 outbound ports.
resource "azurerm_public_ip" "nat" {
  count = var.nat_ip_count

  name                = "${var.name}-nat-${count.index}"
  resource_group_name = var.resource_group_name
  location            = var.location
  sku                 = "Standard"
  allocation_method   = "Static"
  zones               = var.nat_zone == null ? null : [var.nat_zone]

  tags = var.tags
}

resource "azurerm_nat_gateway" "this" {
  name                    = var.name
  resource_group_name     = var.resource_group_name
  location                = var.location
  sku_name                = "Standard"
  idle_timeout_in_minutes = 4
  zones                   = var.nat_zone == null ? null : [var.nat_zone]

  tags = var.tags
}

resource "azurerm_nat_gateway_public_ip_association" "this" {
  count = var.nat_ip_count

  nat_gateway_id       = azurerm_nat_gateway.this.id
  public_ip_address_id = azurerm_public_ip.nat[count.index].id
}

resource "azurerm_subnet_nat_gateway_association" "nodes" {
  subnet_id      = azurerm_subnet.nodes.id
  nat_gateway_id = azurerm_nat_gateway.this.id
}
