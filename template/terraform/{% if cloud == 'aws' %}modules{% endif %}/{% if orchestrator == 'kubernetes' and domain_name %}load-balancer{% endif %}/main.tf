locals {
  https_port    = 443
  redirect_port = 80

  # Load balancer and target group names have at most 32 characters.
  short_name = length(var.name) <= 32 ? var.name : "${trimsuffix(substr(var.name, 0, 27), "-")}-${substr(sha256(var.name), 0, 4)}"
}

# ---------------------------------------------------------------- network access

resource "aws_security_group" "load_balancer" {
  name        = "${var.name}-alb"
  description = "Public load balancer of ${var.name}: HTTPS and the redirect from anywhere, traffic to the pods"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-alb" })
}

#trivy:ignore:AVD-AWS-0107 The service is public: HTTPS on 443 and the redirect on 80 answer anyone, behind the web ACL
resource "aws_vpc_security_group_ingress_rule" "load_balancer" {
  for_each = { https = local.https_port, redirect = local.redirect_port }

  #checkov:skip=CKV_AWS_260:Port 80 of the public load balancer only answers a redirect to HTTPS (listener redirect), for anyone.

  security_group_id = aws_security_group.load_balancer.id
  description       = each.key == "https" ? "HTTPS listener" : "Redirect to HTTPS"
  ip_protocol       = "tcp"
  from_port         = each.value
  to_port           = each.value
  cidr_ipv4         = "0.0.0.0/0"

  tags = var.tags
}

resource "aws_vpc_security_group_egress_rule" "load_balancer_to_pods" {
  security_group_id            = aws_security_group.load_balancer.id
  description                  = "Requests and health checks to the service's pods"
  ip_protocol                  = "tcp"
  from_port                    = var.target_port
  to_port                      = var.target_port
  referenced_security_group_id = var.pods_security_group_id

  tags = var.tags
}

# The pods have the nodes' security group (the VPC CNI gives them addresses of the nodes' network
# interfaces): it admits the load balancer on the service's port, and the chart's NetworkPolicy
# admits the public subnets the load balancer's interfaces are in.
resource "aws_vpc_security_group_ingress_rule" "pods_from_load_balancer" {
  security_group_id            = var.pods_security_group_id
  description                  = "Requests and health checks from the public load balancer"
  ip_protocol                  = "tcp"
  from_port                    = var.target_port
  to_port                      = var.target_port
  referenced_security_group_id = aws_security_group.load_balancer.id

  tags = var.tags
}

# ---------------------------------------------------------------- access logs

# Bucket, policy and retention: the sibling module access-logs.
module "access_logs" {
  source = "../access-logs"

  bucket_name    = var.access_logs_bucket_name
  retention_days = var.log_retention_days
  # Outside production, tearing the environment down takes its access logs with it.
  force_destroy = !var.deletion_protection
  tags          = var.tags
}

# ---------------------------------------------------------------- load balancer

# Internet-facing in the public subnets; the environment's web ACL (module waf) is associated with it.
#trivy:ignore:AVD-AWS-0053 The service's public entry: HTTPS behind the environment's AWS WAF web ACL
resource "aws_lb" "this" {
  #checkov:skip=CKV2_AWS_28:The environment root associates its web ACL (module waf), which checkov does not follow across modules.
  name                       = local.short_name
  internal                   = false
  load_balancer_type         = "application"
  security_groups            = [aws_security_group.load_balancer.id]
  subnets                    = var.public_subnet_ids
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

# The AWS Load Balancer Controller keeps the targets: the addresses of the pods behind the chart's
# Service (its TargetGroupBinding), registered and deregistered as they come and go.
resource "aws_lb_target_group" "this" {
  #checkov:skip=CKV_AWS_378:Pods are reached over HTTP inside the VPC; TLS ends at the load balancer.
  name                 = local.short_name
  target_type          = "ip"
  protocol             = "HTTP"
  port                 = var.target_port
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

  tags = merge(var.tags, { Name = var.name })
}

# TLS 1.2 or 1.3 only, with the certificate ACM renews by itself.
resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = local.https_port
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
  certificate_arn   = aws_acm_certificate_validation.this.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }

  tags = var.tags
}

resource "aws_lb_listener" "redirect" {
  load_balancer_arn = aws_lb.this.arn
  port              = local.redirect_port
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      protocol    = "HTTPS"
      port        = tostring(local.https_port)
      status_code = "HTTP_301"
    }
  }

  tags = var.tags
}

# ---------------------------------------------------------------- host name and certificate

# The certificate of the host name, validated through a record in its zone; ACM renews it as long
# as that record stays.
resource "aws_acm_certificate" "this" {
  domain_name       = var.hostname
  validation_method = "DNS"

  tags = merge(var.tags, { Name = var.hostname })

  lifecycle {
    create_before_destroy = true
  }
}

locals {
  certificate_validation = tolist(aws_acm_certificate.this.domain_validation_options)[0]
}

resource "aws_route53_record" "certificate_validation" {
  zone_id         = var.zone_id
  name            = local.certificate_validation.resource_record_name
  type            = local.certificate_validation.resource_record_type
  records         = [local.certificate_validation.resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "this" {
  certificate_arn         = aws_acm_certificate.this.arn
  validation_record_fqdns = [aws_route53_record.certificate_validation.fqdn]
}

resource "aws_route53_record" "service" {
  zone_id = var.zone_id
  name    = var.hostname
  type    = "A"

  alias {
    name                   = aws_lb.this.dns_name
    zone_id                = aws_lb.this.zone_id
    evaluate_target_health = true
  }
}

# ---------------------------------------------------------------- AWS Load Balancer Controller

# The controller (deploy/ingress/install.sh) only binds pods to this target group: it reads the
# load balancer's and the network's state and changes nothing but this group's targets. Its
# Ingress and Service features stay off, so it needs no right to create load balancers, security
# groups or rules.
data "aws_iam_policy_document" "controller_assume" {
  statement {
    actions = ["sts:AssumeRole", "sts:TagSession"]

    principals {
      type        = "Service"
      identifiers = ["pods.eks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/eks-cluster-arn"
      values   = [var.cluster_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/kubernetes-namespace"
      values   = [var.controller_namespace]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/kubernetes-service-account"
      values   = [var.controller_service_account]
    }
  }
}

resource "aws_iam_role" "controller" {
  name               = "${var.name}-lb-controller"
  description        = "AWS Load Balancer Controller of ${var.name}: keeps the targets of the service's target group"
  assume_role_policy = data.aws_iam_policy_document.controller_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "controller" {
  # Describe calls take no resource: IAM cannot scope them.
  statement {
    sid = "Describe"
    actions = [
      "ec2:DescribeAvailabilityZones",
      "ec2:DescribeInstances",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeSubnets",
      "ec2:DescribeVpcs",
      "elasticloadbalancing:DescribeListeners",
      "elasticloadbalancing:DescribeLoadBalancers",
      "elasticloadbalancing:DescribeTags",
      "elasticloadbalancing:DescribeTargetGroupAttributes",
      "elasticloadbalancing:DescribeTargetGroups",
      "elasticloadbalancing:DescribeTargetHealth",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "Targets"
    actions   = ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"]
    resources = [aws_lb_target_group.this.arn]
  }
}

resource "aws_iam_role_policy" "controller" {
  name   = "bind-targets"
  role   = aws_iam_role.controller.id
  policy = data.aws_iam_policy_document.controller.json
}

resource "aws_eks_pod_identity_association" "controller" {
  cluster_name    = var.cluster_name
  namespace       = var.controller_namespace
  service_account = var.controller_service_account
  role_arn        = aws_iam_role.controller.arn

  tags = var.tags
}
