# With database_mode = rds: a VPC whose private subnets hold the database, RDS Proxy and the
# functions; a NAT gateway in a public subnet lets the functions reach AWS APIs and customer
# accounts. With Supabase there is no VPC: functions reach the pooler over TLS (verify-full).

locals {
  network_count = var.database_mode == "rds" ? 1 : 0
  # Two zones: RDS needs subnets in two, and Multi-AZ uses both.
  zones = data.aws_availability_zones.available.names
}

data "aws_availability_zones" "available" {
  state = "available"

  filter {
    name   = "zone-name"
    values = ["${var.region}a", "${var.region}b"]
  }
}

resource "aws_vpc" "this" {
  count = local.network_count

  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = merge(local.tags, { Name = local.name_prefix })
}

# No rule: nothing uses the default security group.
resource "aws_default_security_group" "this" {
  count = local.network_count

  vpc_id = aws_vpc.this[0].id
  tags   = merge(local.tags, { Name = "${local.name_prefix}-default-unused" })
}

resource "aws_subnet" "private" {
  for_each = var.database_mode == "rds" ? { for index, zone in local.zones : zone => index } : {}

  vpc_id            = aws_vpc.this[0].id
  availability_zone = each.key
  cidr_block        = cidrsubnet(var.vpc_cidr, 4, each.value)
  tags              = merge(local.tags, { Name = "${local.name_prefix}-private-${each.key}" })
}

resource "aws_subnet" "public" {
  for_each = var.database_mode == "rds" ? { for index, zone in local.zones : zone => index } : {}

  vpc_id            = aws_vpc.this[0].id
  availability_zone = each.key
  cidr_block        = cidrsubnet(var.vpc_cidr, 4, 8 + each.value)
  tags              = merge(local.tags, { Name = "${local.name_prefix}-public-${each.key}" })
}

resource "aws_internet_gateway" "this" {
  count = local.network_count

  vpc_id = aws_vpc.this[0].id
  tags   = merge(local.tags, { Name = local.name_prefix })
}

resource "aws_eip" "nat" {
  count = local.network_count

  domain = "vpc"
  tags   = merge(local.tags, { Name = "${local.name_prefix}-nat" })

  depends_on = [aws_internet_gateway.this]
}

resource "aws_nat_gateway" "this" {
  count = local.network_count

  allocation_id = aws_eip.nat[0].id
  subnet_id     = aws_subnet.public[local.zones[0]].id
  tags          = merge(local.tags, { Name = local.name_prefix })
}

resource "aws_route_table" "public" {
  count = local.network_count

  vpc_id = aws_vpc.this[0].id
  tags   = merge(local.tags, { Name = "${local.name_prefix}-public" })

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.this[0].id
  }
}

resource "aws_route_table" "private" {
  count = local.network_count

  vpc_id = aws_vpc.this[0].id
  tags   = merge(local.tags, { Name = "${local.name_prefix}-private" })

  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.this[0].id
  }
}

resource "aws_route_table_association" "public" {
  for_each = aws_subnet.public

  subnet_id      = each.value.id
  route_table_id = aws_route_table.public[0].id
}

resource "aws_route_table_association" "private" {
  for_each = aws_subnet.private

  subnet_id      = each.value.id
  route_table_id = aws_route_table.private[0].id
}

resource "aws_cloudwatch_log_group" "flow_logs" {
  #checkov:skip=CKV_AWS_338:PP-logs promises logs are kept at most 90 days (log_retention_days)
  count = local.network_count

  name              = "/aws/vpc/${local.name_prefix}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn
  tags              = local.tags
}

data "aws_iam_policy_document" "flow_logs_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "flow_logs" {
  count = local.network_count

  name               = "${local.name_prefix}-flow-logs"
  assume_role_policy = data.aws_iam_policy_document.flow_logs_assume.json
  tags               = local.tags
}

data "aws_iam_policy_document" "flow_logs" {
  count = local.network_count

  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${aws_cloudwatch_log_group.flow_logs[0].arn}:*"]
  }
}

resource "aws_iam_role_policy" "flow_logs" {
  count = local.network_count

  name   = "write-flow-logs"
  role   = aws_iam_role.flow_logs[0].id
  policy = data.aws_iam_policy_document.flow_logs[0].json
}

resource "aws_flow_log" "this" {
  count = local.network_count

  vpc_id          = aws_vpc.this[0].id
  traffic_type    = "ALL"
  log_destination = aws_cloudwatch_log_group.flow_logs[0].arn
  iam_role_arn    = aws_iam_role.flow_logs[0].arn
  tags            = local.tags
}

# MARK: security groups: functions → proxy → database, on PostgreSQL's port only

resource "aws_security_group" "functions" {
  count = local.network_count

  name        = "${local.name_prefix}-functions"
  description = "KloudHub's Lambda functions"
  vpc_id      = aws_vpc.this[0].id
  tags        = local.tags

  egress {
    description = "HTTPS to AWS APIs and customer accounts"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    description = "PostgreSQL through RDS Proxy"
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr]
  }
}

resource "aws_security_group" "proxy" {
  #checkov:skip=CKV2_AWS_5:attached to aws_db_proxy.this (vpc_security_group_ids), which checkov does not follow through count
  count = local.network_count

  name        = "${local.name_prefix}-database-proxy"
  description = "RDS Proxy in front of KloudHub's database"
  vpc_id      = aws_vpc.this[0].id
  tags        = local.tags

  ingress {
    description     = "PostgreSQL from the functions"
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [aws_security_group.functions[0].id]
  }

  egress {
    description = "PostgreSQL to the database"
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr]
  }
}

resource "aws_security_group" "database" {
  count = local.network_count

  name        = "${local.name_prefix}-database"
  description = "KloudHub's RDS PostgreSQL instance"
  vpc_id      = aws_vpc.this[0].id
  tags        = local.tags

  ingress {
    description     = "PostgreSQL from RDS Proxy"
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [aws_security_group.proxy[0].id]
  }
}
