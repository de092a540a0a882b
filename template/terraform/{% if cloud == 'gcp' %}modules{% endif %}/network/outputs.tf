output "network_id" {
  description = "ID of the VPC network, `projects/<project>/global/networks/<name>`."
  value       = try(google_compute_network.this.id, null)
}

output "network_name" {
  description = "Name of the VPC network."
  value       = try(google_compute_network.this.name, null)
}

output "subnetwork_id" {
  description = "ID of the nodes' subnet."
  value       = try(google_compute_subnetwork.nodes.id, null)
}

output "subnetwork_name" {
  description = "Name of the nodes' subnet."
  value       = try(google_compute_subnetwork.nodes.name, null)
}

output "pods_range_name" {
  description = "Name of the subnet's secondary range for pods."
  value       = try(google_compute_subnetwork.nodes.secondary_ip_range[0].range_name, null)
}

output "services_range_name" {
  description = "Name of the subnet's secondary range for Services."
  value       = try(google_compute_subnetwork.nodes.secondary_ip_range[1].range_name, null)
}

output "nat_public_ips" {
  description = "External IPv4 addresses the workloads' outbound traffic leaves from (allow-list these at partners)."
  value       = try(google_compute_address.nat[*].address, null)
}

output "flow_log_bucket" {
  description = "Log bucket that keeps the VPC flow logs."
  value       = module.flow_logs.id
}
