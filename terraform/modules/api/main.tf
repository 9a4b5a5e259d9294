locals {
  # One JSON line per request. Never the query string (the token is in it) nor message bodies.
  access_log_format = jsonencode({
    requestId          = "$context.requestId"
    extendedRequestId  = "$context.extendedRequestId"
    requestTimeEpoch   = "$context.requestTimeEpoch"
    eventType          = "$context.eventType"
    routeKey           = "$context.routeKey"
    connectionId       = "$context.connectionId"
    messageId          = "$context.messageId"
    status             = "$context.status"
    sourceIp           = "$context.identity.sourceIp"
    userAgent          = "$context.identity.userAgent"
    principalId        = "$context.authorizer.principalId"
    authorizerError    = "$context.authorizer.error"
    integrationStatus  = "$context.integration.status"
    integrationError   = "$context.integration.error"
    integrationLatency = "$context.integrationLatency"
    errorMessage       = "$context.error.message"
    errorResponseType  = "$context.error.responseType"
  })
}

resource "aws_apigatewayv2_api" "this" {
  name                       = var.name
  protocol_type              = "WEBSOCKET"
  route_selection_expression = "$request.body.action"

  tags = var.tags
}

resource "aws_apigatewayv2_authorizer" "this" {
  api_id           = aws_apigatewayv2_api.this.id
  name             = "${var.name}-jwt"
  authorizer_type  = "REQUEST"
  authorizer_uri   = var.authorizer_invoke_arn
  identity_sources = ["route.request.querystring.token"]
}

resource "aws_apigatewayv2_integration" "this" {
  for_each = var.route_invoke_arns

  api_id             = aws_apigatewayv2_api.this.id
  integration_type   = "AWS_PROXY"
  integration_method = "POST"
  integration_uri    = each.value
}

resource "aws_apigatewayv2_route" "this" {
  for_each = var.route_invoke_arns

  api_id             = aws_apigatewayv2_api.this.id
  route_key          = each.key
  target             = "integrations/${aws_apigatewayv2_integration.this[each.key].id}"
  authorization_type = each.key == "$connect" ? "CUSTOM" : "NONE"
  authorizer_id      = each.key == "$connect" ? aws_apigatewayv2_authorizer.this.id : null
}

# WebSocket APIs do not auto-deploy: a new deployment whenever a route, integration or the authorizer changes.
resource "aws_apigatewayv2_deployment" "this" {
  api_id      = aws_apigatewayv2_api.this.id
  description = "Routes, integrations and authorizer of ${var.name}"

  triggers = {
    redeployment = sha1(jsonencode([
      aws_apigatewayv2_route.this,
      aws_apigatewayv2_integration.this,
      aws_apigatewayv2_authorizer.this,
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_cloudwatch_log_group" "access" {
  name              = "/aws/apigateway/${var.name}"
  retention_in_days = var.log_retention_days

  tags = var.tags
}

moved {
  from = aws_cloudwatch_log_group.this
  to   = aws_cloudwatch_log_group.access
}

# The execution log group API Gateway writes to. Left to API Gateway, it is created on the first
# logged request without a retention (kept forever); created here first, it gets the same retention.
resource "aws_cloudwatch_log_group" "execution" {
  name              = "API-Gateway-Execution-Logs_${aws_apigatewayv2_api.this.id}/${var.stage_name}"
  retention_in_days = var.log_retention_days

  tags = var.tags
}

resource "aws_apigatewayv2_stage" "this" {
  api_id        = aws_apigatewayv2_api.this.id
  name          = var.stage_name
  deployment_id = aws_apigatewayv2_deployment.this.id

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format          = local.access_log_format
  }

  default_route_settings {
    data_trace_enabled       = false
    detailed_metrics_enabled = false
    logging_level            = var.execution_logging_level
    throttling_burst_limit   = var.throttling_burst_limit
    throttling_rate_limit    = var.throttling_rate_limit
  }

  tags = var.tags

  # Execution logging starts with the stage: its log group must exist first, with its retention.
  depends_on = [aws_cloudwatch_log_group.execution]
}
