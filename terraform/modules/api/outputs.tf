output "api_id" {
  description = "Id of the WebSocket API."
  value       = aws_apigatewayv2_api.this.id
}

output "execution_arn" {
  description = "Execution ARN of the API (arn:aws:execute-api:<region>:<account>:<api id>), the prefix of invoke and @connections ARNs."
  value       = aws_apigatewayv2_api.this.execution_arn
}

output "authorizer_id" {
  description = "Id of the REQUEST authorizer."
  value       = aws_apigatewayv2_authorizer.this.id
}

output "stage_name" {
  description = "Name of the stage."
  value       = aws_apigatewayv2_stage.this.name
}

output "stage_invoke_url" {
  description = "wss:// URL of the stage."
  value       = aws_apigatewayv2_stage.this.invoke_url
}

output "access_log_group_name" {
  description = "Name of the stage's access log group."
  value       = aws_cloudwatch_log_group.access.name
}

output "execution_log_group_name" {
  description = "Name of the stage's execution log group (API-Gateway-Execution-Logs_<api id>/<stage>)."
  value       = aws_cloudwatch_log_group.execution.name
}

output "log_retention_days" {
  description = "Retention of each of the API's log groups, by access / execution."
  value = {
    access    = aws_cloudwatch_log_group.access.retention_in_days
    execution = aws_cloudwatch_log_group.execution.retention_in_days
  }
}

output "routes" {
  description = "Each route by route key: its target, authorization type and authorizer id."
  value = {
    for route_key, route in aws_apigatewayv2_route.this : route_key => {
      target             = route.target
      authorization_type = route.authorization_type
      authorizer_id      = route.authorizer_id
    }
  }
}

output "integrations" {
  description = "Each route's integration by route key: its id, type and the Lambda invoke ARN it calls."
  value = {
    for route_key, integration in aws_apigatewayv2_integration.this : route_key => {
      id   = integration.id
      type = integration.integration_type
      uri  = integration.integration_uri
    }
  }
}

output "authorizer" {
  description = "The REQUEST authorizer: type, invoke ARN and identity sources."
  value = {
    type             = aws_apigatewayv2_authorizer.this.authorizer_type
    uri              = aws_apigatewayv2_authorizer.this.authorizer_uri
    identity_sources = aws_apigatewayv2_authorizer.this.identity_sources
  }
}

output "default_route_settings" {
  description = "The stage's default route settings: throttling and execution logging."
  value       = one(aws_apigatewayv2_stage.this.default_route_settings)
}
