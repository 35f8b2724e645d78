# One Lambda function per manifest (functions/NAME/function.json), each with its package from
# `make package`, its log group and its role (iam.tf). Nothing about a function's wiring is
# written here: the manifest says it.

resource "aws_s3_object" "package" {
  for_each = local.functions

  bucket      = aws_s3_bucket.this["artifacts"].id
  key         = "functions/${each.key}.zip"
  source      = "${local.package_dir}/${each.key}.zip"
  source_hash = filemd5("${local.package_dir}/${each.key}.zip")
  tags        = local.tags

  depends_on = [aws_s3_bucket_server_side_encryption_configuration.this]
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:PP-logs promises logs are kept at most 90 days (log_retention_days)
  for_each = local.functions

  name              = "/aws/lambda/${local.function_names[each.key]}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn
  tags              = local.tags
}

# Async invocations (jobs between functions, schedules) that still fail after Lambda's retries.
resource "aws_sqs_queue" "dead_letters" {
  name                      = "${local.name_prefix}-dead-letters"
  kms_master_key_id         = aws_kms_key.this.arn
  message_retention_seconds = 14 * 24 * 3600
  tags                      = local.tags
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_272:packages are built and uploaded by the same pipeline (make package, then apply) into a KMS-encrypted, versioned bucket only it writes; there is no separate signer to trust
  for_each = local.functions

  function_name = local.function_names[each.key]
  description   = substr(each.value.description, 0, 256)
  role          = aws_iam_role.this[each.key].arn

  # The package's `bootstrap` starts the function with its own loader and libraries (see
  # scripts/package-function.sh), so the Debian-built binary runs on Amazon Linux 2023.
  runtime          = "provided.al2023"
  handler          = "bootstrap"
  architectures    = ["x86_64"]
  s3_bucket        = aws_s3_object.package[each.key].bucket
  s3_key           = aws_s3_object.package[each.key].key
  source_code_hash = filebase64sha256("${local.package_dir}/${each.key}.zip")
  layers           = contains(var.terraform_layer_functions, each.key) ? [aws_lambda_layer_version.this.arn] : []

  memory_size = each.value.memory
  timeout     = each.value.timeout
  ephemeral_storage {
    size = each.value.ephemeralStorage
  }
  reserved_concurrent_executions = coalesce(each.value.reservedConcurrency, -1)
  kms_key_arn                    = aws_kms_key.this.arn

  environment {
    variables = local.function_environments[each.key]
  }

  dynamic "vpc_config" {
    for_each = var.database_mode == "rds" ? [true] : []
    content {
      subnet_ids         = [for subnet in aws_subnet.private : subnet.id]
      security_group_ids = [aws_security_group.functions[0].id]
    }
  }

  dead_letter_config {
    target_arn = aws_sqs_queue.dead_letters.arn
  }

  tracing_config {
    mode = "Active"
  }

  tags = merge(local.tags, { Function = each.key })

  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this]

  lifecycle {
    precondition {
      condition     = alltrue([for setting in each.value.configuration : contains(keys(local.settings), setting)])
      error_message = "functions/${each.key}/function.json lists a configuration setting infra/ does not know."
    }
  }
}
