output "plan_id" {
  description = "ID of the backup plan, `projects/<project>/locations/<location>/backupPlans/<name>`."
  value       = try(google_gke_backup_backup_plan.this.id, null)
}

output "plan_name" {
  description = "Name of the backup plan."
  value       = try(google_gke_backup_backup_plan.this.name, null)
}

output "kms_key_id" {
  description = "ID of the Cloud KMS key that encrypts the backups."
  value       = module.key.key_id
}
