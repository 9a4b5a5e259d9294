variable "name" {
  description = "Name of the API; its access log group is /aws/apigateway/<name>, its execution log group API-Gateway-Execution-Logs_<api id>/<stage>."
  type        = string
}

variable "stage_name" {
  description = "Name of the stage."
  type        = string
}

variable "authorizer_invoke_arn" {
  description = "Invoke ARN of the REQUEST authorizer function guarding $connect."
  type        = string
}

variable "route_invoke_arns" {
  description = "Invoke ARN of the function behind each route key ($connect, $disconnect, $default and custom actions)."
  type        = map(string)

  validation {
    condition     = alltrue([for route_key in ["$connect", "$disconnect", "$default"] : contains(keys(var.route_invoke_arns), route_key)])
    error_message = "route_invoke_arns must include $connect, $disconnect and $default."
  }
}

variable "throttling_burst_limit" {
  description = "Default route throttling burst limit of the stage."
  type        = number
  default     = 500
}

variable "throttling_rate_limit" {
  description = "Default route throttling rate limit of the stage, per second."
  type        = number
  default     = 100
}

variable "execution_logging_level" {
  description = "Execution logging level of the stage: ERROR, INFO or OFF."
  type        = string
  default     = "ERROR"

  validation {
    condition     = contains(["ERROR", "INFO", "OFF"], var.execution_logging_level)
    error_message = "execution_logging_level must be ERROR, INFO or OFF."
  }
}

variable "log_retention_days" {
  description = "Retention of the access and execution log groups, in days."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Tags of the API, its stage and its log groups."
  type        = map(string)
  default     = {}
}
