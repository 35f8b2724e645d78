# Each function's own role: exactly what its manifest lists (awsActions, invokes, databaseRole)
# plus what every Lambda function needs to run (its log group, tracing, its dead-letter queue,
# its environment's key). Actions are scoped to KloudHub's own resources wherever the action
# allows a resource.

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  for_each = local.functions

  name               = "${local.function_names[each.key]}-function"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
  tags               = local.tags
}

locals {
  account_bucket_arns = [for purpose in local.bucket_purposes : aws_s3_bucket.this[purpose].arn]

  # Where an action of a service may act, when a manifest lists it. A manifest's kms actions
  # seal and open credentials: they act on the credentials key only (kms.tf). A service not
  # named here gets "*": its actions either take no resource (ec2:Describe*,
  # ce:GetCostAndUsage) or act in customer accounts through an assumed role.
  action_resources = {
    s3             = concat(local.account_bucket_arns, [for arn in local.account_bucket_arns : "${arn}/${local.account_prefix}*"])
    kms            = [aws_kms_key.credentials.arn]
    ses            = [aws_sesv2_email_identity.this.arn]
    sqs            = [aws_sqs_queue.dead_letters.arn]
    secretsmanager = [for secret in aws_secretsmanager_secret.database : secret.arn]
    lambda         = values(local.function_arns)
    # Customer accounts are reached by assuming a role there (DESIGN.md section 9).
    sts = ["arn:${local.partition}:iam::*:role/*"]
  }

  function_arns = {
    for name, function_name in local.function_names :
    name => "arn:${local.partition}:lambda:${var.region}:${local.account_id}:function:${function_name}"
  }
}

data "aws_iam_policy_document" "function" {
  for_each = local.functions

  statement {
    sid       = "OwnLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this[each.key].arn}:*"]
  }

  statement {
    sid       = "Tracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }

  statement {
    sid       = "DeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dead_letters.arn]
  }

  # The platform key: its environment, its database secret, the buckets' objects and the
  # dead-letter queue. Never the credentials key, which only the manifest's kms actions name.
  statement {
    sid       = "EncryptionKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.this.arn]
  }

  dynamic "statement" {
    for_each = var.database_mode == "rds" ? [true] : []
    content {
      sid       = "NetworkInterfaces"
      actions   = ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]
      resources = ["*"]
    }
  }

  # The connection string of the database role its manifest names, and no other.
  dynamic "statement" {
    for_each = each.value.databaseRole == null ? [] : [each.value.databaseRole]
    content {
      sid       = "DatabaseSecret"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [aws_secretsmanager_secret.database[statement.value].arn]
    }
  }

  dynamic "statement" {
    for_each = length(each.value.invokes) == 0 ? [] : [each.value.invokes]
    content {
      sid       = "InvokeFunctions"
      actions   = ["lambda:InvokeFunction"]
      resources = [for target in statement.value : local.function_arns[target]]
    }
  }

  # The manifest's awsActions, one statement per service.
  dynamic "statement" {
    for_each = { for action in each.value.awsActions : split(":", action)[0] => action... }
    content {
      sid       = "Manifest${replace(title(replace(statement.key, "-", " ")), " ", "")}"
      actions   = statement.value
      resources = lookup(local.action_resources, statement.key, ["*"])
    }
  }

  lifecycle {
    precondition {
      condition     = alltrue([for target in each.value.invokes : contains(keys(local.functions), target)])
      error_message = "functions/${each.key}/function.json invokes a function that has no manifest."
    }
  }
}

resource "aws_iam_role_policy" "this" {
  for_each = local.functions

  name   = "least-privilege"
  role   = aws_iam_role.this[each.key].id
  policy = data.aws_iam_policy_document.function[each.key].json
}
