# EventBridge Scheduler fires each scheduled function (a manifest's "schedule": rate(...) or
# cron(...), UTC) with a scheduled event, as the emulator does locally.

resource "aws_scheduler_schedule_group" "this" {
  name = local.name_prefix
  tags = local.tags
}

data "aws_iam_policy_document" "scheduler_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name               = "${local.name_prefix}-scheduler"
  assume_role_policy = data.aws_iam_policy_document.scheduler_assume.json
  tags               = local.tags
}

data "aws_iam_policy_document" "scheduler" {
  dynamic "statement" {
    for_each = length(local.scheduled_functions) == 0 ? [] : [true]
    content {
      sid       = "InvokeScheduledFunctions"
      actions   = ["lambda:InvokeFunction"]
      resources = [for name, _ in local.scheduled_functions : local.function_arns[name]]
    }
  }

  statement {
    sid       = "DeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dead_letters.arn]
  }

  statement {
    sid       = "QueueKey"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [aws_kms_key.this.arn]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "invoke-scheduled-functions"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}

resource "aws_scheduler_schedule" "this" {
  for_each = local.scheduled_functions

  name                         = each.key
  group_name                   = aws_scheduler_schedule_group.this.name
  schedule_expression          = each.value.schedule
  schedule_expression_timezone = "UTC"
  kms_key_arn                  = aws_kms_key.this.arn

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.this[each.key].arn
    role_arn = aws_iam_role.scheduler.arn

    # The shape of an EventBridge scheduled event, which LambdaRuntime's ScheduledEvent reads;
    # Scheduler fills in the <aws.scheduler.*> values at each firing.
    input = jsonencode({
      version       = "0"
      id            = "<aws.scheduler.execution-id>"
      "detail-type" = "Scheduled Event"
      source        = "aws.scheduler"
      account       = local.account_id
      time          = "<aws.scheduler.scheduled-time>"
      region        = var.region
      resources     = ["<aws.scheduler.schedule-arn>"]
      detail        = "{}"
    })

    retry_policy {
      maximum_retry_attempts       = 2
      maximum_event_age_in_seconds = 3600
    }

    dead_letter_config {
      arn = aws_sqs_queue.dead_letters.arn
    }
  }
}
