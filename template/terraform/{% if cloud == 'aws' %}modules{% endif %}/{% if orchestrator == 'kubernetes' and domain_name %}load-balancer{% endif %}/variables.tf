variable "name" {
  description = "Prefix of the resources' names, e.g. `my-service-prod`; the load balancer and target group take its first 32 characters."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,45}$", var.name))
    error_message = "name must be 2-46 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "vpc_id" {
  description = "ID of the VPC of the cluster."
  type        = string

  validation {
    condition     = startswith(var.vpc_id, "vpc-")
    error_message = "vpc_id must be a VPC ID (vpc-...)."
  }
}

variable "public_subnet_ids" {
  description = "Public subnets (at least two zones) of the internet-facing load balancer."
  type        = list(string)

  validation {
    condition     = length(var.public_subnet_ids) >= 2
    error_message = "public_subnet_ids must list at least two subnets: an Application Load Balancer spans two zones or more."
  }
}

variable "pods_security_group_id" {
  description = "Security group of the cluster's nodes and so of its pods (the EKS cluster security group); it admits the load balancer on target_port."
  type        = string

  validation {
    condition     = startswith(var.pods_security_group_id, "sg-")
    error_message = "pods_security_group_id must be a security group ID (sg-...)."
  }
}

variable "target_port" {
  description = "Port the service's containers listen on: the load balancer sends requests and health checks to the pods' addresses on it."
  type        = number
  default     = 8080

  validation {
    condition     = var.target_port >= 1 && var.target_port <= 65535
    error_message = "target_port must be a TCP port (1-65535)."
  }
}

variable "health_check_path" {
  description = "Path the load balancer checks each pod's readiness on."
  type        = string
  default     = "/readyz"

  validation {
    condition     = startswith(var.health_check_path, "/")
    error_message = "health_check_path must start with '/'."
  }
}

variable "hostname" {
  description = "Host name the service answers on over HTTPS, in the zone `zone_id`."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.hostname))
    error_message = "hostname must be a lowercase DNS name such as dev.example.com."
  }
}

variable "zone_id" {
  description = "Route 53 public hosted zone of `hostname`: its alias record and the certificate's validation record go there."
  type        = string

  validation {
    condition     = can(regex("^Z[A-Z0-9]{1,31}$", var.zone_id))
    error_message = "zone_id must be a Route 53 hosted zone ID (Z...)."
  }
}

variable "ssl_policy" {
  description = "Security policy of the HTTPS listener: TLS 1.2 and 1.3 only."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"

  validation {
    condition     = startswith(var.ssl_policy, "ELBSecurityPolicy-TLS13-1-2-")
    error_message = "ssl_policy must be one of the ELBSecurityPolicy-TLS13-1-2-* policies (TLS 1.2 or later)."
  }
}

variable "cluster_name" {
  description = "Name of the EKS cluster the AWS Load Balancer Controller runs in."
  type        = string
}

variable "cluster_arn" {
  description = "ARN of that cluster: only its pods may assume the controller's role."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:eks:[a-z0-9-]+:[0-9]{12}:cluster/.+$", var.cluster_arn))
    error_message = "cluster_arn must be an EKS cluster ARN."
  }
}

variable "controller_namespace" {
  description = "Namespace of the AWS Load Balancer Controller (deploy/ingress/install.sh)."
  type        = string
  default     = "kube-system"
}

variable "controller_service_account" {
  description = "Service account of the AWS Load Balancer Controller; it gets the controller's IAM role through EKS Pod Identity."
  type        = string
  default     = "aws-load-balancer-controller"
}

variable "access_logs_bucket_name" {
  description = "S3 bucket created for the load balancer's access logs (globally unique name)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.access_logs_bucket_name))
    error_message = "access_logs_bucket_name must be a valid S3 bucket name (3-63 lowercase letters, digits, '.' or '-')."
  }
}

variable "log_retention_days" {
  description = "Days to keep the load balancer's access logs."
  type        = number

  validation {
    condition     = var.log_retention_days >= 1
    error_message = "log_retention_days must be at least 1."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the load balancer until this is turned off; its access logs are kept when the bucket is destroyed."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource, on top of the provider's default tags."
  type        = map(string)
  default     = {}
}
