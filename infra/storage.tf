# KloudHub's buckets. The four account buckets (Terraform state of deployments, deployment logs,
# blueprints, exports) hold every object of an account under accounts/<account uuid>/, so that
# an erasure and the retention rules each reach an account's data by one prefix. Two more serve
# the platform: artifacts (function packages, the Terraform layer) and access-logs (S3 server
# access logs, security monitoring kept as PP-logs allows).

locals {
  account_prefix = "accounts/"

  # A deleted or replaced version of account data is gone within PP-delete's 30 days. Deployment
  # logs are logs (PP-logs): the current version expires a day early, so that with its day as a
  # noncurrent version no log outlives log_retention_days.
  buckets = {
    state = {
      holds_account_data = true
      expiration_days    = null
      noncurrent_days    = var.noncurrent_version_retention_days
    }
    logs = {
      holds_account_data = true
      expiration_days    = max(1, var.log_retention_days - 1)
      noncurrent_days    = 1
    }
    blueprints = {
      holds_account_data = true
      expiration_days    = null
      noncurrent_days    = var.noncurrent_version_retention_days
    }
    exports = {
      holds_account_data = true
      expiration_days    = var.export_retention_days
      noncurrent_days    = 1
    }
    artifacts = {
      holds_account_data = false
      expiration_days    = null
      noncurrent_days    = 30
    }
    access-logs = {
      holds_account_data = false
      expiration_days    = max(1, var.log_retention_days - 1)
      noncurrent_days    = 1
    }
  }
}

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_18:aws_s3_bucket_logging.this logs every bucket into access-logs (checkov does not follow its for_each); access-logs does not log itself
  #checkov:skip=CKV_AWS_145:every bucket uses the KMS key but access-logs, since S3 delivers server access logs only to SSE-S3 buckets
  #checkov:skip=CKV_AWS_144:one region on purpose: a replica of account data would be one more copy for an erasure to reach (PP-delete); versioning keeps recent versions
  #checkov:skip=CKV2_AWS_62:nothing reacts to object events; the functions write and read these objects themselves
  for_each = local.buckets

  bucket = "${local.name_prefix}-${each.key}-${local.account_id}"
  # Only what can be made again goes with a destroy: packages and access logs. A bucket of
  # account data must be emptied by the erasure first.
  force_destroy = !each.value.holds_account_data
  tags          = merge(local.tags, { Purpose = each.key })
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = local.buckets

  bucket                  = aws_s3_bucket.this[each.key].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id

  versioning_configuration {
    status = "Enabled"
  }
}

# S3 delivers server access logs only to a bucket encrypted with S3's own keys; every other
# bucket uses the KMS key.
resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = each.key == "access-logs" ? "AES256" : "aws:kms"
      kms_master_key_id = each.key == "access-logs" ? null : aws_kms_key.this.arn
    }
    bucket_key_enabled = each.key != "access-logs"
  }
}

resource "aws_s3_bucket_logging" "this" {
  for_each = { for purpose, bucket in local.buckets : purpose => bucket if purpose != "access-logs" }

  bucket        = aws_s3_bucket.this[each.key].id
  target_bucket = aws_s3_bucket.this["access-logs"].id
  target_prefix = "${each.key}/"

  # S3 checks that the target bucket's policy lets the logging service write.
  depends_on = [aws_s3_bucket_policy.this]
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id

  rule {
    id     = "retention"
    status = "Enabled"

    filter {
      prefix = each.value.holds_account_data ? local.account_prefix : ""
    }

    dynamic "expiration" {
      for_each = each.value.expiration_days == null ? [] : [each.value.expiration_days]
      content {
        days = expiration.value
      }
    }

    dynamic "expiration" {
      for_each = each.value.expiration_days == null ? [true] : []
      content {
        expired_object_delete_marker = true
      }
    }

    noncurrent_version_expiration {
      noncurrent_days = each.value.noncurrent_days
    }
  }

  rule {
    id     = "abort-incomplete-uploads"
    status = "Enabled"

    filter {
      prefix = ""
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

data "aws_iam_policy_document" "bucket" {
  for_each = local.buckets

  # PP-crypto: TLS in transit, even inside AWS.
  statement {
    sid       = "TLSOnly"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.this[each.key].arn, "${aws_s3_bucket.this[each.key].arn}/*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  # An account's objects live under its prefix only, so an erasure by prefix misses nothing.
  dynamic "statement" {
    for_each = each.value.holds_account_data ? [true] : []
    content {
      sid           = "AccountDataUnderAccountsPrefix"
      effect        = "Deny"
      actions       = ["s3:PutObject"]
      not_resources = ["${aws_s3_bucket.this[each.key].arn}/${local.account_prefix}*"]

      principals {
        type        = "AWS"
        identifiers = ["*"]
      }
    }
  }

  dynamic "statement" {
    for_each = each.key == "access-logs" ? [true] : []
    content {
      sid       = "S3ServerAccessLogs"
      actions   = ["s3:PutObject"]
      resources = ["${aws_s3_bucket.this[each.key].arn}/*"]

      principals {
        type        = "Service"
        identifiers = ["logging.s3.amazonaws.com"]
      }

      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [local.account_id]
      }
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id
  policy = data.aws_iam_policy_document.bucket[each.key].json

  depends_on = [aws_s3_bucket_public_access_block.this]
}
