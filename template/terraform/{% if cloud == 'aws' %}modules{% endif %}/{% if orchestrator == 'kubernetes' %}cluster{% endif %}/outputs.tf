output "cluster_name" {
  description = "Name of the EKS cluster."
  value       = try(aws_eks_cluster.this.name, null)
}

output "cluster_arn" {
  description = "ARN of the EKS cluster."
  value       = try(aws_eks_cluster.this.arn, null)
}

output "cluster_endpoint" {
  description = "URL of the Kubernetes API."
  value       = try(aws_eks_cluster.this.endpoint, null)
}

output "cluster_certificate_authority_data" {
  description = "Base64-encoded certificate authority of the Kubernetes API."
  value       = try(aws_eks_cluster.this.certificate_authority[0].data, null)
}

output "cluster_security_group_id" {
  description = "Security group EKS created for the control plane and the nodes."
  value       = try(aws_eks_cluster.this.vpc_config[0].cluster_security_group_id, null)
}

output "node_role_arn" {
  description = "ARN of the IAM role of the nodes."
  value       = try(aws_iam_role.node.arn, null)
}

output "workload_role_name" {
  description = "Name of the IAM role the service's pods get, for the policies attached to it."
  value       = try(aws_iam_role.workload.name, null)
}

output "workload_role_arn" {
  description = "ARN of the IAM role the service's pods get; attach the permissions the service needs to it."
  value       = try(aws_iam_role.workload.arn, null)
}
