# Two KMS keys. The platform key (`this`) encrypts the buckets, the database, the secrets, the
# logs, the dead-letter queue and the functions' environment: every function uses it, since
# reading its database secret or an object decrypts with it. The credentials key seals
# customers' cloud credentials and sensitive Kloud variables (PP-cloud): only the functions
# whose manifest lists kms actions (scan, deploy) may use it, so no other function's role can
# open a customer's credentials, even with a bug. Deploy still runs customers' Terraform in its
# own sandbox, within reach of its role: until runs move to tasks of their own (DESIGN.md
# section 10), this key is only as safe as that sandbox.

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

data "aws_iam_policy_document" "credentials_kms" {
  #checkov:skip=CKV_AWS_109:a key policy's "*" is this key; the account statement is AWS's default, which lets IAM policies grant use
  #checkov:skip=CKV_AWS_111:a key policy's "*" is this key; the account statement is AWS's default, which lets IAM policies grant use
  #checkov:skip=CKV_AWS_356:a key policy's "*" is this key, not every resource
  # The account administers the key; only the roles whose policies name it (scan, deploy) use it.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }
}

resource "aws_kms_key" "credentials" {
  description             = "${local.name_prefix}: envelope encryption of customers' cloud credentials and sensitive Kloud variables"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days
  policy                  = data.aws_iam_policy_document.credentials_kms.json
  tags                    = local.tags
}

resource "aws_kms_alias" "credentials" {
  name          = "alias/${local.name_prefix}-credentials"
  target_key_id = aws_kms_key.credentials.key_id
}
