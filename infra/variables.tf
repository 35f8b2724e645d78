# MARK: naming and placement

variable "name" {
  description = "The product's name: the first part of every resource name."
  type        = string
  default     = "kloudhub"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.name))
    error_message = "name must be 2 to 16 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "environment" {
  description = "Which installation this is (production, staging, a developer's): the second part of every resource name."
  type        = string
  default     = "production"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.environment))
    error_message = "environment must be 2 to 16 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "region" {
  description = "The AWS region everything is created in."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as us-east-1."
  }
}

variable "tags" {
  description = "Tags added to every resource, besides Project, Environment and ManagedBy."
  type        = map(string)
  default     = {}
}

# MARK: functions

variable "functions_dirs" {
  description = "Folders, relative to infra/, whose subfolders hold a function.json manifest; each manifest is one Lambda function named after its folder."
  type        = list(string)
  default     = ["../functions"]

  validation {
    condition     = length(var.functions_dirs) > 0
    error_message = "functions_dirs must name at least one folder."
  }
}

variable "package_dir" {
  description = "The folder, relative to infra/, where `make package` writes NAME.zip for each function and terraform-layer.zip."
  type        = string
  default     = "../dist"
}

variable "terraform_layer_functions" {
  description = "The functions that get the Terraform layer (the terraform binary and its providers under /opt/terraform)."
  type        = list(string)
  default     = ["deploy"]
}

variable "log_level" {
  description = "LOG_LEVEL of every function."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["trace", "debug", "info", "notice", "warning", "error", "critical"], var.log_level)
    error_message = "log_level must be one of trace, debug, info, notice, warning, error, critical."
  }
}

variable "public_url" {
  description = "The API's public origin (https://api.example.com): the OAuth issuer and the MCP resource's base. Null uses the API Gateway endpoint."
  type        = string
  default     = null

  validation {
    condition     = var.public_url == null || can(regex("^https://[a-z0-9.-]+(:[0-9]+)?$", var.public_url))
    error_message = "public_url must be an https origin without a path or a trailing slash."
  }
}

variable "clerk" {
  description = "How functions verify Clerk session tokens: the Frontend API URL (issuer), Clerk's PEM public key or JWKS URL, the allowed azp origins and the sign-in page."
  type = object({
    issuer             = string
    jwt_key            = optional(string)
    jwks_url           = optional(string)
    authorized_parties = list(string)
    sign_in_url        = string
  })

  validation {
    condition     = can(regex("^https://", var.clerk.issuer)) && can(regex("^https://", var.clerk.sign_in_url))
    error_message = "clerk.issuer and clerk.sign_in_url must be https URLs."
  }

  validation {
    condition     = (var.clerk.jwt_key == null) != (var.clerk.jwks_url == null)
    error_message = "Set exactly one of clerk.jwt_key and clerk.jwks_url."
  }
}

variable "clerk_webhook_secret" {
  description = "The whsec_ signing secret of Clerk's webhook endpoint (POST /webhooks/clerk)."
  type        = string
  sensitive   = true

  validation {
    condition     = startswith(var.clerk_webhook_secret, "whsec_")
    error_message = "clerk_webhook_secret must be Clerk's whsec_ secret."
  }
}

variable "mcp_allowed_origins" {
  description = "Origins besides the public URL's that may call /mcp from a browser (KLOUDHUB_MCP_ALLOWED_ORIGINS)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for origin in var.mcp_allowed_origins : can(regex("^https://[^/?#]+$", origin))])
    error_message = "mcp_allowed_origins must be https origins such as https://app.example.com (no path)."
  }
}

# MARK: retention (DESIGN.md section 2: PP-logs, PP-delete)

variable "log_retention_days" {
  description = "Days CloudWatch keeps function, API and network logs, and the logs bucket keeps deployment logs (PP-logs: at most 90)."
  type        = number
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch retention of at most 90 days: 1, 3, 5, 7, 14, 30, 60 or 90."
  }
}

variable "export_retention_days" {
  description = "Days an account export stays downloadable in the exports bucket."
  type        = number
  default     = 7

  validation {
    condition     = var.export_retention_days >= 1 && var.export_retention_days <= 30
    error_message = "export_retention_days must be 1 to 30."
  }
}

variable "noncurrent_version_retention_days" {
  description = "Days a replaced or deleted object version is kept in a versioned bucket; with the erasure's own delay it must stay within PP-delete's 30 days."
  type        = number
  default     = 7

  validation {
    condition     = var.noncurrent_version_retention_days >= 1 && var.noncurrent_version_retention_days <= 29
    error_message = "noncurrent_version_retention_days must be 1 to 29."
  }
}

variable "kms_deletion_window_days" {
  description = "Days a deleted KMS key can still be recovered."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "kms_deletion_window_days must be 7 to 30."
  }
}

variable "secret_recovery_window_days" {
  description = "Days a deleted database secret can still be restored; 0 deletes it at once (for throwaway installations)."
  type        = number
  default     = 30

  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "secret_recovery_window_days must be 0 or 7 to 30."
  }
}

# MARK: API

variable "api_throttling" {
  description = "The API stage's default throttling: requests per second and burst."
  type = object({
    rate_limit  = number
    burst_limit = number
  })
  default = {
    rate_limit  = 100
    burst_limit = 200
  }

  validation {
    condition     = var.api_throttling.rate_limit > 0 && var.api_throttling.burst_limit > 0
    error_message = "api_throttling limits must be positive."
  }
}

# MARK: email

variable "ses_identity" {
  description = "The SES identity notifications are sent from: a domain (DKIM records are in the outputs) or an email address."
  type        = string

  validation {
    condition     = can(regex("^([^@\\s]+@)?[a-z0-9-]+(\\.[a-z0-9-]+)+$", var.ses_identity))
    error_message = "ses_identity must be a domain name or an email address."
  }
}

# MARK: database (DESIGN.md section 6)

variable "database_mode" {
  description = "Where PostgreSQL runs: \"supabase\" (an external Supabase project; give its connection strings) or \"rds\" (an RDS PostgreSQL instance behind RDS Proxy in private subnets)."
  type        = string
  default     = "supabase"

  validation {
    condition     = contains(["supabase", "rds"], var.database_mode)
    error_message = "database_mode must be supabase or rds."
  }
}

variable "supabase_database_urls" {
  description = "With database_mode = supabase: the connection string (Supabase's transaction pooler) of each login role: api, worker, maintenance, and owner (the migration runner's). Each must use sslmode=verify-full."
  type        = map(string)
  default     = {}
  sensitive   = true

  validation {
    condition     = alltrue([for key in keys(var.supabase_database_urls) : contains(["api", "worker", "maintenance", "owner"], key)])
    error_message = "supabase_database_urls keys must be api, worker, maintenance and owner."
  }

  validation {
    condition     = alltrue([for url in values(var.supabase_database_urls) : can(regex("^postgres(ql)?://.*[?&]sslmode=verify-full(&|$)", url))])
    error_message = "Every Supabase connection string must be a postgresql:// URL with sslmode=verify-full (PP-crypto)."
  }
}

variable "database_secrets_version" {
  description = "Bump to write the database secrets again (after changing supabase_database_urls)."
  type        = number
  default     = 1

  validation {
    condition     = var.database_secrets_version >= 1 && floor(var.database_secrets_version) == var.database_secrets_version
    error_message = "database_secrets_version must be a whole number from 1."
  }
}

variable "rds" {
  description = "With database_mode = rds: the instance's class, storage, engine version, high availability and protection."
  type = object({
    instance_class          = optional(string, "db.t4g.micro")
    allocated_storage       = optional(number, 20)
    max_allocated_storage   = optional(number, 100)
    engine_version          = optional(string, "16.4")
    multi_az                = optional(bool, true)
    deletion_protection     = optional(bool, true)
    backup_retention_period = optional(number, 7)
    database_name           = optional(string, "kloudhub")
  })
  default = {}

  validation {
    condition     = var.rds.backup_retention_period >= 1 && var.rds.backup_retention_period <= 35
    error_message = "rds.backup_retention_period must be 1 to 35 days."
  }

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.rds.database_name))
    error_message = "rds.database_name must be a lowercase PostgreSQL identifier."
  }
}

variable "vpc_cidr" {
  description = "With database_mode = rds: the VPC's address range; split into two public and two private subnets."
  type        = string
  default     = "10.42.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr)) && tonumber(split("/", var.vpc_cidr)[1]) <= 20
    error_message = "vpc_cidr must be an IPv4 CIDR block of /20 or larger."
  }
}
