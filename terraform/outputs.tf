output "websocket_stage_url" {
  description = "wss:// URL of the stage; connect with ?token=<jwt> (wscat -c \"<url>?token=<jwt>\")."
  value       = module.api.stage_invoke_url
}

output "management_endpoint" {
  description = "https:// endpoint of the @connections management API (WS_MANAGEMENT_ENDPOINT)."
  value       = local.management_endpoint
}

output "api_id" {
  description = "Id of the WebSocket API (the ApiId dimension of its AWS/ApiGateway metrics)."
  value       = module.api.api_id
}

output "stage_name" {
  description = "Name of the API stage."
  value       = local.stage_name
}

output "connections_table_name" {
  description = "Name of the connections table."
  value       = module.tables.connections_table_name
}

output "messages_table_name" {
  description = "Name of the messages table."
  value       = module.tables.messages_table_name
}

output "function_names" {
  description = "Lambda function name of each handler, by handler name."
  value       = { for name, fn in local.functions : name => module.functions[name].function_name }
}

output "log_group_names" {
  description = "CloudWatch log groups: one per function, plus the API's access log group under the key api and its execution log group under api_execution."
  value = merge(
    { for name, fn in local.functions : name => module.functions[name].log_group_name },
    { api = module.api.access_log_group_name, api_execution = module.api.execution_log_group_name },
  )
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = module.monitoring.dashboard_name
}

output "alarm_topic_arn" {
  description = "ARN of the SNS topic every alarm notifies; subscribe on-call tooling here."
  value       = module.monitoring.alarm_topic_arn
}

output "respond_dead_letter_queue_url" {
  description = "URL of the queue where Lambda sends the respond events it gave up on (README: \"When the dead-letter queue alarm fires\")."
  value       = aws_sqs_queue.respond_dead_letter.url
}

output "respond_dead_letter_queue_arn" {
  description = "ARN of the respond dead-letter queue."
  value       = aws_sqs_queue.respond_dead_letter.arn
}
