output "key_id" {
  description = "ID of the key, `projects/<project>/locations/<location>/keyRings/<name>/cryptoKeys/<name>`, as `kms_key_name` settings expect it."
  value       = try(google_kms_crypto_key.this.id, null)
}

output "key_ring_id" {
  description = "ID of the key ring, `projects/<project>/locations/<location>/keyRings/<name>`."
  value       = try(google_kms_key_ring.this.id, null)
}

output "name" {
  description = "Name of the key and its key ring."
  value       = try(google_kms_crypto_key.this.name, null)
}
