# The database is reached through one Secrets Manager secret per login role (DESIGN.md section
# 6): api, worker, maintenance, and owner (the migration runner's). Each secret's value is JSON
# with "url", the role's connection string (sslmode=verify-full, PP-crypto); with RDS it also
# holds "username" and "password", which RDS Proxy authenticates the role with. A function gets
# the ARN of its manifest's databaseRole's secret as KLOUDHUB_DATABASE_SECRET_ARN and may read
# that secret only (iam.tf). The values are written once and never stored in the state
# (write-only arguments); bump database_secrets_version to write them again.

locals {
  database_roles = toset(["api", "worker", "maintenance", "owner"])
  # Login users are made per installation, each a member of its group role (migrations/0001).
  database_logins = { for role in local.database_roles : role => "${replace(local.name_prefix, "-", "_")}_${role}" }
}

resource "aws_secretsmanager_secret" "database" {
  #checkov:skip=CKV2_AWS_57:the passwords are rotated by writing new versions with the migration runner, which also alters the login users; Secrets Manager's rotation Lambda cannot alter them
  for_each = local.database_roles

  name                    = "${local.name_prefix}/database/${each.key}"
  description             = "Connection string of the ${each.key} database role"
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = var.secret_recovery_window_days
  tags                    = local.tags

  lifecycle {
    precondition {
      condition     = var.database_mode != "supabase" || length(setsubtract(local.database_roles, keys(var.supabase_database_urls))) == 0
      error_message = "database_mode = supabase needs supabase_database_urls for api, worker, maintenance and owner."
    }
  }
}

# RDS: a password per login, made by Secrets Manager and never written to the state.
ephemeral "aws_secretsmanager_random_password" "database" {
  for_each = var.database_mode == "rds" ? local.database_roles : toset([])

  password_length     = 40
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret_version" "database" {
  for_each = local.database_roles

  secret_id                = aws_secretsmanager_secret.database[each.key].id
  secret_string_wo_version = var.database_secrets_version
  secret_string_wo = var.database_mode == "supabase" ? jsonencode({ url = var.supabase_database_urls[each.key] }) : jsonencode({
    engine   = "postgres"
    host     = aws_db_proxy.this[0].endpoint
    port     = 5432
    dbname   = var.rds.database_name
    username = local.database_logins[each.key]
    password = ephemeral.aws_secretsmanager_random_password.database[each.key].random_password
    url      = "postgresql://${local.database_logins[each.key]}:${ephemeral.aws_secretsmanager_random_password.database[each.key].random_password}@${aws_db_proxy.this[0].endpoint}:5432/${var.rds.database_name}?sslmode=verify-full"
  })
}
