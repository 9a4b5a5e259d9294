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

output "protection" {
  description = "Deletion protection, point-in-time recovery and encryption at rest of each table, by connections / messages."
  value = {
    for name, table in { connections = aws_dynamodb_table.connections, messages = aws_dynamodb_table.messages } : name => {
      deletion_protection            = table.deletion_protection_enabled
      point_in_time_recovery         = one(table.point_in_time_recovery).enabled
      encrypted                      = one(table.server_side_encryption).enabled
    }
  }
}
