data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  name_prefix = "${var.name}-${var.environment}"
  account_id  = data.aws_caller_identity.current.account_id
  partition   = data.aws_partition.current.partition

  tags = merge(var.tags, {
    Project     = var.name
    Environment = var.environment
    ManagedBy   = "terraform"
  })

  # MARK: the functions, from their manifests (README: "The function manifest")

  # Relative folders are relative to infra/, absolute ones are taken as they are.
  functions_dirs = [for dir in var.functions_dirs : startswith(dir, "/") ? dir : "${path.module}/${dir}"]
  package_dir    = startswith(var.package_dir, "/") ? var.package_dir : "${path.module}/${var.package_dir}"

  manifest_files = flatten([
    for dir in local.functions_dirs : [for file in fileset(dir, "*/function.json") : "${dir}/${file}"]
  ])

  # Optional fields get the emulator's defaults, so both read a manifest the same way.
  functions = {
    for file in local.manifest_files : basename(dirname(file)) => merge(
      {
        description         = ""
        routes              = []
        schedule            = null
        reservedConcurrency = null
        environment         = {}
        configuration       = []
        databaseRole        = null
        awsActions          = []
        invokes             = []
        ephemeralStorage    = 512
      },
      # What each route takes (credentials) is for the functions and their tests, not infra.
      { for key, value in jsondecode(file(file)) : key => value if value != null && key != "credentials" },
    )
  }

  function_names = { for name, _ in local.functions : name => "${local.name_prefix}-${name}" }

  http_functions      = { for name, function in local.functions : name => function if length(function.routes) > 0 }
  scheduled_functions = { for name, function in local.functions : name => function if function.schedule != null }

  # Every route key of every manifest, keyed by itself (a route belongs to one function).
  routes = merge([
    for name, function in local.http_functions : { for key in function.routes : key => name }
  ]...)

  # MARK: what each function is given

  bucket_purposes = toset(["state", "logs", "blueprints", "exports"])

  # Every KloudHub setting (KloudCore's Setting), null where this installation has none. A
  # function gets exactly the settings its manifest's `configuration` lists, besides LOG_LEVEL
  # and its database role's secret: the emulator gives the same, and a test compares the three.
  settings = merge(
    {
      KLOUDHUB_PUBLIC_URL = coalesce(var.public_url, aws_apigatewayv2_api.this.api_endpoint)
      # Only the key that seals customer credentials; the platform key is never a setting.
      KLOUDHUB_KMS_KEY_ID = aws_kms_key.credentials.arn
      # A function invokes another by its deployed name: this prefix and the manifest name.
      KLOUDHUB_FUNCTION_NAME_PREFIX = "${local.name_prefix}-"
      KLOUDHUB_CLERK_ISSUER         = var.clerk.issuer
      KLOUDHUB_CLERK_JWT_KEY        = var.clerk.jwt_key
      KLOUDHUB_CLERK_JWKS_URL       = var.clerk.jwks_url
      KLOUDHUB_CLERK_SIGN_IN_URL    = var.clerk.sign_in_url
      # One list in AWS, as the emulator's: the functions split it on commas.
      KLOUDHUB_CLERK_AUTHORIZED_PARTIES = join(",", var.clerk.authorized_parties)
      KLOUDHUB_CLERK_WEBHOOK_SECRET     = var.clerk_webhook_secret
      # Notifications are sent from the SES identity: the address, or an address at the domain.
      KLOUDHUB_NOTIFICATION_SENDER = strcontains(var.ses_identity, "@") ? var.ses_identity : "notifications@${var.ses_identity}"
      KLOUDHUB_MCP_ALLOWED_ORIGINS = length(var.mcp_allowed_origins) == 0 ? null : join(",", var.mcp_allowed_origins)
    },
    { for purpose in local.bucket_purposes : "KLOUDHUB_${upper(purpose)}_BUCKET" => aws_s3_bucket.this[purpose].id },
  )

  function_environments = {
    for name, function in local.functions : name => merge(
      { LOG_LEVEL = var.log_level },
      # lookup: an unknown setting is left to the function's precondition, which names it.
      { for setting in function.configuration : setting => lookup(local.settings, setting, null) if lookup(local.settings, setting, null) != null },
      function.databaseRole == null ? {} : {
        KLOUDHUB_DATABASE_SECRET_ARN = aws_secretsmanager_secret.database[function.databaseRole].arn
      },
      function.environment,
    )
  }
}
