# The API Gateway HTTP API: every route of every manifest, each to its function (payload 2.0),
# on one auto-deployed stage with throttling and access logs.

resource "aws_apigatewayv2_api" "this" {
  name          = local.name_prefix
  description   = "KloudHub's HTTP API"
  protocol_type = "HTTP"
  tags          = local.tags
}

resource "aws_apigatewayv2_integration" "this" {
  for_each = local.http_functions

  api_id                 = aws_apigatewayv2_api.this.id
  integration_type       = "AWS_PROXY"
  integration_method     = "POST"
  integration_uri        = aws_lambda_function.this[each.key].invoke_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = 30000
}

# Every route is public at the gateway: the functions authenticate each request themselves
# (Clerk sessions, API keys, OAuth access tokens), as the OAuth discovery of the MCP resource
# needs the function's own 401 with its WWW-Authenticate header (RFC 9728).
resource "aws_apigatewayv2_route" "this" {
  #checkov:skip=CKV_AWS_309:the functions authenticate every request (Clerk session, API key or OAuth token); MCP's OAuth discovery needs the function's own 401
  for_each = local.routes

  api_id             = aws_apigatewayv2_api.this.id
  route_key          = each.key
  target             = "integrations/${aws_apigatewayv2_integration.this[each.value].id}"
  authorization_type = "NONE"
}

resource "aws_cloudwatch_log_group" "api" {
  #checkov:skip=CKV_AWS_338:PP-logs promises logs are kept at most 90 days (log_retention_days)
  name              = "/aws/apigateway/${local.name_prefix}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn
  tags              = local.tags
}

resource "aws_apigatewayv2_stage" "this" {
  api_id      = aws_apigatewayv2_api.this.id
  name        = "$default"
  auto_deploy = true
  tags        = local.tags

  default_route_settings {
    throttling_rate_limit  = var.api_throttling.rate_limit
    throttling_burst_limit = var.api_throttling.burst_limit
  }

  # PP-logs: the caller's address, time, route and outcome, never a header's or body's content.
  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api.arn
    format = jsonencode({
      requestId        = "$context.requestId"
      ip               = "$context.identity.sourceIp"
      requestTime      = "$context.requestTimeEpoch"
      routeKey         = "$context.routeKey"
      status           = "$context.status"
      protocol         = "$context.protocol"
      responseLength   = "$context.responseLength"
      integrationError = "$context.integrationErrorMessage"
      userAgent        = "$context.identity.userAgent"
    })
  }
}

resource "aws_lambda_permission" "api" {
  for_each = local.http_functions

  statement_id  = "AllowAPIGateway"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this[each.key].function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.this.execution_arn}/*/*"
}
