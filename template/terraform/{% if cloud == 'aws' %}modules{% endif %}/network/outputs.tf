output "vpc_id" {
  description = "ID of the VPC."
  value       = try(aws_vpc.this.id, null)
}

output "private_subnet_ids" {
  description = "IDs of the private subnets, in the order of `zones`."
  value       = try(aws_subnet.private[*].id, null)
}

output "public_subnet_ids" {
  description = "IDs of the public subnets, in the order of `zones`."
  value       = try(aws_subnet.public[*].id, null)
}

output "nat_public_ips" {
  description = "Public IPv4 addresses the workloads' outbound traffic leaves from (allow-list these at partners)."
  value       = try(aws_eip.nat[*].public_ip, null)
}
