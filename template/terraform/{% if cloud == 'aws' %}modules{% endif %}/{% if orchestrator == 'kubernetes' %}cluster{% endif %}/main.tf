data "aws_partition" "current" {}

locals {
  partition = data.aws_partition.current.partition

  public_endpoint = length(var.public_access_cidrs) > 0

  # Installed before the nodes: they need the network plugin to become Ready.
  addons_before_nodes = toset(["eks-pod-identity-agent", "kube-proxy", "vpc-cni"])
  # Deployments that need a node to run on, or Terraform waits for them in vain.
  addons_after_nodes = toset(["coredns"])
  ebs_csi_addon      = "aws-ebs-csi-driver"
  # The Secrets Store CSI driver with the AWS provider (ASCP): mounts Secrets Manager secrets into pods.
  secrets_store_addon = "aws-secrets-store-csi-driver-provider"

  pod_identities = {
    workload = { namespace = var.workload_namespace, service_account = var.workload_service_account }
    ebs-csi  = { namespace = "kube-system", service_account = "ebs-csi-controller-sa" }
  }
}

# ---------------------------------------------------------------- control plane

data "aws_iam_policy_document" "cluster_assume" {
  statement {
    actions = ["sts:AssumeRole", "sts:TagSession"]

    principals {
      type        = "Service"
      identifiers = ["eks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "cluster" {
  name               = "${var.name}-cluster"
  assume_role_policy = data.aws_iam_policy_document.cluster_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "cluster" {
  role       = aws_iam_role.cluster.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonEKSClusterPolicy"
}

module "secrets_key" {
  source = "../kms-key"

  alias       = "${var.name}-eks-secrets"
  description = "Encrypts the Kubernetes secrets of ${var.name}"
  tags        = var.tags
}

data "aws_iam_policy_document" "cluster_encryption" {
  statement {
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"]
    resources = [module.secrets_key.key_arn]
  }
}

resource "aws_iam_role_policy" "cluster_encryption" {
  name   = "encrypt-secrets"
  role   = aws_iam_role.cluster.id
  policy = data.aws_iam_policy_document.cluster_encryption.json
}

# EKS writes to this group by its fixed name; creating it first sets retention and encryption.
module "log_group" {
  source = "../log-group"

  name           = "/aws/eks/${var.name}/cluster"
  key_alias      = "${var.name}-eks-logs"
  description    = "Encrypts the control-plane logs of ${var.name}"
  retention_days = var.log_retention_days
  tags           = var.tags
}

resource "aws_eks_cluster" "this" {
  name                          = var.name
  version                       = var.kubernetes_version
  role_arn                      = aws_iam_role.cluster.arn
  enabled_cluster_log_types     = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
  bootstrap_self_managed_addons = false
  deletion_protection           = var.deletion_protection

  access_config {
    authentication_mode = "API"
    # Admins come only from admin_role_arns, whoever runs the first apply.
    bootstrap_cluster_creator_admin_permissions = false
  }

  vpc_config {
    subnet_ids              = var.subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = local.public_endpoint
    public_access_cidrs     = local.public_endpoint ? var.public_access_cidrs : null
  }

  encryption_config {
    resources = ["secrets"]

    provider {
      key_arn = module.secrets_key.key_arn
    }
  }

  tags = var.tags

  lifecycle {
    postcondition {
      condition     = self.vpc_config[0].vpc_id == var.vpc_id
      error_message = "subnet_ids must be subnets of vpc_id."
    }
  }

  depends_on = [
    module.log_group,
    aws_iam_role_policy_attachment.cluster,
    aws_iam_role_policy.cluster_encryption,
  ]
}

# ---------------------------------------------------------------- access

resource "aws_eks_access_entry" "admin" {
  for_each = toset(var.admin_role_arns)

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value
  type          = "STANDARD"

  tags = var.tags
}

resource "aws_eks_access_policy_association" "admin" {
  for_each = toset(var.admin_role_arns)

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = aws_eks_access_entry.admin[each.key].principal_arn
  policy_arn    = "arn:${local.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"

  access_scope {
    type = "cluster"
  }
}

# ---------------------------------------------------------------- nodes

data "aws_iam_policy_document" "node_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "node" {
  name               = "${var.name}-node"
  assume_role_policy = data.aws_iam_policy_document.node_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "node" {
  for_each = toset([
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryPullOnly",
  ])

  role       = aws_iam_role.node.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/${each.value}"
}

resource "aws_launch_template" "node" {
  name                   = "${var.name}-node"
  description            = "Nodes of ${var.name}: IMDSv2 only, encrypted root volume, no SSH key"
  update_default_version = true

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
    # Pods get AWS credentials from EKS Pod Identity; a hop limit of 1 keeps them away
    # from the node's own credentials.
    http_put_response_hop_limit = 1
  }

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_size           = var.node_disk_size_gb
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  tag_specifications {
    resource_type = "instance"
    tags          = merge(var.tags, { Name = "${var.name}-node" })
  }

  tag_specifications {
    resource_type = "volume"
    tags          = merge(var.tags, { Name = "${var.name}-node" })
  }

  tags = var.tags
}

resource "aws_eks_node_group" "default" {
  cluster_name           = aws_eks_cluster.this.name
  node_group_name_prefix = "default-"
  node_role_arn          = aws_iam_role.node.arn
  subnet_ids             = var.subnet_ids
  version                = aws_eks_cluster.this.version
  ami_type               = var.node_ami_type
  capacity_type          = "ON_DEMAND"
  instance_types         = var.node_instance_types

  scaling_config {
    min_size     = var.node_min_size
    desired_size = var.node_desired_size
    max_size     = var.node_max_size
  }

  update_config {
    max_unavailable = 1
  }

  launch_template {
    id      = aws_launch_template.node.id
    version = aws_launch_template.node.latest_version
  }

  tags = var.tags

  # A change that replaces the group (e.g. instance types) brings up the new nodes first.
  lifecycle {
    create_before_destroy = true
  }

  depends_on = [
    aws_iam_role_policy_attachment.node,
    aws_eks_addon.before_nodes,
  ]
}

# ---------------------------------------------------------------- add-ons

data "aws_eks_addon_version" "this" {
  for_each = setunion(local.addons_before_nodes, local.addons_after_nodes, [local.ebs_csi_addon, local.secrets_store_addon])

  addon_name         = each.value
  kubernetes_version = aws_eks_cluster.this.version
}

resource "aws_eks_addon" "before_nodes" {
  for_each = local.addons_before_nodes

  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = each.value
  addon_version               = data.aws_eks_addon_version.this[each.value].version
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"
  # The Helm chart's NetworkPolicy is enforced only when the VPC CNI's policy agent is on.
  configuration_values = each.value == "vpc-cni" ? jsonencode({ enableNetworkPolicy = "true" }) : null

  tags = var.tags
}

resource "aws_eks_addon" "after_nodes" {
  for_each = local.addons_after_nodes

  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = each.value
  addon_version               = data.aws_eks_addon_version.this[each.value].version
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"

  tags = var.tags

  depends_on = [aws_eks_node_group.default]
}

# ---------------------------------------------------------------- pod identities

# Each role may be assumed only by the one service account named here, in this cluster.
data "aws_iam_policy_document" "pod_identity_assume" {
  for_each = local.pod_identities

  statement {
    actions = ["sts:AssumeRole", "sts:TagSession"]

    principals {
      type        = "Service"
      identifiers = ["pods.eks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/eks-cluster-arn"
      values   = [aws_eks_cluster.this.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/kubernetes-namespace"
      values   = [each.value.namespace]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/kubernetes-service-account"
      values   = [each.value.service_account]
    }
  }
}

# ---------------------------------------------------------------- persistent volumes

# The EBS CSI driver provisions the volumes of stateful pods (Prometheus, Alertmanager) and
# creates a default gp3 StorageClass. Its controller gets AWS credentials through Pod Identity.
resource "aws_iam_role" "ebs_csi" {
  name               = "${var.name}-ebs-csi"
  assume_role_policy = data.aws_iam_policy_document.pod_identity_assume["ebs-csi"].json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "ebs_csi" {
  role       = aws_iam_role.ebs_csi.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
}

resource "aws_eks_addon" "ebs_csi" {
  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = local.ebs_csi_addon
  addon_version               = data.aws_eks_addon_version.this[local.ebs_csi_addon].version
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"
  configuration_values        = jsonencode({ defaultStorageClass = { enabled = true } })

  pod_identity_association {
    role_arn        = aws_iam_role.ebs_csi.arn
    service_account = local.pod_identities["ebs-csi"].service_account
  }

  tags = var.tags

  depends_on = [aws_eks_node_group.default, aws_eks_addon.before_nodes, aws_iam_role_policy_attachment.ebs_csi]
}

# ---------------------------------------------------------------- secrets

# A SecretProviderClass (the Helm chart's) names the secrets; the driver mounts them read-only into
# the pods that use it, fetched by the AWS provider with each pod's own EKS Pod Identity
# (usePodIdentity), and polls them every 2 minutes to update the files after a rotation.
resource "aws_eks_addon" "secrets_store" {
  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = local.secrets_store_addon
  addon_version               = data.aws_eks_addon_version.this[local.secrets_store_addon].version
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"
  configuration_values = jsonencode({
    secrets-store-csi-driver = { enableSecretRotation = true, rotationPollInterval = "2m" }
  })

  tags = var.tags

  depends_on = [aws_eks_node_group.default, aws_eks_addon.before_nodes]
}

# ---------------------------------------------------------------- the service's pods

# Starts with no permissions: attach what the service needs (e.g. from the environment's main.tf).
resource "aws_iam_role" "workload" {
  name               = "${var.name}-workload"
  assume_role_policy = data.aws_iam_policy_document.pod_identity_assume["workload"].json

  tags = var.tags
}

resource "aws_eks_pod_identity_association" "workload" {
  cluster_name    = aws_eks_cluster.this.name
  namespace       = var.workload_namespace
  service_account = var.workload_service_account
  role_arn        = aws_iam_role.workload.arn

  tags = var.tags
}
