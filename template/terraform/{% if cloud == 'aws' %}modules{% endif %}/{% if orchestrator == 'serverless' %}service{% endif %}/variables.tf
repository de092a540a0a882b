variable "name" {
  description = "Name prefix of every resource of the service in this environment, e.g. `my-service-prod`; alarms are named `<name>-<AlarmName>`."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,45}$", var.name))
    error_message = "name must be 2-46 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "cluster_name" {
  description = "Name of the ECS cluster, e.g. `my-service-prod`."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.cluster_name))
    error_message = "cluster_name must be 1-255 letters, digits, '_' or '-'."
  }
}

variable "service_name" {
  description = "Name of the ECS service, e.g. `my-service`."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.service_name))
    error_message = "service_name must be 1-255 letters, digits, '_' or '-'."
  }
}

variable "vpc_id" {
  description = "ID of the VPC the load balancer and the tasks run in."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets (at least two zones) of the internal load balancer and the tasks."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids must list at least two subnets: an Application Load Balancer spans two zones or more."
  }
}

variable "allowed_cidrs" {
  description = "IPv4 ranges that may reach the internal load balancer's listeners, e.g. the VPC's; with a hostname, the test listener only."
  type        = list(string)

  validation {
    condition     = length(var.allowed_cidrs) > 0 && alltrue([for cidr in var.allowed_cidrs : can(cidrhost(cidr, 0)) && cidr != "0.0.0.0/0"])
    error_message = "allowed_cidrs must list IPv4 CIDR blocks, and not 0.0.0.0/0: the load balancer is internal."
  }
}

variable "hostname" {
  description = "Host name the service answers on over HTTPS, in the zone `zone_id`; null keeps the load balancer internal and on HTTP."
  type        = string
  default     = null

  validation {
    condition     = var.hostname == null || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.hostname))
    error_message = "hostname must be a lowercase DNS name such as dev.example.com, or null."
  }
}

variable "zone_id" {
  description = "Route 53 public hosted zone of `hostname`: its alias record and the certificate's validation record go there."
  type        = string
  default     = null

  validation {
    condition     = var.zone_id == null || can(regex("^Z[A-Z0-9]{1,31}$", var.zone_id))
    error_message = "zone_id must be a Route 53 hosted zone ID (Z...), or null."
  }
}

variable "public_subnet_ids" {
  description = "Public subnets (at least two zones) of the load balancer when `hostname` is set."
  type        = list(string)
  default     = []

  validation {
    condition     = var.hostname == null || length(var.public_subnet_ids) >= 2
    error_message = "public_subnet_ids must list at least two subnets when hostname is set: an Application Load Balancer spans two zones or more."
  }
}

variable "ssl_policy" {
  description = "Security policy of the HTTPS listeners: TLS 1.2 and 1.3 only."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"

  validation {
    condition     = startswith(var.ssl_policy, "ELBSecurityPolicy-TLS13-1-2-")
    error_message = "ssl_policy must be one of the ELBSecurityPolicy-TLS13-1-2-* policies (TLS 1.2 or later)."
  }
}

variable "image" {
  description = "Image of the service by digest, `<registry>/<repository>@sha256:<digest>`."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._:/-]*@sha256:[0-9a-f]{64}$", var.image))
    error_message = "image must reference the image by digest: <registry>/<repository>@sha256:<64 hex digits>."
  }
}

variable "image_repository_arns" {
  description = "ECR repositories the task execution role may pull the service image from."
  type        = list(string)

  validation {
    condition     = alltrue([for arn in var.image_repository_arns : can(regex("^arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/.+$", arn))])
    error_message = "image_repository_arns must be ECR repository ARNs."
  }
}

variable "container_port" {
  description = "Port the service listens on, for the load balancer and the metrics scrape."
  type        = number
  default     = 8080

  validation {
    condition     = var.container_port >= 1024 && var.container_port <= 65535 && floor(var.container_port) == var.container_port
    error_message = "container_port must be a whole number from 1024 to 65535 (the service runs as a non-root user)."
  }
}

variable "health_check_path" {
  description = "Path the load balancer checks each task's readiness on."
  type        = string
  default     = "/readyz"

  validation {
    condition     = startswith(var.health_check_path, "/")
    error_message = "health_check_path must start with '/'."
  }
}

variable "metrics_path" {
  description = "Path of the service's Prometheus metrics."
  type        = string
  default     = "/metrics"

  validation {
    condition     = startswith(var.metrics_path, "/")
    error_message = "metrics_path must start with '/'."
  }
}

variable "container_user" {
  description = "UID:GID the service container runs as; never root."
  type        = string
  default     = "65532:65532"

  validation {
    condition     = can(regex("^[1-9][0-9]*(:[1-9][0-9]*)?$", var.container_user))
    error_message = "container_user must be a numeric, non-zero UID or UID:GID."
  }
}

variable "environment_variables" {
  description = "Environment variables of the service container."
  type        = map(string)
  default     = {}
}

variable "secrets" {
  description = "Environment variables of the service container set from Secrets Manager: name => secret ARN. ECS reads them with the execution role when a task starts; the values never pass through Terraform."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for arn in values(var.secrets) : can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", arn))])
    error_message = "secrets must map variable names to Secrets Manager secret ARNs."
  }
}

variable "secrets_kms_key_arn" {
  description = "KMS key the secrets of var.secrets are encrypted with; the execution role decrypts with it through Secrets Manager only. Required when var.secrets is not empty."
  type        = string
  default     = null
}

variable "task_cpu" {
  description = "CPU units of one task (1024 = one vCPU), shared by the service and the collector."
  type        = number

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.task_cpu)
    error_message = "task_cpu must be a Fargate CPU size: 256, 512, 1024, 2048, 4096, 8192 or 16384."
  }
}

variable "task_memory" {
  description = "Memory of one task in MiB; a combination with task_cpu that Fargate offers (e.g. 512-2048 for 256 CPU units)."
  type        = number

  validation {
    condition     = var.task_memory >= 512 && var.task_memory <= 122880 && var.task_memory % 256 == 0
    error_message = "task_memory must be a multiple of 256 MiB from 512 to 122880."
  }
}

variable "cpu_architecture" {
  description = "CPU architecture the image is built for: X86_64 or ARM64."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "collector_image" {
  description = "Image of the AWS Distro for OpenTelemetry collector that scrapes the service's metrics."
  type        = string
  default     = "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3"
}

variable "metric_namespace" {
  description = "CloudWatch namespace of the app's own metrics when there is no Prometheus workspace (the collector's awsemf exporter)."
  type        = string
  default     = null
}

variable "scrape_job_name" {
  description = "Prometheus `job` label of the service's metrics; the alert rules select it."
  type        = string
}

variable "scrape_interval_seconds" {
  description = "Seconds between two scrapes of the service's metrics."
  type        = number
  default     = 30

  validation {
    condition     = var.scrape_interval_seconds >= 10 && var.scrape_interval_seconds <= 300
    error_message = "scrape_interval_seconds must be from 10 to 300."
  }
}

variable "prometheus_workspace_arn" {
  description = "ARN of the Amazon Managed Service for Prometheus workspace the collector writes to; the task role may write there only. Null: no Prometheus, the collector sends metrics to CloudWatch (EMF) and traces to AWS X-Ray instead."
  type        = string
  default     = null

  validation {
    condition     = var.prometheus_workspace_arn == null || can(regex("^arn:aws[a-z-]*:aps:[a-z0-9-]+:[0-9]{12}:workspace/.+$", var.prometheus_workspace_arn))
    error_message = "prometheus_workspace_arn must be the ARN of an Amazon Managed Service for Prometheus workspace."
  }
}

variable "prometheus_remote_write_url" {
  description = "Remote-write URL of that workspace, `<prometheus endpoint>api/v1/remote_write`; null with prometheus_workspace_arn."
  type        = string
  default     = null

  validation {
    condition     = var.prometheus_remote_write_url == null || startswith(coalesce(var.prometheus_remote_write_url, "https://"), "https://")
    error_message = "prometheus_remote_write_url must be an https URL."
  }
}

variable "min_capacity" {
  description = "Fewest tasks; also the number the service starts with."
  type        = number

  validation {
    condition     = var.min_capacity >= 1 && floor(var.min_capacity) == var.min_capacity
    error_message = "min_capacity must be a whole number of at least 1."
  }
}

variable "max_capacity" {
  description = "Most tasks autoscaling may run."
  type        = number

  validation {
    condition     = var.max_capacity >= var.min_capacity && floor(var.max_capacity) == var.max_capacity
    error_message = "max_capacity must be a whole number of at least min_capacity."
  }
}

variable "spot" {
  description = "Run all tasks but the first on Fargate Spot (interruptible, much cheaper); for environments that can lose a task."
  type        = bool
  default     = false
}

variable "cpu_target_percent" {
  description = "Average CPU utilisation of the tasks that autoscaling keeps the service at."
  type        = number
  default     = 60

  validation {
    condition     = var.cpu_target_percent >= 10 && var.cpu_target_percent <= 90
    error_message = "cpu_target_percent must be from 10 to 90."
  }
}

variable "requests_per_task_target" {
  description = "Load balancer requests per task and minute that autoscaling keeps the service at."
  type        = number
  default     = 1000

  validation {
    condition     = var.requests_per_task_target >= 1
    error_message = "requests_per_task_target must be at least 1."
  }
}

variable "deployment_strategy" {
  description = "How ECS replaces a version: ROLLING, BLUE_GREEN or CANARY (the last two shift traffic between two target groups)."
  type        = string

  validation {
    condition     = contains(["ROLLING", "BLUE_GREEN", "CANARY"], var.deployment_strategy)
    error_message = "deployment_strategy must be ROLLING, BLUE_GREEN or CANARY."
  }
}

variable "bake_time_minutes" {
  description = "BLUE_GREEN and CANARY: minutes the old version keeps running after all traffic moved, ready to take it back."
  type        = number
  default     = 10

  validation {
    condition     = var.bake_time_minutes >= 0 && var.bake_time_minutes <= 1440 && floor(var.bake_time_minutes) == var.bake_time_minutes
    error_message = "bake_time_minutes must be a whole number from 0 to 1440."
  }
}

variable "canary_percent" {
  description = "CANARY: share of production traffic the new version takes first."
  type        = number
  default     = 10

  validation {
    condition     = var.canary_percent > 0 && var.canary_percent < 100
    error_message = "canary_percent must lie between 0 and 100, both excluded."
  }
}

variable "canary_bake_time_minutes" {
  description = "CANARY: minutes the canary takes its share before all traffic moves."
  type        = number
  default     = 5

  validation {
    condition     = var.canary_bake_time_minutes >= 0 && var.canary_bake_time_minutes <= 1440 && floor(var.canary_bake_time_minutes) == var.canary_bake_time_minutes
    error_message = "canary_bake_time_minutes must be a whole number from 0 to 1440."
  }
}

variable "rollback_error_percent" {
  description = "Share of requests answered 5xx, in percent, above which a deployment rolls back (load balancer, and each target group)."
  type        = number
  default     = 5

  validation {
    condition     = var.rollback_error_percent > 0 && var.rollback_error_percent <= 100
    error_message = "rollback_error_percent must lie above 0 and at most 100."
  }
}

variable "rollback_latency_p99_ms" {
  description = "99th percentile response time of a target group, in milliseconds, above which a deployment rolls back."
  type        = number
  default     = 1000

  validation {
    condition     = var.rollback_latency_p99_ms >= 1
    error_message = "rollback_latency_p99_ms must be at least 1."
  }
}

variable "alarm_topic_arns" {
  description = "SNS topics of the alert routing levels, keyed `page` (P0-P1), `notify` (P2-P3) and `ticket` (P4); each alarm goes to its severity's topic."
  type        = map(string)

  validation {
    condition     = alltrue([for level in ["page", "notify", "ticket"] : can(regex("^arn:aws[a-z-]*:sns:", var.alarm_topic_arns[level]))])
    error_message = "alarm_topic_arns must map page, notify and ticket to SNS topic ARNs."
  }
}

variable "runbook_url" {
  description = "URL of the folder of runbooks, e.g. `https://github.com/OWNER/NAME/blob/main/docs/runbooks`; each alarm links `<runbook_url>/<kebab-case alarm name>.md`."
  type        = string

  validation {
    condition     = startswith(var.runbook_url, "https://") && !endswith(var.runbook_url, "/")
    error_message = "runbook_url must be an https URL without a trailing '/'."
  }
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
  description = "Days to keep the containers' logs and the load balancer's access logs."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention period CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653)."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the load balancer (and keep its access logs) until this is turned off."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource, on top of the provider's default tags."
  type        = map(string)
  default     = {}
}
