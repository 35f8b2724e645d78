output "api_endpoint" {
  description = "The API Gateway endpoint (the public URL unless public_url is set)."
  value       = aws_apigatewayv2_api.this.api_endpoint
}

output "public_url" {
  description = "The origin the functions are given as KLOUDHUB_PUBLIC_URL."
  value       = local.settings["KLOUDHUB_PUBLIC_URL"]
}

output "functions" {
  description = "Each function's Lambda name and ARN, by manifest name."
  value       = { for name, function in aws_lambda_function.this : name => { name = function.function_name, arn = function.arn } }
}

output "routes" {
  description = "Each route key and the function it reaches."
  value       = local.routes
}

output "schedules" {
  description = "Each scheduled function's schedule expression."
  value       = { for name, schedule in aws_scheduler_schedule.this : name => schedule.schedule_expression }
}

output "buckets" {
  description = "The buckets by purpose."
  value       = { for purpose, bucket in aws_s3_bucket.this : purpose => bucket.id }
}

output "kms_key_arn" {
  description = "The platform KMS key: the buckets, the database, the secrets, the logs and the functions' environment."
  value       = aws_kms_key.this.arn
}

output "credentials_kms_key_arn" {
  description = "The KMS key that seals customers' cloud credentials and sensitive Kloud variables (scan and deploy only)."
  value       = aws_kms_key.credentials.arn
}

output "database_secret_arns" {
  description = "The Secrets Manager secret of each database role (JSON with url; with RDS also username and password)."
  value       = { for role, secret in aws_secretsmanager_secret.database : role => secret.arn }
}

output "database_proxy_endpoint" {
  description = "With database_mode = rds: the RDS Proxy endpoint the connection strings use."
  value       = var.database_mode == "rds" ? aws_db_proxy.this[0].endpoint : null
}

output "ses_dkim_tokens" {
  description = "For a domain identity: the DKIM tokens to publish as <token>._domainkey CNAME records."
  value       = try(aws_sesv2_email_identity.this.dkim_signing_attributes[0].tokens, [])
}

output "terraform_layer_arn" {
  description = "The Terraform layer version."
  value       = aws_lambda_layer_version.this.arn
}

output "dead_letter_queue_url" {
  description = "Where failed async invocations and schedule deliveries end up."
  value       = aws_sqs_queue.dead_letters.url
}
