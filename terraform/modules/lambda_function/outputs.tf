output "function_name" {
  description = "Name of the function."
  value       = aws_lambda_function.this.function_name
}

output "arn" {
  description = "ARN of the function."
  value       = aws_lambda_function.this.arn
}

output "invoke_arn" {
  description = "Invoke ARN of the function, for API Gateway integrations and authorizers."
  value       = aws_lambda_function.this.invoke_arn
}

output "role_arn" {
  description = "ARN of the function's execution role."
  value       = aws_iam_role.this.arn
}

output "log_group_name" {
  description = "Name of the function's log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "policy" {
  description = "The execution role's inline policy document (JSON)."
  value       = aws_iam_role_policy.this.policy
}

output "log_retention_days" {
  description = "Retention of the function's log group, in days."
  value       = aws_cloudwatch_log_group.this.retention_in_days
}

output "invoke_source_arn" {
  description = "source_arn of the permission that lets API Gateway invoke the function; null when API Gateway may not."
  value       = var.invoked_by_api_gateway ? aws_lambda_permission.this[0].source_arn : null
}

output "timeout_seconds" {
  description = "Timeout of the function, in seconds."
  value       = aws_lambda_function.this.timeout
}

output "memory_size" {
  description = "Memory of the function, in MB."
  value       = aws_lambda_function.this.memory_size
}
