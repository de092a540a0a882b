output "id" {
  description = "ID of the log bucket, `projects/<project>/locations/<location>/buckets/<name>`."
  value       = try(google_logging_project_bucket_config.this.id, null)
}

output "name" {
  description = "Name of the log bucket."
  value       = try(google_logging_project_bucket_config.this.bucket_id, null)
}

output "sink_writer_identity" {
  description = "Identity the sink writes with."
  value       = try(google_logging_project_sink.this.writer_identity, null)
}
