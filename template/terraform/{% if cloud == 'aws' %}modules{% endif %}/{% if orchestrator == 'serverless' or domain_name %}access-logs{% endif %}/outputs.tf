output "bucket_id" {
  description = "Name of the access log bucket, known once its policy lets Elastic Load Balancing write: a load balancer that logs to it is created after that check can pass."
  value       = try(aws_s3_bucket_policy.this.bucket, null)
}

output "bucket_arn" {
  description = "ARN of the access log bucket."
  value       = try(aws_s3_bucket.this.arn, null)
}

output "prefix" {
  description = "Prefix the load balancer writes its logs under."
  value       = var.prefix
}
