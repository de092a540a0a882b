data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region

  # Blue-green and canary deployments shift traffic between two target groups; rolling ones use one.
  progressive    = var.deployment_strategy != "ROLLING"
  target_groups  = local.progressive ? toset(["blue", "green"]) : toset(["blue"])
  listener_ports = local.progressive ? [local.production_port, local.test_port] : [local.production_port]

  # With a host name the load balancer faces the internet: HTTPS with an ACM certificate, port 80
  # only redirects to it. Without one it stays internal and speaks HTTP inside the VPC.
  public          = var.hostname != null
  production_port = local.public ? 443 : 80
  test_port       = local.public ? 8443 : 8080
  redirect_port   = 80

  # Who may reach which port: with a host name, anyone the production listener and the redirect,
  # allowed_cidrs the test listener; without one, allowed_cidrs every listener.
  open_ports       = local.public ? [local.production_port, local.redirect_port] : []
  restricted_ports = local.public ? setsubtract(local.listener_ports, [local.production_port]) : toset(local.listener_ports)
  listener_sources = merge(
    { for pair in setproduct(local.open_ports, ["0.0.0.0/0"]) : "${pair[0]}-${pair[1]}" => pair },
    { for pair in setproduct(local.restricted_ports, var.allowed_cidrs) : "${pair[0]}-${pair[1]}" => pair },
  )
  production_listener_arn = one(concat(aws_lb_listener.production[*].arn, aws_lb_listener.production_https[*].arn))
  test_listener_arn       = one(concat(aws_lb_listener.test[*].arn, aws_lb_listener.test_https[*].arn))
  app                     = "app"
  collector               = "collector"

  # Prometheus: the collector remote-writes the app's metrics to the environment's workspace.
  # CloudWatch (no workspace): metrics as embedded metric format into the tasks' log group, traces
  # to AWS X-Ray.
  prometheus = var.prometheus_workspace_arn != null

  # Load balancer and target group names have at most 32 characters.
  short_name = length(var.name) <= 26 ? var.name : "${trimsuffix(substr(var.name, 0, 21), "-")}-${substr(sha256(var.name), 0, 4)}"

  runbook = {
    for alarm, file in {
      EcsTasksBelowDesired = "ecs-tasks-below-desired"
      EcsCpuSaturation     = "ecs-cpu-saturation"
      EcsMemorySaturation  = "ecs-memory-saturation"
      TargetsUnhealthy     = "targets-unhealthy"
      DeploymentRolledBack = "deployment-rolled-back"
    } : alarm => "${var.runbook_url}/${file}.md"
  }

  service_dimensions = {
    ClusterName = aws_ecs_cluster.this.name
    ServiceName = var.service_name
  }
}

# ---------------------------------------------------------------- cluster and logs

resource "aws_ecs_cluster" "this" {
  name = var.cluster_name

  # Task counts, CPU and memory per service: the alarms and the request autoscaling read them.
  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  tags = var.tags
}

# Regular Fargate, and Fargate Spot for the environments that may lose a task now and then.
resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}

module "log_group" {
  source = "../log-group"

  name           = "/ecs/${var.name}"
  key_alias      = "${var.name}-ecs-logs"
  description    = "Encrypts the container logs of ${var.name}"
  retention_days = var.log_retention_days
  tags           = var.tags
}

# ---------------------------------------------------------------- IAM

# Tasks of this account's ECS only, as AWS recommends against the confused deputy.
data "aws_iam_policy_document" "tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:*"]
    }
  }
}

# Used by ECS to start the tasks: pull the service image, write the containers' logs and read the
# service's secrets (the only identity that may read their values besides the administrators).
resource "aws_iam_role" "execution" {
  name               = "${var.name}-task-execution"
  description        = "Starts the tasks of ${var.name}: image pull and container logs"
  assume_role_policy = data.aws_iam_policy_document.tasks_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "execution" {
  # GetAuthorizationToken has no resource-level permissions; the token only works where
  # the statement below allows.
  statement {
    sid       = "RegistryLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "PullServiceImage"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = var.image_repository_arns
  }

  statement {
    sid       = "ContainerLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${module.log_group.arn}:*"]
  }

  # The secrets of var.secrets, read when a task starts and handed to the service as variables.
  dynamic "statement" {
    for_each = length(var.secrets) > 0 ? [sort(distinct(values(var.secrets)))] : []

    content {
      sid       = "ReadSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = statement.value
    }
  }

  dynamic "statement" {
    for_each = length(var.secrets) > 0 ? [var.secrets_kms_key_arn] : []

    content {
      sid       = "DecryptSecrets"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${local.region}.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "start-tasks"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# The containers' own identity: the collector remote-writes to the environment's workspace, or writes
# metrics to the tasks' log group and traces to X-Ray; nothing else.
resource "aws_iam_role" "task" {
  name               = "${var.name}-task"
  description        = "Identity of the tasks of ${var.name}; attach what the service itself needs"
  assume_role_policy = data.aws_iam_policy_document.tasks_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "task" {
  dynamic "statement" {
    for_each = local.prometheus ? [var.prometheus_workspace_arn] : []

    content {
      sid       = "PrometheusRemoteWrite"
      actions   = ["aps:RemoteWrite"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = local.prometheus ? [] : [module.log_group.arn]

    content {
      sid       = "EmbeddedMetricFormat"
      actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
      resources = ["${statement.value}:*"]
    }
  }

  # X-Ray's write and sampling actions apply to no particular resource.
  dynamic "statement" {
    for_each = local.prometheus ? [] : ["xray"]

    content {
      sid       = "XRayTraces"
      actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role_policy" "task" {
  name   = local.prometheus ? "remote-write-metrics" : "write-telemetry"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}

# Blue-green and canary: ECS moves the listener rules' traffic between the target groups with this role.
data "aws_iam_policy_document" "infrastructure_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "infrastructure" {
  count = local.progressive ? 1 : 0

  name               = "${var.name}-ecs-infrastructure"
  description        = "Lets ECS shift the traffic of ${var.name} between its target groups during deployments"
  assume_role_policy = data.aws_iam_policy_document.infrastructure_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "infrastructure" {
  count = local.progressive ? 1 : 0

  role       = aws_iam_role.infrastructure[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers"
}

# ---------------------------------------------------------------- task definition

locals {
  log_options = {
    awslogs-group  = module.log_group.name
    awslogs-region = local.region
  }

  # AWS Distro for OpenTelemetry: scrapes the service beside it and remote-writes with SigV4.
  # Every task scrapes localhost, so the task's ARN becomes the `instance` label.
  prometheus_collector_config = {
    extensions = {
      health_check = {}
      sigv4auth    = { region = local.region, service = "aps" }
    }
    receivers = {
      prometheus = {
        config = {
          global = { scrape_interval = "${var.scrape_interval_seconds}s", scrape_timeout = "10s" }
          scrape_configs = [{
            job_name       = var.scrape_job_name
            metrics_path   = var.metrics_path
            static_configs = [{ targets = ["localhost:${var.container_port}"] }]
          }]
        }
      }
    }
    processors = {
      resourcedetection = { detectors = ["ecs"], timeout = "5s", override = false }
      resource = {
        attributes = [{ key = "service.instance.id", from_attribute = "aws.ecs.task.arn", action = "upsert" }]
      }
      batch = {}
    }
    exporters = {
      prometheusremotewrite = {
        endpoint = var.prometheus_remote_write_url
        auth     = { authenticator = "sigv4auth" }
      }
    }
    service = {
      extensions = ["health_check", "sigv4auth"]
      pipelines = {
        metrics = {
          receivers  = ["prometheus"]
          processors = ["resourcedetection", "resource", "batch"]
          exporters  = ["prometheusremotewrite"]
        }
      }
    }
  }

  # Without Prometheus: the same scrape, plus the app's OTLP traces and metrics on localhost. Metrics
  # go to CloudWatch as embedded metric format (one log stream per task in the tasks' log group, no
  # dimension roll-up); histograms arrive as count, sum, min and max only (no percentiles). Traces
  # go to AWS X-Ray.
  cloudwatch_collector_config = {
    extensions = {
      health_check = {}
    }
    receivers = {
      otlp = {
        protocols = {
          grpc = { endpoint = "localhost:4317" }
          http = { endpoint = "localhost:4318" }
        }
      }
      prometheus = local.prometheus_collector_config.receivers.prometheus
    }
    processors = local.prometheus_collector_config.processors
    exporters = {
      awsemf = {
        region                  = local.region
        namespace               = coalesce(var.metric_namespace, var.service_name)
        log_group_name          = module.log_group.name
        log_stream_name         = "${local.collector}/metrics/{TaskId}"
        dimension_rollup_option = "NoDimensionRollup"
      }
      awsxray = {
        region = local.region
      }
    }
    service = {
      extensions = ["health_check"]
      pipelines = {
        metrics = {
          receivers  = ["prometheus", "otlp"]
          processors = ["resourcedetection", "resource", "batch"]
          exporters  = ["awsemf"]
        }
        traces = {
          receivers  = ["otlp"]
          processors = ["resourcedetection", "batch"]
          exporters  = ["awsxray"]
        }
      }
    }
  }
  collector_config = local.prometheus ? yamlencode(local.prometheus_collector_config) : yamlencode(local.cloudwatch_collector_config)

  app_environment = merge(
    var.environment_variables,
    { PORT = tostring(var.container_port) },
    # the app exports its spans over OTLP/HTTP to the collector beside it
    local.prometheus ? {} : { OTEL_EXPORTER_OTLP_ENDPOINT = "http://localhost:4318", OTEL_EXPORTER_OTLP_PROTOCOL = "http/protobuf" },
  )

  # Both containers run as non-root users on a read-only root filesystem, with every Linux
  # capability dropped; /tmp is each one's only writable path.
  # The service's secrets come by reference (`secrets`): ECS reads each value with the execution
  # role when the task starts.
  container_definitions = [
    {
      name                   = local.app
      image                  = var.image
      essential              = true
      user                   = var.container_user
      readonlyRootFilesystem = true
      portMappings           = [{ name = "http", containerPort = var.container_port, hostPort = var.container_port, protocol = "tcp" }]
      environment            = [for key in sort(keys(local.app_environment)) : { name = key, value = local.app_environment[key] }]
      secrets                = [for key in sort(keys(var.secrets)) : { name = key, valueFrom = var.secrets[key] }]
      mountPoints            = [{ sourceVolume = "${local.app}-tmp", containerPath = "/tmp" }]
      linuxParameters        = { initProcessEnabled = true, capabilities = { drop = ["ALL"] } }
      # After SIGTERM the service drains and finishes its requests (DRAIN_SECONDS + GRACEFUL_SHUTDOWN_SECONDS).
      stopTimeout      = 30
      logConfiguration = { logDriver = "awslogs", options = merge(local.log_options, { awslogs-stream-prefix = local.app }) }
    },
    {
      name                   = local.collector
      image                  = var.collector_image
      essential              = false
      user                   = "10001:10001"
      readonlyRootFilesystem = true
      environment            = [{ name = "AOT_CONFIG_CONTENT", value = local.collector_config }]
      mountPoints            = [{ sourceVolume = "${local.collector}-tmp", containerPath = "/tmp" }]
      linuxParameters        = { initProcessEnabled = true, capabilities = { drop = ["ALL"] } }
      # A failing collector is restarted in place instead of stopping the task that serves traffic.
      restartPolicy    = { enabled = true, restartAttemptPeriod = 60 }
      healthCheck      = { command = ["CMD", "/healthcheck"], interval = 30, timeout = 5, retries = 3, startPeriod = 15 }
      dependsOn        = [{ containerName = local.app, condition = "START" }]
      logConfiguration = { logDriver = "awslogs", options = merge(local.log_options, { awslogs-stream-prefix = local.collector }) }
    },
  ]
}

# Terraform registers a revision per image; the service runs whichever revision the release
# script deploys. Old revisions stay active so that a deployment can go back to them.
resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  container_definitions    = jsonencode(local.container_definitions)
  skip_destroy             = true

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  volume {
    name = "${local.app}-tmp"
  }

  volume {
    name = "${local.collector}-tmp"
  }

  tags = var.tags
}

# ---------------------------------------------------------------- network access

resource "aws_security_group" "load_balancer" {
  name        = "${var.name}-alb"
  description = "Internal load balancer of ${var.name}: listeners open to allowed_cidrs, traffic to the tasks"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-alb" })
}

#trivy:ignore:AVD-AWS-0107 With a host name the service is public: HTTPS on 443 and the redirect on 80 answer anyone, behind the web ACL; the test listener stays limited to allowed_cidrs
resource "aws_vpc_security_group_ingress_rule" "load_balancer" {
  for_each = local.listener_sources

  security_group_id = aws_security_group.load_balancer.id
  description       = each.value[0] == local.test_port ? "Test listener of deployments" : local.public && each.value[0] == local.redirect_port ? "Redirect to HTTPS" : "Production listener"
  ip_protocol       = "tcp"
  from_port         = each.value[0]
  to_port           = each.value[0]
  cidr_ipv4         = each.value[1]

  tags = var.tags
}

resource "aws_vpc_security_group_egress_rule" "load_balancer_to_tasks" {
  security_group_id            = aws_security_group.load_balancer.id
  description                  = "Requests and health checks to the tasks"
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  referenced_security_group_id = aws_security_group.tasks.id

  tags = var.tags
}

resource "aws_security_group" "tasks" {
  name        = "${var.name}-tasks"
  description = "Tasks of ${var.name}: requests from the load balancer only, HTTPS out"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-tasks" })
}

resource "aws_vpc_security_group_ingress_rule" "tasks_from_load_balancer" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "Requests and health checks from the load balancer"
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  referenced_security_group_id = aws_security_group.load_balancer.id

  tags = var.tags
}

# ECR, CloudWatch Logs, STS and the Prometheus workspace are public HTTPS endpoints, reached through NAT.
#trivy:ignore:AVD-AWS-0104 The tasks reach AWS APIs (ECR, CloudWatch Logs, STS, Prometheus remote write) over HTTPS through NAT; the VPC has no interface endpoints for them
resource "aws_vpc_security_group_egress_rule" "tasks_https" {
  security_group_id = aws_security_group.tasks.id
  description       = "HTTPS to AWS APIs and the service's dependencies"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"

  tags = var.tags
}

# ---------------------------------------------------------------- load balancer access logs

# Bucket, policy and retention: the sibling module access-logs.
module "access_logs" {
  source = "../access-logs"

  bucket_name    = var.access_logs_bucket_name
  retention_days = var.log_retention_days
  # Outside production, tearing the environment down takes its access logs with it.
  force_destroy = !var.deletion_protection
  tags          = var.tags
}

# The bucket and its settings were resources of this module before they became the module access-logs.
moved {
  from = aws_s3_bucket.access_logs
  to   = module.access_logs.aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_ownership_controls.access_logs
  to   = module.access_logs.aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_public_access_block.access_logs
  to   = module.access_logs.aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_versioning.access_logs
  to   = module.access_logs.aws_s3_bucket_versioning.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.access_logs
  to   = module.access_logs.aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.access_logs
  to   = module.access_logs.aws_s3_bucket_lifecycle_configuration.this
}

moved {
  from = aws_s3_bucket_policy.access_logs
  to   = module.access_logs.aws_s3_bucket_policy.this
}

# ---------------------------------------------------------------- load balancer

# Internal without a host name; with one it faces the internet from the public subnets, and the
# environment's web ACL is associated with it.
#trivy:ignore:AVD-AWS-0053 Internet-facing only with a host name, as the service's public entry: HTTPS behind the environment's AWS WAF web ACL
resource "aws_lb" "this" {
  #checkov:skip=CKV2_AWS_20:Only without a host name does port 80 forward: the internal load balancer speaks HTTP inside the VPC; with one, port 80 only redirects to HTTPS.
  #checkov:skip=CKV_AWS_150:Deletion protection is var.deletion_protection: on in production, off in the environments that are torn down and rebuilt.
  #checkov:skip=CKV2_AWS_28:Internet-facing only with a host name, and then the environment root associates its web ACL (module waf), which checkov does not follow across modules.
  name                       = local.short_name
  internal                   = !local.public
  load_balancer_type         = "application"
  security_groups            = [aws_security_group.load_balancer.id]
  subnets                    = local.public ? var.public_subnet_ids : var.subnet_ids
  drop_invalid_header_fields = true
  desync_mitigation_mode     = "defensive"
  enable_deletion_protection = var.deletion_protection

  # The load balancer checks that it may write its access logs when it is created: bucket_id is
  # known once the bucket policy allows it.
  access_logs {
    bucket  = module.access_logs.bucket_id
    prefix  = module.access_logs.prefix
    enabled = true
  }

  tags = var.tags
}

resource "aws_lb_target_group" "this" {
  for_each = local.target_groups

  #checkov:skip=CKV_AWS_378:Targets are reached over HTTP inside the VPC; TLS ends at the load balancer once it gets a domain.
  name                 = "${local.short_name}-${each.key}"
  target_type          = "ip"
  protocol             = "HTTP"
  port                 = var.container_port
  vpc_id               = var.vpc_id
  deregistration_delay = 30

  health_check {
    enabled             = true
    protocol            = "HTTP"
    path                = var.health_check_path
    port                = "traffic-port"
    matcher             = "200"
    interval            = 10
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

# Without a host name only: the internal load balancer's production listener.
#trivy:ignore:AVD-AWS-0054 Exists only without a host name, on the internal load balancer inside the VPC; with one, production_https serves TLS
resource "aws_lb_listener" "production" {
  count = local.public ? 0 : 1

  #checkov:skip=CKV_AWS_2:Exists only without a host name: the internal load balancer speaks HTTP inside the VPC; with one, production_https serves TLS.
  #checkov:skip=CKV_AWS_103:Exists only without a host name (no certificate): with one, production_https serves TLS 1.2 or later.
  load_balancer_arn = aws_lb.this.arn
  port              = local.production_port
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this["blue"].arn
  }

  tags = var.tags
}

moved {
  from = aws_lb_listener.production
  to   = aws_lb_listener.production[0]
}

# With a host name: TLS 1.2 or 1.3 only, with the certificate ACM renews by itself.
resource "aws_lb_listener" "production_https" {
  count = local.public ? 1 : 0

  load_balancer_arn = aws_lb.this.arn
  port              = local.production_port
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
  certificate_arn   = aws_acm_certificate_validation.this[0].certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this["blue"].arn
  }

  tags = var.tags
}

resource "aws_lb_listener" "redirect" {
  count = local.public ? 1 : 0

  load_balancer_arn = aws_lb.this.arn
  port              = local.redirect_port
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      protocol    = "HTTPS"
      port        = tostring(local.production_port)
      status_code = "HTTP_301"
    }
  }

  tags = var.tags
}

# Blue-green and canary: ECS shifts the weights of these rules during a deployment, so Terraform
# sets them once and leaves them to ECS.
resource "aws_lb_listener_rule" "production" {
  count = local.progressive ? 1 : 0

  listener_arn = local.production_listener_arn
  priority     = 1

  action {
    type = "forward"

    forward {
      target_group {
        arn    = aws_lb_target_group.this["blue"].arn
        weight = 100
      }

      target_group {
        arn    = aws_lb_target_group.this["green"].arn
        weight = 0
      }
    }
  }

  condition {
    path_pattern {
      values = ["/*"]
    }
  }

  tags = var.tags

  lifecycle {
    ignore_changes = [action]
  }
}

# During a deployment the test listener reaches the new version before production traffic does;
# between deployments, the live one.
#trivy:ignore:AVD-AWS-0054 Exists only without a host name, on the internal load balancer inside the VPC; with one, test_https serves TLS
resource "aws_lb_listener" "test" {
  count = local.progressive && !local.public ? 1 : 0

  #checkov:skip=CKV_AWS_2:Exists only without a host name: the internal load balancer speaks HTTP inside the VPC; with one, test_https serves TLS.
  #checkov:skip=CKV_AWS_103:Exists only without a host name (no certificate): with one, test_https serves TLS 1.2 or later.
  load_balancer_arn = aws_lb.this.arn
  port              = local.test_port
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this["blue"].arn
  }

  tags = var.tags
}

resource "aws_lb_listener" "test_https" {
  count = local.progressive && local.public ? 1 : 0

  load_balancer_arn = aws_lb.this.arn
  port              = local.test_port
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
  certificate_arn   = aws_acm_certificate_validation.this[0].certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this["blue"].arn
  }

  tags = var.tags
}

resource "aws_lb_listener_rule" "test" {
  count = local.progressive ? 1 : 0

  listener_arn = local.test_listener_arn
  priority     = 1

  action {
    type = "forward"

    forward {
      target_group {
        arn    = aws_lb_target_group.this["blue"].arn
        weight = 100
      }

      target_group {
        arn    = aws_lb_target_group.this["green"].arn
        weight = 0
      }
    }
  }

  condition {
    path_pattern {
      values = ["/*"]
    }
  }

  tags = var.tags

  lifecycle {
    ignore_changes = [action]
  }
}

# ---------------------------------------------------------------- host name and certificate

# The certificate of the host name, validated through a record in its zone; ACM renews it as long
# as that record stays.
resource "aws_acm_certificate" "this" {
  count = local.public ? 1 : 0

  domain_name       = var.hostname
  validation_method = "DNS"

  tags = merge(var.tags, { Name = var.hostname })

  lifecycle {
    create_before_destroy = true
  }
}

locals {
  certificate_validation = local.public ? tolist(aws_acm_certificate.this[0].domain_validation_options)[0] : null
}

resource "aws_route53_record" "certificate_validation" {
  count = local.public ? 1 : 0

  zone_id         = var.zone_id
  name            = local.certificate_validation.resource_record_name
  type            = local.certificate_validation.resource_record_type
  records         = [local.certificate_validation.resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "this" {
  count = local.public ? 1 : 0

  certificate_arn         = aws_acm_certificate.this[0].arn
  validation_record_fqdns = [aws_route53_record.certificate_validation[0].fqdn]
}

resource "aws_route53_record" "service" {
  count = local.public ? 1 : 0

  zone_id = var.zone_id
  name    = var.hostname
  type    = "A"

  alias {
    name                   = aws_lb.this.dns_name
    zone_id                = aws_lb.this.zone_id
    evaluate_target_health = true
  }
}

# ---------------------------------------------------------------- service

resource "aws_ecs_service" "this" {
  name                               = var.service_name
  cluster                            = aws_ecs_cluster.this.arn
  task_definition                    = aws_ecs_task_definition.this.arn
  desired_count                      = var.min_capacity
  platform_version                   = "LATEST"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = 60
  enable_ecs_managed_tags            = true
  propagate_tags                     = "SERVICE"

  # With spot, the first task runs on regular Fargate and the others on Fargate Spot, which AWS may
  # reclaim with two minutes' notice: ECS drains the task and starts another.
  capacity_provider_strategy {
    capacity_provider = "FARGATE"
    base              = 1
    weight            = var.spot ? 0 : 1
  }

  dynamic "capacity_provider_strategy" {
    for_each = var.spot ? [1] : []

    content {
      capacity_provider = "FARGATE_SPOT"
      weight            = 1
    }
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.this["blue"].arn
    container_name   = local.app
    container_port   = var.container_port

    dynamic "advanced_configuration" {
      for_each = local.progressive ? [1] : []

      content {
        alternate_target_group_arn = aws_lb_target_group.this["green"].arn
        production_listener_rule   = aws_lb_listener_rule.production[0].arn
        test_listener_rule         = aws_lb_listener_rule.test[0].arn
        role_arn                   = aws_iam_role.infrastructure[0].arn
      }
    }
  }

  deployment_configuration {
    strategy             = var.deployment_strategy
    bake_time_in_minutes = local.progressive ? tostring(var.bake_time_minutes) : null

    dynamic "canary_configuration" {
      for_each = var.deployment_strategy == "CANARY" ? [1] : []

      content {
        canary_percent              = var.canary_percent
        canary_bake_time_in_minutes = tostring(var.canary_bake_time_minutes)
      }
    }
  }

  # Tasks that never get healthy stop the deployment and bring the previous revision back.
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  # So does any of these alarms going off while a deployment runs or bakes.
  alarms {
    enable      = true
    rollback    = true
    alarm_names = local.rollback_alarm_names
  }

  tags = var.tags

  # Deployments belong to the release script (update-service with the task definition this
  # module registers) and the task count to autoscaling: Terraform changes neither.
  lifecycle {
    ignore_changes = [task_definition, desired_count]
  }

  depends_on = [
    aws_ecs_cluster_capacity_providers.this,
    aws_lb_listener.production,
    aws_lb_listener.production_https,
    aws_lb_listener.test,
    aws_lb_listener.test_https,
    aws_iam_role_policy.execution,
    aws_iam_role_policy_attachment.infrastructure,
  ]
}

# ---------------------------------------------------------------- autoscaling

resource "aws_appautoscaling_target" "this" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.this.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.min_capacity
  max_capacity       = var.max_capacity

  tags = var.tags
}

resource "aws_appautoscaling_policy" "cpu" {
  name               = "${var.name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  resource_id        = aws_appautoscaling_target.this.resource_id
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target_percent
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

# Requests per running task across the load balancer: blue-green and canary deployments move
# production traffic from one target group to the other, so no single target group's
# RequestCountPerTarget follows it.
resource "aws_appautoscaling_policy" "requests" {
  name               = "${var.name}-requests"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  resource_id        = aws_appautoscaling_target.this.resource_id
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.requests_per_task_target
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    customized_metric_specification {
      metrics {
        id          = "requests"
        label       = "Requests to the load balancer"
        return_data = false

        metric_stat {
          stat = "Sum"

          metric {
            namespace   = "AWS/ApplicationELB"
            metric_name = "RequestCount"

            dimensions {
              name  = "LoadBalancer"
              value = aws_lb.this.arn_suffix
            }
          }
        }
      }

      metrics {
        id          = "tasks"
        label       = "Running tasks"
        return_data = false

        metric_stat {
          stat = "Average"

          metric {
            namespace   = "ECS/ContainerInsights"
            metric_name = "RunningTaskCount"

            dynamic "dimensions" {
              for_each = local.service_dimensions

              content {
                name  = dimensions.key
                value = dimensions.value
              }
            }
          }
        }
      }

      metrics {
        id          = "requests_per_task"
        label       = "Requests per running task"
        expression  = "FILL(requests, 0) / tasks"
        return_data = true
      }
    }
  }
}

# ---------------------------------------------------------------- deployment rollback alarms

# Watched by ECS while a deployment runs and bakes: any of them in ALARM rolls it back. They notify
# nobody themselves; DeploymentRolledBack below does once ECS has rolled back.
locals {
  rollback_alarm_names = concat(
    [aws_cloudwatch_metric_alarm.rollback_errors.alarm_name],
    [for alarm in aws_cloudwatch_metric_alarm.rollback_target_errors : alarm.alarm_name],
    [for alarm in aws_cloudwatch_metric_alarm.rollback_latency : alarm.alarm_name],
  )
}

resource "aws_cloudwatch_metric_alarm" "rollback_errors" {
  alarm_name          = "${var.name}-Rollback5xxRatio"
  alarm_description   = "Rolls a deployment of ${var.service_name} back: more than ${var.rollback_error_percent}% of the load balancer's requests answered 5xx in 2 of 3 minutes. Runbook: ${local.runbook.DeploymentRolledBack}"
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.rollback_error_percent
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  treat_missing_data  = "notBreaching"

  metric_query {
    id          = "error_percent"
    label       = "5xx answers (load balancer and targets), percent of requests"
    expression  = "100 * (FILL(target_errors, 0) + FILL(load_balancer_errors, 0)) / requests"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = {
      target_errors        = "HTTPCode_Target_5XX_Count"
      load_balancer_errors = "HTTPCode_ELB_5XX_Count"
      requests             = "RequestCount"
    }

    content {
      id = metric_query.key

      metric {
        namespace   = "AWS/ApplicationELB"
        metric_name = metric_query.value
        period      = 60
        stat        = "Sum"
        dimensions  = { LoadBalancer = aws_lb.this.arn_suffix }
      }
    }
  }

  tags = var.tags
}

# Per target group: a canary's share is diluted in the load balancer's numbers.
resource "aws_cloudwatch_metric_alarm" "rollback_target_errors" {
  for_each = aws_lb_target_group.this

  alarm_name          = "${var.name}-RollbackTarget5xxRatio-${each.key}"
  alarm_description   = "Rolls a deployment of ${var.service_name} back: more than ${var.rollback_error_percent}% of the requests to target group ${each.key} answered 5xx in 2 of 3 minutes. Runbook: ${local.runbook.DeploymentRolledBack}"
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.rollback_error_percent
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  treat_missing_data  = "notBreaching"

  metric_query {
    id          = "error_percent"
    label       = "5xx answers of target group ${each.key}, percent of its requests"
    expression  = "100 * FILL(errors, 0) / requests"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = { errors = "HTTPCode_Target_5XX_Count", requests = "RequestCount" }

    content {
      id = metric_query.key

      metric {
        namespace   = "AWS/ApplicationELB"
        metric_name = metric_query.value
        period      = 60
        stat        = "Sum"
        dimensions  = { LoadBalancer = aws_lb.this.arn_suffix, TargetGroup = each.value.arn_suffix }
      }
    }
  }

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "rollback_latency" {
  for_each = aws_lb_target_group.this

  alarm_name          = "${var.name}-RollbackLatencyP99-${each.key}"
  alarm_description   = "Rolls a deployment of ${var.service_name} back: the 99th percentile response time of target group ${each.key} exceeded ${var.rollback_latency_p99_ms} ms in 2 of 3 minutes. Runbook: ${local.runbook.DeploymentRolledBack}"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  dimensions          = { LoadBalancer = aws_lb.this.arn_suffix, TargetGroup = each.value.arn_suffix }
  extended_statistic  = "p99"
  period              = 60
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.rollback_latency_p99_ms / 1000
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  treat_missing_data  = "notBreaching"

  tags = var.tags
}

# ---------------------------------------------------------------- alarms (what Prometheus cannot see on Fargate)

resource "aws_cloudwatch_metric_alarm" "tasks_below_desired" {
  alarm_name          = "${var.name}-EcsTasksBelowDesired"
  alarm_description   = "P1: fewer tasks of ${var.service_name} have been running than it wants for 10 minutes: tasks fail to start or keep stopping. Runbook: ${local.runbook.EcsTasksBelowDesired}"
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = 10
  datapoints_to_alarm = 10
  alarm_actions       = [var.alarm_topic_arns["page"]]
  ok_actions          = [var.alarm_topic_arns["page"]]

  metric_query {
    id          = "missing_tasks"
    label       = "Desired tasks not running"
    expression  = "desired - running"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = { desired = "DesiredTaskCount", running = "RunningTaskCount" }

    content {
      id = metric_query.key

      metric {
        namespace   = "ECS/ContainerInsights"
        metric_name = metric_query.value
        period      = 60
        stat        = "Average"
        dimensions  = local.service_dimensions
      }
    }
  }

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "cpu_saturation" {
  alarm_name          = "${var.name}-EcsCpuSaturation"
  alarm_description   = "P3: the tasks of ${var.service_name} have used more than 85% of their CPU for 15 minutes, even after autoscaling. Runbook: ${local.runbook.EcsCpuSaturation}"
  namespace           = "AWS/ECS"
  metric_name         = "CPUUtilization"
  dimensions          = local.service_dimensions
  statistic           = "Average"
  period              = 60
  comparison_operator = "GreaterThanThreshold"
  threshold           = 85
  evaluation_periods  = 15
  datapoints_to_alarm = 15
  alarm_actions       = [var.alarm_topic_arns["notify"]]
  ok_actions          = [var.alarm_topic_arns["notify"]]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "memory_saturation" {
  alarm_name          = "${var.name}-EcsMemorySaturation"
  alarm_description   = "P3: the tasks of ${var.service_name} have used more than 90% of their memory for 15 minutes; they are stopped when they run out. Runbook: ${local.runbook.EcsMemorySaturation}"
  namespace           = "AWS/ECS"
  metric_name         = "MemoryUtilization"
  dimensions          = local.service_dimensions
  statistic           = "Average"
  period              = 60
  comparison_operator = "GreaterThanThreshold"
  threshold           = 90
  evaluation_periods  = 15
  datapoints_to_alarm = 15
  alarm_actions       = [var.alarm_topic_arns["notify"]]
  ok_actions          = [var.alarm_topic_arns["notify"]]

  tags = var.tags
}

# The target group that is live changes with blue-green and canary deployments: the worst one counts.
resource "aws_cloudwatch_metric_alarm" "targets_unhealthy" {
  alarm_name          = "${var.name}-TargetsUnhealthy"
  alarm_description   = "P2: the load balancer has found tasks of ${var.service_name} unhealthy (${var.health_check_path}) for 10 minutes. Runbook: ${local.runbook.TargetsUnhealthy}"
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = 10
  datapoints_to_alarm = 10
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alarm_topic_arns["notify"]]
  ok_actions          = [var.alarm_topic_arns["notify"]]

  dynamic "metric_query" {
    for_each = local.progressive ? [1] : []

    content {
      id          = "unhealthy"
      label       = "Unhealthy targets, worst target group"
      expression  = "MAX([${join(", ", sort(keys(aws_lb_target_group.this)))}])"
      return_data = true
    }
  }

  dynamic "metric_query" {
    for_each = aws_lb_target_group.this

    content {
      id          = metric_query.key
      return_data = !local.progressive

      metric {
        namespace   = "AWS/ApplicationELB"
        metric_name = "UnHealthyHostCount"
        period      = 60
        stat        = "Maximum"
        dimensions  = { LoadBalancer = aws_lb.this.arn_suffix, TargetGroup = metric_query.value.arn_suffix }
      }
    }
  }

  tags = var.tags
}

# ---------------------------------------------------------------- rolled-back deployments

resource "aws_cloudwatch_event_rule" "deployment_rolled_back" {
  name        = "${var.name}-DeploymentRolledBack"
  description = "P2: a deployment of ${var.service_name} failed and ECS rolled it back. Runbook: ${local.runbook.DeploymentRolledBack}"

  event_pattern = jsonencode({
    source        = ["aws.ecs"]
    "detail-type" = ["ECS Deployment State Change"]
    resources     = [aws_ecs_service.this.id]
    detail        = { eventName = ["SERVICE_DEPLOYMENT_FAILED"] }
  })

  tags = var.tags
}

resource "aws_cloudwatch_event_target" "deployment_rolled_back" {
  rule = aws_cloudwatch_event_rule.deployment_rolled_back.name
  arn  = var.alarm_topic_arns["notify"]

  input_transformer {
    input_paths = {
      deployment = "$.detail.deploymentId"
      reason     = "$.detail.reason"
      time       = "$.time"
    }
    input_template = "\"P2 DeploymentRolledBack: deployment <deployment> of ${var.service_name} (${var.cluster_name}) failed at <time> and ECS rolled it back: <reason>. Runbook: ${local.runbook.DeploymentRolledBack}\""
  }
}
