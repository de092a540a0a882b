output "vnet_id" {
  description = "Resource ID of the VNet."
  value       = try(azurerm_virtual_network.this.id, null)
}

output "vnet_name" {
  description = "Name of the VNet."
  value       = try(azurerm_virtual_network.this.name, null)
}

# Read from the NAT association: a cluster that uses the subnet must find its outbound path
# (AKS outbound type userAssignedNATGateway) and its security group in place.
output "nodes_subnet_id" {
  description = "Resource ID of the nodes' subnet, once its NAT gateway and security group are attached."
  value       = try(azurerm_subnet_nat_gateway_association.nodes.subnet_id, null)
  depends_on  = [azurerm_subnet_network_security_group_association.nodes]
}

output "endpoints_subnet_id" {
  description = "Resource ID of the private endpoints' subnet."
  value       = try(azurerm_subnet.endpoints.id, null)
}

output "nat_gateway_id" {
  description = "Resource ID of the NAT gateway."
  value       = try(azurerm_nat_gateway.this.id, null)
}

output "nat_public_ips" {
  description = "Public IPv4 addresses outbound traffic leaves from."
  value       = azurerm_public_ip.nat[*].ip_address
}
