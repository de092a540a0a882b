output "repository_url" {
  description = "Docker path of the repository, `<location>-docker.pkg.dev/<project>/<name>`; images are `<repository_url>/<image>`."
  value       = try(google_artifact_registry_repository.this.registry_uri, null)
}

output "repository_id" {
  description = "ID of the repository, `projects/<project>/locations/<location>/repositories/<name>`."
  value       = try(google_artifact_registry_repository.this.id, null)
}

output "repository_name" {
  description = "Name of the repository."
  value       = try(google_artifact_registry_repository.this.repository_id, null)
}

output "kms_key_id" {
  description = "ID of the Cloud KMS key that encrypts the images."
  value       = module.key.key_id
}

output "kms_key_ring_id" {
  description = "ID of the key ring of that key."
  value       = module.key.key_ring_id
}
