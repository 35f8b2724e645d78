# With database_mode = rds: PostgreSQL on RDS in the private subnets, reached only through
# RDS Proxy (the transaction pooler the functions need, DESIGN.md section 1), TLS required at
# both (PP-crypto).

resource "aws_db_subnet_group" "this" {
  count = local.network_count

  name       = local.name_prefix
  subnet_ids = [for subnet in aws_subnet.private : subnet.id]
  tags       = local.tags
}

resource "aws_db_parameter_group" "this" {
  count = local.network_count

  name   = local.name_prefix
  family = "postgres${split(".", var.rds.engine_version)[0]}"
  tags   = local.tags

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  parameter {
    name  = "log_connections"
    value = "1"
  }

  parameter {
    name  = "log_disconnections"
    value = "1"
  }
}

data "aws_iam_policy_document" "monitoring_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "monitoring" {
  count = local.network_count

  name               = "${local.name_prefix}-database-monitoring"
  assume_role_policy = data.aws_iam_policy_document.monitoring_assume.json
  tags               = local.tags
}

resource "aws_iam_role_policy_attachment" "monitoring" {
  count = local.network_count

  role       = aws_iam_role.monitoring[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

resource "aws_db_instance" "this" {
  count = local.network_count

  identifier     = local.name_prefix
  engine         = "postgres"
  engine_version = var.rds.engine_version
  instance_class = var.rds.instance_class
  db_name        = var.rds.database_name

  # The owner (the migration runner's login) is the master user; its password is the owner
  # secret's, never in the state.
  username            = local.database_logins["owner"]
  password_wo         = ephemeral.aws_secretsmanager_random_password.database["owner"].random_password
  password_wo_version = var.database_secrets_version

  allocated_storage     = var.rds.allocated_storage
  max_allocated_storage = var.rds.max_allocated_storage
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = aws_kms_key.this.arn

  db_subnet_group_name   = aws_db_subnet_group.this[0].name
  vpc_security_group_ids = [aws_security_group.database[0].id]
  parameter_group_name   = aws_db_parameter_group.this[0].name
  publicly_accessible    = false
  multi_az               = var.rds.multi_az

  iam_database_authentication_enabled = true
  auto_minor_version_upgrade          = true
  backup_retention_period             = var.rds.backup_retention_period
  copy_tags_to_snapshot               = true
  deletion_protection                 = var.rds.deletion_protection
  skip_final_snapshot                 = !var.rds.deletion_protection
  final_snapshot_identifier           = var.rds.deletion_protection ? "${local.name_prefix}-final" : null
  enabled_cloudwatch_logs_exports     = ["postgresql", "upgrade"]
  performance_insights_enabled        = true
  performance_insights_kms_key_id     = aws_kms_key.this.arn
  monitoring_interval                 = 60
  monitoring_role_arn                 = aws_iam_role.monitoring[0].arn

  tags = local.tags
}

data "aws_iam_policy_document" "proxy_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "proxy" {
  count = local.network_count

  name               = "${local.name_prefix}-database-proxy"
  assume_role_policy = data.aws_iam_policy_document.proxy_assume.json
  tags               = local.tags
}

data "aws_iam_policy_document" "proxy" {
  statement {
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [for secret in aws_secretsmanager_secret.database : secret.arn]
  }

  statement {
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.this.arn]
  }
}

resource "aws_iam_role_policy" "proxy" {
  count = local.network_count

  name   = "read-database-secrets"
  role   = aws_iam_role.proxy[0].id
  policy = data.aws_iam_policy_document.proxy.json
}

resource "aws_db_proxy" "this" {
  count = local.network_count

  name                   = local.name_prefix
  engine_family          = "POSTGRESQL"
  role_arn               = aws_iam_role.proxy[0].arn
  vpc_subnet_ids         = [for subnet in aws_subnet.private : subnet.id]
  vpc_security_group_ids = [aws_security_group.proxy[0].id]
  require_tls            = true
  debug_logging          = false
  idle_client_timeout    = 1800
  tags                   = local.tags

  dynamic "auth" {
    for_each = aws_secretsmanager_secret.database
    content {
      description               = "the ${auth.key} login"
      auth_scheme               = "SECRETS"
      secret_arn                = auth.value.arn
      iam_auth                  = "DISABLED"
      client_password_auth_type = "POSTGRES_SCRAM_SHA_256"
    }
  }
}

resource "aws_db_proxy_default_target_group" "this" {
  count = local.network_count

  db_proxy_name = aws_db_proxy.this[0].name

  connection_pool_config {
    max_connections_percent   = 90
    connection_borrow_timeout = 120
  }
}

resource "aws_db_proxy_target" "this" {
  count = local.network_count

  db_proxy_name          = aws_db_proxy.this[0].name
  target_group_name      = aws_db_proxy_default_target_group.this[0].name
  db_instance_identifier = aws_db_instance.this[0].identifier
}
