# The one KMS key: envelope encryption of cloud credentials (PP-cloud), the buckets, the database,
# the secrets, the logs and the functions' environment.

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_109:a key policy's "*" is this key; the account statement is AWS's default, which lets IAM policies grant use
  #checkov:skip=CKV_AWS_111:a key policy's "*" is this key; the account statement is AWS's default, which lets IAM policies grant use
  #checkov:skip=CKV_AWS_356:a key policy's "*" is this key, not every resource
  # The account administers the key; the functions' roles are granted use by their own policies.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchLogsEncrypt"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:*"]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "${local.name_prefix}: envelope encryption, buckets, database, secrets and logs"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days
  policy                  = data.aws_iam_policy_document.kms.json
  tags                    = local.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${local.name_prefix}"
  target_key_id = aws_kms_key.this.key_id
}
