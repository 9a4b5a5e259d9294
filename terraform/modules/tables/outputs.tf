output "connections_table_name" {
  description = "Name of the connections table."
  value       = aws_dynamodb_table.connections.name
}

output "connections_table_arn" {
  description = "ARN of the connections table."
  value       = aws_dynamodb_table.connections.arn
}

output "connections_user_index_name" {
  description = "Name of the connections table's userId index."
  value       = local.user_id_index_name
}

output "messages_table_name" {
  description = "Name of the messages table."
  value       = aws_dynamodb_table.messages.name
}

output "messages_table_arn" {
  description = "ARN of the messages table."
  value       = aws_dynamodb_table.messages.arn
}
