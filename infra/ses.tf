# The identity notifications (PP-notify) are sent from. For a domain, publish the DKIM records
# of the output ses_dkim_tokens.

resource "aws_sesv2_email_identity" "this" {
  email_identity = var.ses_identity
  tags           = local.tags
}
