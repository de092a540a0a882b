output "cluster_name" {
  description = "Name of the GKE cluster."
  value       = try(google_container_cluster.this.name, null)
}

output "cluster_id" {
  description = "ID of the GKE cluster, `projects/<project>/locations/<location>/clusters/<name>`."
  value       = try(google_container_cluster.this.id, null)
}

output "location" {
  description = "Location of the cluster: the region (regional) or the zone of its control plane (zonal); `--location` of gcloud."
  value       = try(google_container_cluster.this.location, null)
}

output "dns_endpoint" {
  description = "DNS name of the Kubernetes API (IAM-authorised, reachable from anywhere)."
  value       = try(google_container_cluster.this.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint, null)
}

output "node_pool_name" {
  description = "Name of the node pool."
  value       = try(google_container_node_pool.default.name, null)
}

output "workload_pool" {
  description = "Workload Identity pool of the cluster, `<project>.svc.id.goog`."
  value       = local.workload_pool
}

output "workload_principal" {
  description = "IAM principal of the service's pods (their Kubernetes service account); grant it roles directly, e.g. with `google_project_iam_member`."
  value       = "principal://iam.googleapis.com/projects/${data.google_project.this.number}/locations/global/workloadIdentityPools/${local.workload_pool}/subject/ns/${var.workload_namespace}/sa/${var.workload_service_account}"
}

output "secrets_key_id" {
  description = "ID of the Cloud KMS key that encrypts Kubernetes secrets in etcd."
  value       = module.secrets_key.key_id
}

output "log_bucket" {
  description = "Log bucket that keeps the cluster's logs."
  value       = module.log_bucket.id
}
