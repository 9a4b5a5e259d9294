variable "function_name" {
  description = "Name of the Lambda function; also names its role and its log group /aws/lambda/<function_name>."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.function_name))
    error_message = "function_name must be 1-64 characters of A-Z, a-z, 0-9, '_' and '-'."
  }
}

variable "description" {
  description = "Description of the function."
  type        = string
  default     = ""
}

variable "filename" {
  description = "Path of the deployment zip made by the build (index.mjs at its root)."
  type        = string
}

variable "handler" {
  description = "Handler entry point inside the zip."
  type        = string
  default     = "index.handler"
}

variable "runtime" {
  description = "Lambda runtime."
  type        = string
  default     = "nodejs24.x"
}

variable "architecture" {
  description = "Instruction set architecture: arm64 or x86_64."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "memory_size" {
  description = "Memory in MB."
  type        = number
  default     = 256

  validation {
    condition     = var.memory_size >= 256 && var.memory_size <= 512
    error_message = "memory_size must be between 256 and 512 MB."
  }
}

variable "timeout_seconds" {
  description = "Timeout in seconds."
  type        = number
  default     = 15

  validation {
    condition     = var.timeout_seconds >= 1 && var.timeout_seconds <= (var.invoked_by_api_gateway ? 29 : 900)
    error_message = "timeout_seconds must be between 1 and 29 for a function API Gateway invokes (its integration limit), and at most 900 (Lambda's limit) for one it does not."
  }
}

variable "environment" {
  description = "Environment variables of the function."
  type        = map(string)
  default     = {}
}

variable "log_retention_days" {
  description = "Retention of the function's log group, in days."
  type        = number
  default     = 365
}

variable "policy_statements" {
  description = "IAM statements (Allow) the function needs beyond logging and tracing. Each condition is one operator (test), key (variable) and values, as in aws_iam_policy_document; at most one condition per operator."
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
    conditions = list(object({
      test     = string
      variable = string
      values   = list(string)
    }))
  }))
  default = []

  validation {
    condition = alltrue(flatten([
      for statement in var.policy_statements : [
        for value in concat(statement.actions, statement.resources) : value != "*"
      ]
    ]))
    error_message = "policy_statements must not allow '*' actions or '*' resources."
  }
}

variable "invoked_by_api_gateway" {
  description = "Whether API Gateway invokes the function (a route or an authorizer): then it gets the invoke permission for invoke_source_arn. False for a function only other functions invoke. A plain flag, known at plan, where invoke_source_arn is known only once the API exists."
  type        = bool
  default     = true
}

variable "invoke_source_arn" {
  description = "source_arn of the API Gateway invoke permission: this API's execution ARN with /* for routes, or /authorizers/<id> for an authorizer. Null when invoked_by_api_gateway is false."
  type        = string
  default     = null

  validation {
    condition     = var.invoke_source_arn == null ? true : startswith(var.invoke_source_arn, "arn:") && var.invoke_source_arn != "*"
    error_message = "invoke_source_arn must be an execute-api ARN scoped to one API."
  }
}

variable "tags" {
  description = "Tags of every resource of the function."
  type        = map(string)
  default     = {}
}
